#include "migration/precopy.h"

#include "errors.h"
#include "snapshot/machine_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace ringside::migration {
namespace {

constexpr uint64_t kPage = snapshot::kPageBytes;

double now() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double wireSeconds(uint64_t bytes, double mibps) { return bytes / (mibps * 1024.0 * 1024.0); }

bool sameRegs(const GuestRegs &a, const GuestRegs &b) {
  return a.gpr == b.gpr && a.rip == b.rip && a.rflags == b.rflags && a.cr0 == b.cr0 &&
         a.cr3 == b.cr3 && a.cr4 == b.cr4 && a.efer == b.efer && a.cs == b.cs && a.ss == b.ss &&
         a.cpl == b.cpl;
}

} // namespace

Result migrate(const GuestImage &image, Backend &source, Backend &target,
               const RunConfig &runConfig, const Config &c) {
  if (!source.capabilities().snapshots || !source.capabilities().dirtyLog)
    throw InputError("migration needs snapshots and a dirty-page log; the " + source.name() +
                     " backend has " +
                     (source.capabilities().snapshots ? "no dirty log" : "no snapshots"));
  if (!(c.bandwidthMiBps > 0) || !std::isfinite(c.bandwidthMiBps))
    throw InputError("--bandwidth must be a positive number of MiB/s");
  if (c.maxRounds < 1)
    throw InputError("--max-rounds must be at least 1");
  const uint64_t ramBytes = runConfig.ramMiB << 20, pages = ramBytes / kPage;
  std::vector<uint8_t> targetRam(ramBytes, 0);
  auto copyPage = [&](uint64_t p) {
    if (!source.readGuestPhysical(p * kPage, targetRam.data() + p * kPage, kPage))
      std::memset(targetRam.data() + p * kPage, 0, kPage); // not RAM (the VGA window): zeros
  };

  Result r;
  double wallStart = now();
  RunConfig sourceConfig = runConfig;
  sourceConfig.maxInstructions = std::max<uint64_t>(c.warmupInstructions, 1);
  source.load(image, sourceConfig);
  RunResult last = source.run();
  uint64_t count = last.instructions;
  bool running = last.stop.kind == StopKind::Budget;
  source.setDirtyLogging(true);

  std::vector<uint64_t> toSend(pages);
  for (uint64_t p = 0; p < pages; ++p)
    toSend[p] = p;
  for (int k = 0;; ++k) {
    Round round;
    round.index = k;
    for (uint64_t p : toSend)
      copyPage(p);
    round.pagesSent = toSend.size();
    round.bytesSent = round.pagesSent * kPage;
    round.seconds = wireSeconds(round.bytesSent, c.bandwidthMiBps);
    // The guest runs while the round is on the wire.
    uint64_t run = static_cast<uint64_t>(round.seconds * c.guestMips * 1e6);
    if (running && run > 0) {
      last = source.resume(count + run);
      round.guestInstructions = last.instructions - count;
      count = last.instructions;
      running = last.stop.kind == StopKind::Budget;
    }
    toSend = source.fetchDirtyLog();
    round.dirtyPages = toSend.size();
    r.totalBytes += round.bytesSent;
    r.totalSeconds += round.seconds;
    r.rounds.push_back(round);
    if (!running) {
      r.stopReason = "guest-stopped";
      break;
    }
    if (toSend.size() <= c.stopPages) {
      r.stopReason = "converged";
      break;
    }
    if (k + 1 >= c.maxRounds) {
      r.stopReason = "max-rounds";
      break;
    }
  }

  // Stop-and-copy: the source is stopped (at its budget); send the last dirty pages and the
  // machine state, and resume the target.
  double downStart = now();
  source.setDirtyLogging(false);
  if (!running)
    throw InputError("the guest stopped (" + std::string(stopKindName(last.stop.kind)) + ": " +
                     last.stop.message + ") during migration; nothing left to migrate");
  for (uint64_t p : toSend)
    copyPage(p);
  r.stopCopyPages = toSend.size();
  snapshot::MachineState state = source.saveState();
  for (const auto &[tag, bytes] : state.sections)
    r.stateBytes += bytes.size();
  r.switchoverInstructions = state.instructions;
  r.memoryEqual = state.ram == targetRam;
  state.ram = std::move(targetRam); // the target runs on what was sent, not on a fresh copy
  RunConfig targetConfig = runConfig;
  targetConfig.maxInstructions = state.instructions; // stop right away: compare, then go on
  target.restoreState(state, targetConfig);
  RunResult atTarget = target.run();
  r.registersEqual = atTarget.stop.kind == StopKind::Budget &&
                     atTarget.instructions == state.instructions &&
                     sameRegs(atTarget.regs, last.regs);
  r.wallDowntimeMs = now() - downStart;
  r.wallTotalMs = now() - wallStart;
  uint64_t downBytes = r.stopCopyPages * kPage + r.stateBytes;
  r.totalBytes += downBytes;
  r.downtimeSeconds = wireSeconds(downBytes, c.bandwidthMiBps);
  r.totalSeconds += r.downtimeSeconds;
  return r;
}

} // namespace ringside::migration
