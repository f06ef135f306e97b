#include "snapshot_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "platform/platform.h"
#include "snapshot/machine_state.h"
#include "trace/trace_json.h"
#include "util/hex.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <optional>

namespace ringside::cli {
namespace {

int save(const SnapshotOptions &o) {
  auto backend = createBackend(o.backend);
  if (!backend->capabilities().snapshots)
    throw InputError("the " + o.backend + " backend cannot take snapshots");
  if (o.atInsn == 0)
    throw InputError("--at-insn must be at least 1");
  RunConfig config;
  config.ramMiB = o.memMiB;
  config.maxInstructions = o.atInsn;
  config.virt = o.virt;
  config.timeoutSeconds = 60;
  // The kvm backend stops at an instruction count only when it single-steps (on PVM: CPL0
  // code only); the restore goes on stepping (docs/snapshots.md).
  config.singleStep = o.backend == "kvm";
  backend->load(loadGuestImage(o.guest, loadOptionsFrom(o.entry, o.load)), config);
  RunResult r = backend->run();
  if (r.stop.kind != StopKind::Budget)
    throw InputError("the guest stopped (" + std::string(stopKindName(r.stop.kind)) + ": " +
                     r.stop.message + ") after " + std::to_string(r.instructions) +
                     " instructions, before --at-insn " + std::to_string(o.atInsn));
  auto stats = snapshot::saveState(backend->saveState(), o.output, o.parent);
  if (o.json) {
    std::cout << nlohmann::ordered_json{{"file", o.output},
                                        {"backend", backend->name()},
                                        {"instructions", r.instructions},
                                        {"delta", stats.delta},
                                        {"pages_total", stats.pagesTotal},
                                        {"pages_stored", stats.pagesStored},
                                        {"bytes", stats.bytes}}
                     .dump()
              << "\n";
  } else {
    std::cout << "saved " << o.output << ": " << backend->name() << " machine after "
              << r.instructions << " instructions (rip=" << hex(r.regs.rip) << ")\n"
              << (stats.delta ? "delta against " + o.parent + ": " : "base: ") << stats.pagesStored
              << " of " << stats.pagesTotal << " pages stored"
              << (stats.delta ? " (copied on write)" : " (zero pages omitted)") << ", "
              << stats.bytes << " bytes\n";
  }
  return 0;
}

int restore(const SnapshotOptions &o) {
  auto state = snapshot::loadState(o.file);
  auto backend = createBackend(state.backend);
  RunConfig config;
  config.maxInstructions = o.maxInsns;
  config.timeoutSeconds = o.timeout;
  backend->restoreState(state, config);
  std::optional<JsonlWriter> writer;
  if (!o.traceFile.empty()) {
    writer.emplace(o.traceFile);
    backend->trace().addListener(*writer);
  }
  RunResult r = backend->run();
  if (writer)
    writer->flush();
  const std::string &console = backend->platform().console();
  if (o.json) {
    std::cout << nlohmann::ordered_json{{"file", o.file},
                                        {"backend", backend->name()},
                                        {"restored_at", state.instructions},
                                        {"stop", stopKindName(r.stop.kind)},
                                        {"code", r.stop.code},
                                        {"instructions", r.instructions},
                                        {"console", console},
                                        {"rip", r.regs.rip}}
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    if (!console.empty())
      std::cout << console << (console.back() == '\n' ? "" : "\n");
    std::cout << "-- restored " << o.file << " on " << backend->name() << " at instruction "
              << state.instructions << "\nstop: " << stopKindName(r.stop.kind) << " — "
              << r.stop.message << "\ninstructions: " << r.instructions
              << "\nfinal: rip=" << hex(r.regs.rip) << "\n";
  }
  bool ok = r.stop.kind == StopKind::Hlt || (r.stop.kind == StopKind::ExitPort && r.stop.code == 0);
  return ok ? 0 : 1;
}

int info(const SnapshotOptions &o) {
  auto i = snapshot::inspect(o.file);
  if (o.json) {
    nlohmann::ordered_json sections = nlohmann::ordered_json::array();
    for (const auto &s : i.sections)
      sections.push_back(
          {{"tag", s.tag}, {"offset", s.offset}, {"length", s.length}, {"crc32", s.crc}});
    std::cout << nlohmann::ordered_json{{"file", o.file},
                                        {"version", i.version},
                                        {"backend", i.backend},
                                        {"image", i.imagePath},
                                        {"virt", i.virt},
                                        {"ram_mib", i.ramMiB},
                                        {"instructions", i.instructions},
                                        {"next_seq", i.nextSeq},
                                        {"delta", i.delta},
                                        {"parent", i.parent},
                                        {"pages_stored", i.pagesStored},
                                        {"sections", sections}}
                     .dump()
              << "\n";
    return 0;
  }
  std::cout << o.file << ": Ringside snapshot, format version " << i.version << "\n"
            << "backend " << i.backend << ", image " << i.imagePath << ", --virt " << i.virt << ", "
            << i.ramMiB << " MiB RAM\n"
            << "taken after " << i.instructions << " instructions; next event seq " << i.nextSeq
            << "\nRAM: " << (i.delta ? "delta against " + i.parent : std::string("base")) << ", "
            << i.pagesStored << " pages stored\n";
  for (const auto &s : i.sections)
    std::cout << "  section '" << s.tag << "' at " << hex(s.offset) << ": " << s.length
              << " bytes, crc32 " << hex(s.crc) << "\n";
  return 0;
}

} // namespace

void addSnapshotCommand(CLI::App &app, SnapshotOptions &o) {
  auto *snap = app.add_subcommand("snapshot", "Save, restore and inspect whole-machine snapshots "
                                              "(docs/snapshots.md)");
  snap->require_subcommand(1);
  auto *save = snap->add_subcommand("save", "Run GUEST to an instruction count and save it");
  save->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  save->add_option("--at-insn", o.atInsn,
                   "emu: stop at the first block boundary at or after N instructions; "
                   "kvm: exactly at N (single-stepped)")
      ->required();
  save->add_option("-o,--output", o.output, "snapshot file to write")->required();
  save->add_option("--parent", o.parent,
                   "write a copy-on-write delta: only pages that differ from this snapshot");
  save->add_option("--backend", o.backend,
                   "emu or kvm (kvm: runs with --step to reach --at-insn; CPL0 only on PVM)")
      ->check(CLI::IsMember({"emu", "kvm"}));
  save->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  save->add_option("--load", o.load, "load address of .asm/.bin images (default 0x7c00)");
  save->add_option("--mem", o.memMiB, "guest RAM in MiB (default 16)")->check(CLI::Range(1, 4096));
  save->add_option("--virt", o.virt, "vtx (default), native or pv");
  save->add_flag("--json", o.json, "print one JSON object");
  auto *restore = snap->add_subcommand("restore", "Restore FILE in this process and run on");
  restore->add_option("FILE", o.file, "snapshot file")->required();
  restore->add_option("--max-insns", o.maxInsns,
                      "stop when N instructions have retired since the guest started "
                      "(default 100000000; 0: no limit)");
  restore->add_option("--timeout", o.timeout, "stop after SECONDS of wall time (default 10)");
  restore->add_option("--trace", o.traceFile, "write the events after the restore as JSON Lines");
  restore->add_flag("--json", o.json, "print one JSON object");
  auto *inf = snap->add_subcommand("info", "Check FILE and print its header and sections");
  inf->add_option("FILE", o.file, "snapshot file")->required();
  inf->add_flag("--json", o.json, "print one JSON object");
}

int snapshotCommand(CLI::App &app, const SnapshotOptions &o) {
  auto *snap = app.get_subcommand("snapshot");
  try {
    if (snap->got_subcommand("save"))
      return save(o);
    if (snap->got_subcommand("restore"))
      return restore(o);
    return info(o);
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
}

} // namespace ringside::cli
