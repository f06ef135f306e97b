#include "run_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "kernel_trace_session.h"
#include "kvm_host.h"
#include "kvm_mmu_model.h"
#include "platform/platform.h"
#include "trace/trace_json.h"
#include "trace/trace_summary.h"
#include "util/hex.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace ringside::cli {
namespace {

nlohmann::ordered_json regsJson(const GuestRegs &r) {
  nlohmann::ordered_json j;
  for (unsigned i = 0; i < 16; ++i)
    j[gprName(i)] = r.gpr[i];
  j["rip"] = r.rip;
  j["rflags"] = r.rflags;
  j["cr0"] = r.cr0;
  j["cr2"] = r.cr2;
  j["cr3"] = r.cr3;
  j["cr4"] = r.cr4;
  j["efer"] = r.efer;
  j["cs"] = r.cs;
  j["ss"] = r.ss;
  j["cpl"] = r.cpl;
  return j;
}

bool guestSucceeded(const StopEvent &stop) {
  return stop.kind == StopKind::Hlt || (stop.kind == StopKind::ExitPort && stop.code == 0);
}

// CLI11's NonNegativeNumber lets "nan" through and prints DBL_MAX in its message, and an unsigned
// option silently wraps "-5" to 2^64-5: check the text ourselves.
const CLI::Validator kNonNegative(
    [](std::string &text) -> std::string {
      char *end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (text.empty() || text.front() == '-' || *end != '\0' || !std::isfinite(value))
        return "'" + text + "' is not a non-negative number";
      return {};
    },
    "NUMBER>=0");

// "auto": kvm when this host can run it, else emu, saying why on stderr.
std::string resolveBackend(const std::string &name) {
  if (name != "auto")
    return name;
  kvm::HostProbe probe = kvm::probeHost();
  if (probe.usable())
    return "kvm";
  std::cerr << "ringside: using emu backend: " << probe.reason << "\n";
  return "emu";
}

// The emu backend counts every instruction and has no host kernel to trace: say so, go on.
void noteIgnoredFlags(const RunOptions &o, const std::string &backend) {
  if (backend != "emu")
    return;
  if (o.step)
    std::cerr << "ringside: --step ignored: the emu backend counts every instruction exactly "
                 "already\n";
  if (o.kernelTrace)
    std::cerr << "ringside: --kernel-trace ignored: the emu backend runs no host kernel code\n";
}

nlohmann::ordered_json unobservableJson(const std::vector<Unobservable> &list) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const auto &u : list)
    j.push_back({{"kind", u.kind}, {"why", u.why}});
  return j;
}

} // namespace

void addRunCommand(CLI::App &app, RunOptions &o) {
  auto *run = app.add_subcommand("run", "Run a guest headless and report what happened");
  run->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  run->add_option("--backend", o.backend, "emu (Unicorn), kvm, or auto (kvm when usable)")
      ->check(CLI::IsMember({"emu", "kvm", "auto"}));
  run->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  run->add_option("--load", o.load, "load address of .asm/.bin images (default 0x7c00)");
  run->add_option("--mem", o.memMiB, "guest RAM in MiB (default 16)")->check(CLI::Range(1, 4096));
  run->add_option("--max-insns", o.maxInsns,
                  "stop after N instructions (default 100000000; 0: no limit)")
      ->check(kNonNegative);
  run->add_option("--timeout", o.timeout, "stop after SECONDS of wall time (default 10; 0: none)")
      ->check(kNonNegative);
  run->add_option("--trace", o.traceFile, "write the event trace as JSON Lines to FILE");
  run->add_flag("--json", o.json, "print one JSON object instead of the human summary");
  run->add_option("--virt", o.virt,
                  "technique on emu: vtx (default), native (no VMM) or pv (hypercalls, "
                  "docs/hypercalls.md)");
  run->add_option("--vmx-profile", o.vmxProfile,
                  "emu: the modelled hypervisor's VT-x controls: kvm-like (default) or "
                  "shadow-paging (docs/vmx-profile.md)");
  run->add_option("--vmx-set", o.vmxSet,
                  "emu: override a control or field after the profile, e.g. "
                  "cpu_based.hlt_exiting=0 (repeatable)");
  run->add_option("--mmu", o.mmu,
                  "the memory model: native (default), shadow (shadow page tables) or ept (2-D "
                  "walks under the VMM's EPT). emu executes through it; kvm models it beside "
                  "the guest at each exit (labelled model); docs/memory.md")
      ->check(CLI::IsMember({"native", "shadow", "ept"}));
  run->add_flag("--step", o.step,
                "kvm: single-step every instruction (exact count, ring events; CPL0 only on "
                "PVM); emu: ignored, it counts exactly already");
  run->add_flag("--kernel-trace", o.kernelTrace,
                "kvm: also record the kernel's kvm:kvm_exit and kvmmmu walk tracepoints "
                "(root, tracefs; slower); emu: ignored");
}

int runCommand(const RunOptions &o) {
  GuestImage image;
  std::unique_ptr<Backend> backend;
  std::optional<JsonlWriter> writer;
  try {
    LoadOptions load = loadOptionsFrom(o.entry, o.load);
    image = loadGuestImage(o.guest, load);
    const std::string backendName = resolveBackend(o.backend);
    noteIgnoredFlags(o, backendName);
    backend = createBackend(backendName);
    RunConfig config;
    config.ramMiB = o.memMiB;
    config.maxInstructions = o.maxInsns;
    config.timeoutSeconds = o.timeout;
    config.vmxProfile = o.vmxProfile;
    config.virt = o.virt;
    config.vmxOverrides = o.vmxSet;
    config.mmu = o.mmu;
    config.singleStep = o.step;
    config.kernelTrace = o.kernelTrace;
    backend->load(image, config);
    if (!o.traceFile.empty()) {
      writer.emplace(o.traceFile);
      backend->trace().addListener(*writer);
    }
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }

  TraceSummarizer summarizer;
  backend->trace().setKeepEvents(false); // long runs stream; the summary is accumulated
  backend->trace().addListener(std::ref(summarizer));
  RunResult result;
  try {
    result = backend->run();
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
  if (writer)
    writer->flush();
  const TraceSummary &summary = summarizer.summary();
  const std::string &console = backend->platform().console();
  const bool onKvm = backend->name() == "kvm";
  const auto unobservable = backend->unobservable();
  // Tracing costs time, so it is opt-in; say when it could have been on.
  const bool kernelTraceAvailable = onKvm && kvm::probeTracefs(false).usable();

  if (o.json) {
    nlohmann::ordered_json j;
    j["backend"] = backend->name();
    j["stop"] = {{"kind", stopKindName(result.stop.kind)},
                 {"code", result.stop.code},
                 {"message", result.stop.message}};
    j["console"] = nlohmann::json::string_t(console);
    j["instructions"] = result.instructions;
    j["exits"] = summary.exits;
    if (!summary.kernelTraceExits.empty())
      j["kernel_trace_exits"] = summary.kernelTraceExits;
    if (!summary.nestedExits.empty())
      j["nested_exits"] = summary.nestedExits;
    if (!summary.vmxInstructions.empty())
      j["vmx_instructions"] = summary.vmxInstructions;
    nlohmann::ordered_json exceptions = nlohmann::ordered_json::object();
    for (auto [vector, count] : summary.exceptions)
      exceptions[std::to_string(vector)] = count;
    j["exceptions"] = exceptions;
    auto exitCount = [&](const char *name) {
      auto it = summary.exits.find(name);
      return it == summary.exits.end() ? uint64_t{0} : it->second;
    };
    // The emu backend records fills and flushes; hits and misses come from the TLB model
    // (ringside walk) and the KVM backend reports neither.
    j["memory"] = {{"walks", summary.walks},
                   {"walk_refs", summary.walkRefs},
                   {"tlb_fills", summary.tlbFills},
                   {"tlb_flushes", summary.tlbFlushes},
                   {"tlb_hits", summary.tlbHits},
                   {"tlb_misses", summary.tlbMisses},
                   {"ept_violations", exitCount("EPT_VIOLATION")},
                   {"ept_misconfigs", exitCount("EPT_MISCONFIG")}};
    // Trap-and-emulate and binary translation (docs/techniques.md): written when they happened.
    if (summary.trapCount || summary.calloutCount || summary.leakCount || summary.tcMisses)
      j["techniques"] = {{"traps", summary.trapCount},     {"callouts", summary.calloutCount},
                         {"traps_by_insn", summary.traps}, {"leaks", summary.leakCount},
                         {"leaks_by_insn", summary.leaks}, {"translations", summary.tcMisses},
                         {"tc_hits", summary.tcHits},      {"tc_misses", summary.tcMisses}};
    if (auto model = backend->mmuCounters(); !model.empty()) {
      // --mmu shadow|ept: the modelled MMU the emu backend executed through (docs/memory.md).
      j["memory"]["mmu"] = o.mmu;
      j["memory"]["shadow_faults"] = {{"hidden", model["hidden_faults"]},
                                      {"true", model["true_faults"]}};
      j["memory"]["model"] = model;
      if (onKvm) { // modelled beside the guest, not what KVM executed (docs/kvm-backend.md)
        const auto sources = kvm::kvmMemorySources(o.mmu == "ept" ? MmuMode::Ept : MmuMode::Shadow);
        j["memory"]["model_drives_execution"] = false;
        // The top-level walk counts cover every walk event; these are the ones read, not modelled.
        j["memory"]["real"] = {{"walks", summary.walks - model["walks"]},
                               {"walk_refs", summary.walkRefs - model["walk_refs"]}};
        j["memory"]["sources"] = {{"real", sources.real}, {"modelled", sources.modelled}};
      }
    }
    j["regs"] = regsJson(result.regs);
    if (onKvm) {
      j["kvm_stats"] = backend->counters();
      j["kernel_trace"] = {{"requested", o.kernelTrace}, {"available", kernelTraceAvailable}};
    }
    j["unobservable"] = unobservableJson(unobservable);
    if (auto debug = backend->debugCounters(); !debug.empty())
      j["debug_counters"] = debug;
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    if (!console.empty()) {
      std::cout << console;
      if (console.back() != '\n')
        std::cout << "\n";
    }
    std::cout << "-- " << image.path << " on " << backend->name() << " ("
              << entryModeName(image.entryMode) << " mode)\n";
    std::cout << "stop: " << stopKindName(result.stop.kind);
    if (result.stop.kind == StopKind::ExitPort)
      std::cout << " code " << result.stop.code;
    std::cout << " — " << result.stop.message << "\n";
    std::cout << "instructions: " << result.instructions << "\n";
    std::cout << "vm exits:";
    if (summary.exits.empty())
      std::cout << " none";
    for (const auto &[name, count] : summary.exits)
      std::cout << " " << name << "=" << count;
    if (!summary.nestedExits.empty()) {
      std::cout << "\nnested exits (to the guest's hypervisor):";
      for (const auto &[name, count] : summary.nestedExits)
        std::cout << " " << name << "=" << count;
    }
    std::cout << "\nexceptions:";
    if (summary.exceptions.empty())
      std::cout << " none";
    for (const auto &[vector, count] : summary.exceptions)
      std::cout << " " << vector << "=" << count;
    if (summary.trapCount || summary.calloutCount)
      std::cout << "\ntraps to the VMM: " << summary.trapCount
                << ", BT callouts: " << summary.calloutCount;
    if (summary.leakCount) {
      std::cout << "\nleaks (sensitive, no trap):";
      for (const auto &[insn, count] : summary.leaks)
        std::cout << " " << insn << "=" << count;
    }
    if (summary.tcMisses)
      std::cout << "\ntranslation cache: " << summary.tcMisses << " blocks translated, "
                << summary.tcHits << " hits";
    std::cout << "\nfinal: rip=" << hex(result.regs.rip) << " cpl=" << int(result.regs.cpl)
              << " cr0=" << hex(result.regs.cr0) << "\n";
    if (!unobservable.empty()) {
      std::cout << "not observable here:";
      for (size_t i = 0; i < unobservable.size(); ++i)
        std::cout << (i ? "; " : " ") << unobservable[i].kind;
      std::cout << " (--json says why)\n";
    }
    if (auto model = backend->mmuCounters(); onKvm && !model.empty())
      std::cout << "memory model (--mmu " << o.mmu << ", modelled beside the guest, not what KVM "
                << "ran): walks " << model["walks"] << ", references " << model["walk_refs"]
                << ", hidden faults " << model["hidden_faults"] << "\n";
    if (onKvm && !o.kernelTrace && kernelTraceAvailable)
      std::cout << "kernel trace: available, off (--kernel-trace records kvm:kvm_exit and kvmmmu "
                   "walks)\n";
  }
  return guestSucceeded(result.stop) ? 0 : 1;
}

} // namespace ringside::cli
