// The guest page walker (Intel SDM vol. 3, ch. 4). One table-driven loop serves all three
// modes; the per-mode facts live in paging_bits.h.
//
// Deliberate simplifications, each documented where it matters:
// - SMEP, SMAP and protection keys are not modelled: supervisor accesses to user pages are allowed.
// - PAE PDPTEs are read from memory on every walk (the CPU caches them at MOV CR3), and a
//   reserved bit in one is reported as a #PF with RSVD (the CPU would #GP at the CR3 load).
// - A table entry whose read fails (not RAM) is treated as an all-zero, not-present entry, so the
//   guest sees #PF rather than the simulator stopping; the step is still recorded with entry 0.
// - Canonical-address checks (#GP) are translateLinear's; translate() uses VA bits 47:0.
#include "mmu/page_walker.h"

#include "mmu/paging_bits.h"

#include <array>
#include <bit>

namespace ringside {

using namespace paging;

namespace {

const ModeFormat &formatFor(PagingMode mode) {
  switch (mode) {
  case PagingMode::Pae:
    return kPaeFormat;
  case PagingMode::Long4:
    return kLong4Format;
  default:
    return kBits32Format;
  }
}

// Entries are little-endian in guest memory, as on the (x86-64) hosts Ringside builds for, so a
// plain copy is the entry's value.
static_assert(std::endian::native == std::endian::little, "paging entries are little-endian");

bool readEntry(const PhysicalMemory &memory, uint64_t pa, unsigned bytes, uint64_t &entry) {
  entry = 0;
  return memory.read(pa, &entry, bytes);
}

void writeEntry(PhysicalMemory &memory, uint64_t pa, unsigned bytes, uint64_t entry) {
  // The entry was just read from this address, so the write cannot meet a hole in RAM.
  memory.write(pa, &entry, bytes);
}

/// The error-code bits that describe the access itself (SDM 4.7). I/D is reported only when
/// execute-disable exists, i.e. PAE or 4-level paging with EFER.NXE=1 (SMEP is not modelled).
uint32_t accessBits(const Access &access, const ModeFormat &format, bool nxe) {
  uint32_t code = 0;
  if (access.write)
    code |= pf::Write;
  if (access.user)
    code |= pf::User;
  if (access.fetch && format.hasXd && nxe)
    code |= pf::Fetch;
  return code;
}

void fail(Translation &t, uint32_t errorCode) {
  t.ok = false;
  t.errorCode = errorCode;
  t.cr2 = t.event.gva;
  t.event.ok = false;
  t.event.faultCode = errorCode;
}

/// Whether the effective rights allow the access (SDM 4.6).
bool permitted(const Access &access, bool writable, bool user, bool executeDisabled, bool wp) {
  if (access.user && !user)
    return false;
  // User writes always need R/W; supervisor writes only when CR0.WP=1.
  if (access.write && !writable && (access.user || wp))
    return false;
  return !(access.fetch && executeDisabled);
}

void identity(const PagingState &state, uint64_t va, Translation &t) {
  // Without paging, linear = physical; outside long mode addresses are 32 bits wide.
  const uint64_t pa = (state.efer & kEferLma) ? va : (va & bitRange(31, 0));
  t.ok = true;
  t.pa = pa;
  t.pageBase = pa & ~uint64_t{0xFFF};
  t.pageSize = 4096;
  t.writable = t.user = t.executable = true;
  t.event.ok = true;
  t.event.gpa = pa;
  t.event.pageSize = 4096;
}

} // namespace

PagingMode pagingMode(const PagingState &state) {
  if (!(state.cr0 & kCr0Pg))
    return PagingMode::None;
  // LMA is what the CPU sets once LME and PG are both on, so it alone selects 4-level paging.
  if (state.efer & kEferLma)
    return PagingMode::Long4;
  return (state.cr4 & kCr4Pae) ? PagingMode::Pae : PagingMode::Bits32;
}

Translation translate(const PagingState &state, PhysicalMemory &memory, uint64_t va, Access access,
                      bool updateAccessedDirty) {
  Translation t;
  translateInto(state, memory, va, access, updateAccessedDirty, t);
  return t;
}

void translateInto(const PagingState &state, PhysicalMemory &memory, uint64_t va, Access access,
                   bool updateAccessedDirty, Translation &t) {
  WalkEvent &event = t.event;
  event.gva = va;
  event.purpose = WalkPurpose::GuestTables;
  event.write = access.write;
  event.user = access.user;
  event.fetch = access.fetch;

  const PagingMode mode = pagingMode(state);
  if (mode == PagingMode::None) {
    identity(state, va, t); // WalkMode has no "none"; the event keeps Bits32, no steps
    return;
  }

  const ModeFormat &format = formatFor(mode);
  event.mode = format.mode;
  const bool nxe = format.hasXd && (state.efer & kEferNxe);
  const bool pse = (state.cr4 & kCr4Pse) != 0;
  const uint32_t accessCode = accessBits(access, format, nxe);

  std::array<uint64_t, 4> entryAddrs{};
  uint64_t table = state.cr3 & format.rootMask;
  bool writable = true, user = true, executeDisabled = false;
  uint64_t leaf = 0, pageSize = 0;
  unsigned used = 0;

  for (; used < format.levelCount; ++used) {
    const LevelFormat &level = format.levels[used];
    const auto index = static_cast<uint16_t>((va >> level.shift) & ((1u << level.indexBits) - 1));
    const uint64_t entryAddr = table + uint64_t{index} * format.entryBytes;
    uint64_t entry = 0;
    if (!readEntry(memory, entryAddr, format.entryBytes, entry))
      entry = 0; // unbacked table memory reads as a not-present entry (see the file comment)
    entryAddrs[used] = entryAddr;
    event.steps[event.stepCount++] = WalkStep{level.level, table, index, entry};
    ++event.memoryRefs;

    if (!(entry & kPresent)) {
      fail(t, accessCode);
      return;
    }
    const bool mapsPage = level.canMapPage && (entry & kPageSize) && (!level.pageNeedsPse || pse);
    uint64_t reserved = level.reserved | (mapsPage ? level.reservedPage : 0);
    if (format.hasXd && !nxe)
      reserved |= kExecuteDisable;
    if (entry & reserved) {
      fail(t, pf::Present | pf::Reserved | accessCode);
      return;
    }

    if (level.hasFlags) {
      writable = writable && (entry & kWritable);
      user = user && (entry & kUser);
    }
    if (nxe && (entry & kExecuteDisable))
      executeDisabled = true;

    if (mapsPage || level.level == 1) {
      leaf = entry;
      pageSize = uint64_t{1} << level.shift;
      break;
    }
    table = entry & format.addrMask;
  }

  if (!permitted(access, writable, user, executeDisabled, (state.cr0 & kCr0Wp) != 0)) {
    fail(t, pf::Present | accessCode);
    return;
  }

  uint64_t pageBase = leaf & format.addrMask & ~(pageSize - 1);
  if (format.pse36 && pageSize > 4096)
    pageBase = (leaf & bitRange(31, 22)) | ((leaf & bitRange(20, 13)) << 19);

  bool dirty = (leaf & kDirty) != 0;
  if (updateAccessedDirty) {
    for (unsigned i = 0; i <= used; ++i) {
      if (!format.levels[i].hasFlags)
        continue; // PAE PDPTEs have no Accessed bit
      const uint64_t before = event.steps[i].entry;
      uint64_t after = before | kAccessed;
      if (i == used && access.write)
        after |= kDirty;
      if (after != before)
        writeEntry(memory, entryAddrs[i], format.entryBytes, after);
    }
    dirty = dirty || access.write;
  }

  t.ok = true;
  t.pageBase = pageBase;
  t.pageSize = pageSize;
  t.pa = pageBase | (va & (pageSize - 1));
  t.writable = writable;
  t.user = user;
  t.executable = !executeDisabled;
  t.dirty = dirty;
  event.ok = true;
  event.gpa = t.pa;
  event.pageSize = pageSize;
}

Translation translateLinear(const PagingState &state, PhysicalMemory &memory, uint64_t va,
                            Access access, bool updateAccessedDirty) {
  Translation t;
  translateLinearInto(state, memory, va, access, updateAccessedDirty, t);
  return t;
}

void translateLinearInto(const PagingState &state, PhysicalMemory &memory, uint64_t va,
                         Access access, bool updateAccessedDirty, Translation &t) {
  if ((state.efer & kEferLma) && !isCanonical48(va)) {
    t.generalProtection = true;
    t.event.gva = va;
    t.event.mode = pagingMode(state) == PagingMode::Long4 ? WalkMode::Long4 : WalkMode::Bits32;
    t.event.write = access.write;
    t.event.user = access.user;
    t.event.fetch = access.fetch;
    return;
  }
  translateInto(state, memory, va, access, updateAccessedDirty, t);
}

} // namespace ringside
