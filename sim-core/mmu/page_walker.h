#pragma once
// The guest page walker: 32-bit, PAE and 4-level paging as the Intel SDM (vol. 3, ch. 4)
// defines them. It records every entry it reads so views can animate the walk, and it is the
// walker the emu backend's shadow MMU fills from.
#include "trace/events.h"

#include <cstddef>
#include <cstdint>

namespace ringside {

/// Guest-physical memory as the walker sees it.
class PhysicalMemory {
public:
  virtual ~PhysicalMemory() = default;
  /// Reads n bytes at pa; false when pa is not backed by RAM.
  virtual bool read(uint64_t pa, void *dst, size_t n) const = 0;
  /// Writes n bytes at pa (used to set Accessed/Dirty bits); false when not RAM.
  virtual bool write(uint64_t pa, const void *src, size_t n) = 0;
};

/// The control registers that select and configure paging.
struct PagingState {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, efer = 0;
};

enum class PagingMode : uint8_t { None, Bits32, Pae, Long4 };
PagingMode pagingMode(const PagingState &state);

struct Access {
  bool write = false;
  bool user = false;  ///< CPL 3 access
  bool fetch = false; ///< instruction fetch
};

/// #PF error-code bits (SDM 4.7).
namespace pf {
inline constexpr uint32_t Present = 1u << 0;
inline constexpr uint32_t Write = 1u << 1;
inline constexpr uint32_t User = 1u << 2;
inline constexpr uint32_t Reserved = 1u << 3;
inline constexpr uint32_t Fetch = 1u << 4;
} // namespace pf

struct Translation {
  bool ok = false;
  uint64_t pa = 0;        ///< physical address of `va` when ok
  uint64_t pageBase = 0;  ///< physical base of the page
  uint64_t pageSize = 0;  ///< 4 KiB, 2 MiB, 4 MiB or 1 GiB
  bool writable = false;  ///< effective R/W over all levels
  bool user = false;      ///< effective U/S over all levels
  bool executable = true; ///< false when any level has XD set and EFER.NXE=1
  bool dirty = false;     ///< the leaf's D bit (after this walk's updates)
  uint32_t errorCode = 0; ///< #PF error code when !ok
  uint64_t cr2 = 0;       ///< the faulting linear address the #PF loads into CR2, when !ok
  /// #GP instead of #PF: a non-canonical address under 4-level paging (translateLinear only;
  /// no entry is read and errorCode is 0).
  bool generalProtection = false;
  WalkEvent event; ///< the walk, step by step, ready to record in the trace
};

/// Translates `va` for `access`. With paging off (CR0.PG=0) it is the identity with no steps.
/// A translation fails (ok=false, errorCode set) exactly when the CPU would raise #PF.
/// When `updateAccessedDirty`, sets A on every entry used and D on the leaf for writes,
/// as the CPU does, but only for a walk that succeeds.
Translation translate(const PagingState &state, PhysicalMemory &memory, uint64_t va, Access access,
                      bool updateAccessedDirty = true);

/// translate() into `out`, which must be a default-constructed Translation: for callers that
/// keep the result inside a larger object (a copy of a walk costs as much as the walk).
void translateInto(const PagingState &state, PhysicalMemory &memory, uint64_t va, Access access,
                   bool updateAccessedDirty, Translation &out);

/// Bits 63:47 all equal (4-level paging's 48-bit linear addresses).
constexpr bool isCanonical48(uint64_t va) {
  const uint64_t top = va >> 47;
  return top == 0 || top == 0x1FFFF;
}

/// translate() preceded by the check the CPU makes before any walk: in IA-32e mode a
/// non-canonical address is a #GP (generalProtection set, no steps), never a #PF.
Translation translateLinear(const PagingState &state, PhysicalMemory &memory, uint64_t va,
                            Access access, bool updateAccessedDirty = true);
void translateLinearInto(const PagingState &state, PhysicalMemory &memory, uint64_t va,
                         Access access, bool updateAccessedDirty, Translation &out);

} // namespace ringside
