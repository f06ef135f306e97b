#pragma once
// The EPT model: the EPT pointer and the EPT walker (Intel SDM vol. 3C, "VMX support for address
// translation"). One walk translates one guest-physical address and records each EPT entry it
// read as a `walk` event (mode and purpose `ept`). A failed walk is an EPT violation (exit
// reason 48, with the exit qualification exactly as the processor writes it) or an EPT
// misconfiguration (49).
#include "mmu/ept_bits.h"
#include "mmu/host_memory.h"
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <cstdint>
#include <string>

namespace ringside {

inline constexpr uint16_t kExitEptViolation = 48;
inline constexpr uint16_t kExitEptMisconfig = 49;

/// The fields of an EPT pointer.
struct Eptp {
  uint64_t raw = 0;
  uint8_t memoryType = 0; ///< for reads of the EPT tables themselves
  uint8_t walkLength = 0; ///< levels (the field holds levels − 1)
  bool accessedDirty = false;
  uint64_t root = 0; ///< host-physical address of the EPT PML4 table
};
Eptp decodeEptp(uint64_t raw);
/// Builds an EPTP: write-back, 4-level, A/D flags as asked.
uint64_t makeEptp(uint64_t root, bool accessedDirty);
/// Why VM entry would reject this EPTP ("" when it is valid): unsupported memory type or walk
/// length, A/D without the capability, reserved bits.
std::string eptpProblem(uint64_t raw, const ept::Capabilities &caps = {});

/// The access being translated. Guest paging-structure reads are data reads (treated as
/// writes too when EPT A/D flags are on, as the SDM says).
struct EptRequest {
  uint64_t gpa = 0;
  bool read = false, write = false, fetch = false;
  /// Bit 7 of the qualification: a guest-linear address was being translated (false for
  /// PAE PDPTE loads at MOV CR3 and for accesses that use no linear address).
  bool glaValid = true;
  /// Bit 8: the access was to the linear address's final translation (false: to a guest
  /// paging-structure entry).
  bool finalTranslation = true;
};

enum class EptOutcome : uint8_t { Ok, Violation, Misconfig };

/// What an EPT walk decided (EptResult adds the walk itself).
struct EptTranslation {
  EptOutcome outcome = EptOutcome::Ok;
  uint64_t hpa = 0;
  uint64_t pageSize = 0;      ///< 4 KiB, 2 MiB or 1 GiB when ok
  uint8_t permissions = 0;    ///< R/W/X (bits 0-2) AND-ed over the entries read
  uint8_t memoryType = 0;     ///< the leaf's EPT memory type when ok
  bool ignorePat = false;     ///< the leaf's IPAT bit
  uint64_t qualification = 0; ///< exit qualification for a violation (0 for a misconfiguration)
  bool ok() const { return outcome == EptOutcome::Ok; }
};

struct EptResult : EptTranslation {
  WalkEvent event; ///< the walk, every entry read (mode/purpose ept, gva = the GPA)
};

/// A VMM's EPT: its pointer and the processor's capabilities.
struct EptContext {
  Eptp eptp;
  ept::Capabilities caps;
  explicit EptContext(uint64_t rawEptp, ept::Capabilities c = {})
      : eptp(decodeEptp(rawEptp)), caps(c) {}
};

/// Translates one guest-physical address through EPT tables in host memory. With EPT A/D
/// flags on, a successful walk sets A in every entry used and D in the leaf for writes.
/// An entry whose read fails (not host RAM) counts as not present (an EPT violation). Work is
/// bounded by the four levels whatever the tables hold.
EptResult eptTranslate(const EptContext &ept, PhysicalMemory &host, const EptRequest &request);
/// The same walk, recorded into `event` (which it resets): for callers that keep many walks.
EptTranslation eptTranslate(const EptContext &ept, PhysicalMemory &host, const EptRequest &request,
                            WalkEvent &event);
/// The same for the models' own host memory, without a virtual call per entry (the 2-D walk
/// makes up to 20 of them per translation).
EptTranslation eptTranslate(const EptContext &ept, HostMemory &host, const EptRequest &request,
                            WalkEvent &event);

} // namespace ringside
