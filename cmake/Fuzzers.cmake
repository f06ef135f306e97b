# libFuzzer targets (the `fuzz` preset, clang only). The libraries get coverage and sanitizer
# instrumentation without libFuzzer's main(); each fuzz executable links libFuzzer itself.
if(RINGSIDE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RINGSIDE_FUZZ needs clang++ (libFuzzer); use the `fuzz` preset")
  endif()
  add_subdirectory(${CMAKE_SOURCE_DIR}/tests/fuzz ${CMAKE_BINARY_DIR}/tests/fuzz)
endif()
