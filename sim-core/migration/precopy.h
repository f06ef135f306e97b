#pragma once
// Live migration by pre-copy (Clark et al., NSDI 2005), between two backends in one process:
// round 0 sends all of RAM while the source keeps running; each later round sends the pages
// the dirty log says were written during the previous one; when few enough pages are dirty
// (or after the last allowed round) the source stops, the rest of RAM and the vCPU and device
// state are copied (stop-and-copy), and the target resumes. docs/snapshots.md ("Migration").
//
// Time is modelled: the link moves `bandwidthMiBps`, and the guest retires
// `guestMips` million instructions per modelled second while a round is on the wire. The
// wall-clock time the copying really took on this host is reported next to it, labelled.
#include "backend/backend.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::migration {

struct Config {
  double bandwidthMiBps = 256; ///< link bandwidth (the throttle)
  int maxRounds = 10;          ///< pre-copy rounds before stop-and-copy is forced
  uint64_t stopPages = 32;     ///< stop-and-copy once the dirty set is at most this many pages
  double guestMips = 50;       ///< modelled guest speed while rounds are on the wire
  uint64_t warmupInstructions = 100'000; ///< the source runs this long before migration starts
};

struct Round {
  int index = 0;
  uint64_t pagesSent = 0;
  uint64_t bytesSent = 0;
  double seconds = 0;             ///< modelled time on the wire
  uint64_t guestInstructions = 0; ///< what the source ran meanwhile
  uint64_t dirtyPages = 0;        ///< the dirty log's count at the end of the round
};

struct Result {
  std::vector<Round> rounds;  ///< pre-copy rounds (round 0: all of RAM)
  std::string stopReason;     ///< "converged", "max-rounds" or "guest-stopped"
  uint64_t stopCopyPages = 0; ///< pages sent while the source was stopped
  uint64_t stateBytes = 0;    ///< vCPU, VMCS, device and clock state sent at switch-over
  uint64_t totalBytes = 0;
  double downtimeSeconds = 0; ///< modelled: (stop-and-copy pages + state) / bandwidth
  double totalSeconds = 0;    ///< modelled: all rounds plus the downtime
  double wallTotalMs = 0, wallDowntimeMs = 0; ///< measured on this host
  uint64_t switchoverInstructions = 0;        ///< the source's count when it stopped
  bool memoryEqual = false;                   ///< target RAM == source RAM at switch-over (checked)
  bool registersEqual = false;                ///< target registers == source registers (checked)
};

/// Starts `image` on `source`, runs it for the warm-up, and migrates it to `target` (a fresh
/// backend of the same kind), which is left stopped at the switch-over point: resume() it to
/// go on. Throws InputError when the backend lacks snapshots or a dirty log, or when the guest
/// stops before the switch-over.
Result migrate(const GuestImage &image, Backend &source, Backend &target,
               const RunConfig &runConfig, const Config &config);

} // namespace ringside::migration
