#include "migrate_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "migration/precopy.h"
#include "util/hex.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>

namespace ringside::cli {
namespace {

// "0x10008=64": a little-endian dword written into the image where a segment holds that
// address, before the guest starts.
void patchImage(GuestImage &image, const std::string &item) {
  auto eq = item.find('=');
  if (eq == std::string::npos)
    throw InputError("--set " + item + ": expected ADDR=VALUE");
  uint64_t addr = 0, value = 0;
  try {
    addr = std::stoull(item.substr(0, eq), nullptr, 0);
    value = std::stoull(item.substr(eq + 1), nullptr, 0);
  } catch (const std::exception &) {
    throw InputError("--set " + item + ": ADDR and VALUE must be numbers");
  }
  if (value > 0xFFFFFFFFu)
    throw InputError("--set " + item + ": VALUE does not fit a dword");
  for (auto &seg : image.segments)
    if (addr >= seg.gpa && addr + 4 <= seg.gpa + seg.bytes.size()) {
      uint32_t v = static_cast<uint32_t>(value);
      std::memcpy(seg.bytes.data() + (addr - seg.gpa), &v, 4);
      return;
    }
  throw InputError("--set " + item + ": " + hex(addr) + " is not inside the guest image");
}

} // namespace

void addMigrateCommand(CLI::App &app, MigrateOptions &o) {
  auto *m = app.add_subcommand("migrate", "Live-migrate a running guest by pre-copy between two "
                                          "backends in this process (docs/snapshots.md)");
  m->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  m->add_option("--backend", o.backend,
                "emu or kvm (kvm: KVM's own dirty log; runs with --step, CPL0 only on PVM)")
      ->check(CLI::IsMember({"emu", "kvm"}));
  m->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  m->add_option("--load", o.load, "load address of .asm/.bin images (default 0x7c00)");
  m->add_option("--mem", o.memMiB, "guest RAM in MiB (default 16)")->check(CLI::Range(1, 4096));
  m->add_option("--bandwidth", o.bandwidth, "link bandwidth in MiB/s (modelled; default 256)")
      ->check(CLI::PositiveNumber);
  m->add_option("--max-rounds", o.maxRounds, "pre-copy rounds before stop-and-copy (default 10)")
      ->check(CLI::Range(1, 1000));
  m->add_option("--stop-pages", o.stopPages,
                "stop-and-copy once at most N pages are dirty (default 32)");
  m->add_option("--guest-mips", o.guestMips,
                "modelled guest speed while rounds are on the wire (default 50; kvm 0.5, as every "
                "instruction is one single-step exit there)")
      ->check(CLI::PositiveNumber);
  m->add_option("--warmup", o.warmup,
                "instructions the source runs first (default 100000; kvm 2000)");
  m->add_option("--after", o.after,
                "instructions the target runs after the switch-over (default 10000)");
  m->add_option("--set", o.set, "ADDR=VALUE: patch a dword of the image first (repeatable)");
  m->add_flag("--json", o.json, "print one JSON object");
}

int migrateCommand(const MigrateOptions &o) {
  try {
    GuestImage image = loadGuestImage(o.guest, loadOptionsFrom(o.entry, o.load));
    for (const auto &item : o.set)
      patchImage(image, item);
    auto source = createBackend(o.backend);
    auto target = createBackend(o.backend);
    RunConfig rc;
    rc.ramMiB = o.memMiB;
    rc.timeoutSeconds = 60;
    const bool kvm = o.backend == "kvm";
    rc.singleStep = kvm; // the kvm backend stops at an instruction count only when stepping
    migration::Config c;
    c.bandwidthMiBps = o.bandwidth;
    c.maxRounds = o.maxRounds;
    c.stopPages = o.stopPages;
    c.guestMips = o.guestMips > 0 ? o.guestMips : (kvm ? 0.5 : 50);
    c.warmupInstructions = o.warmup > 0 ? o.warmup : (kvm ? 2000 : 100'000);
    auto r = migration::migrate(image, *source, *target, rc, c);
    RunResult after = target->resume(r.switchoverInstructions + o.after);
    bool ok = r.memoryEqual && r.registersEqual;
    if (o.json) {
      nlohmann::ordered_json rounds = nlohmann::ordered_json::array();
      for (const auto &k : r.rounds)
        rounds.push_back({{"round", k.index},
                          {"pages_sent", k.pagesSent},
                          {"bytes_sent", k.bytesSent},
                          {"seconds_modelled", k.seconds},
                          {"guest_instructions", k.guestInstructions},
                          {"dirty_pages", k.dirtyPages}});
      std::cout << nlohmann::ordered_json{{"backend", source->name()},
                                          {"bandwidth_mibps", o.bandwidth},
                                          {"rounds", rounds},
                                          {"stop_reason", r.stopReason},
                                          {"stop_copy_pages", r.stopCopyPages},
                                          {"state_bytes", r.stateBytes},
                                          {"total_bytes", r.totalBytes},
                                          {"downtime_ms_modelled", r.downtimeSeconds * 1e3},
                                          {"total_ms_modelled", r.totalSeconds * 1e3},
                                          {"downtime_ms_measured", r.wallDowntimeMs},
                                          {"total_ms_measured", r.wallTotalMs},
                                          {"switchover_instructions", r.switchoverInstructions},
                                          {"memory_equal", r.memoryEqual},
                                          {"registers_equal", r.registersEqual},
                                          {"target_after",
                                           {{"stop", stopKindName(after.stop.kind)},
                                            {"instructions", after.instructions}}}}
                       .dump()
                << "\n";
    } else {
      std::printf("pre-copy migration on %s, %.0f MiB/s (modelled time; dirty log: %s)\n",
                  source->name().c_str(), o.bandwidth,
                  source->name() == "emu" ? "write tracking" : "KVM_GET_DIRTY_LOG");
      std::printf("%5s %10s %12s %10s %12s %8s\n", "round", "pages", "bytes", "ms", "guest insns",
                  "dirty");
      for (const auto &k : r.rounds)
        std::printf("%5d %10llu %12llu %10.3f %12llu %8llu\n", k.index,
                    static_cast<unsigned long long>(k.pagesSent),
                    static_cast<unsigned long long>(k.bytesSent), k.seconds * 1e3,
                    static_cast<unsigned long long>(k.guestInstructions),
                    static_cast<unsigned long long>(k.dirtyPages));
      std::printf("stop: %s; stop-and-copy %llu pages + %llu bytes of state\n",
                  r.stopReason.c_str(), static_cast<unsigned long long>(r.stopCopyPages),
                  static_cast<unsigned long long>(r.stateBytes));
      std::printf("downtime %.3f ms, total %.3f ms (modelled); measured on this host: %.1f ms "
                  "downtime, %.1f ms total\n",
                  r.downtimeSeconds * 1e3, r.totalSeconds * 1e3, r.wallDowntimeMs, r.wallTotalMs);
      std::printf("switch-over at instruction %llu: target memory %s, registers %s; target ran "
                  "on to %llu (%s)\n",
                  static_cast<unsigned long long>(r.switchoverInstructions),
                  r.memoryEqual ? "equal" : "DIFFERS", r.registersEqual ? "equal" : "DIFFER",
                  static_cast<unsigned long long>(after.instructions),
                  stopKindName(after.stop.kind));
    }
    return ok ? 0 : 1;
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
}

} // namespace ringside::cli
