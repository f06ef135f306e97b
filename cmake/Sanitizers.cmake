# Sanitizer builds (the `asan` preset). Instruments every target of the project; Unicorn and the
# other system libraries stay uninstrumented, so leaks inside them are suppressed by
# tests/sanitizers/lsan.supp (see docs/quality.md).
set(RINGSIDE_SANITIZERS "" CACHE STRING
    "Comma-separated -fsanitize= list for every target (e.g. address,undefined); empty for none")

if(RINGSIDE_SANITIZERS)
  # Recovering from UB would print a report and carry on, and ctest would still pass.
  add_compile_options(-fsanitize=${RINGSIDE_SANITIZERS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${RINGSIDE_SANITIZERS})
  message(STATUS "Ringside: sanitizers ${RINGSIDE_SANITIZERS}")
endif()
