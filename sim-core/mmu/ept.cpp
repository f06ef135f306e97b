// The EPT walker. One table-driven loop over ept::kEptLevels; checks in the SDM's order:
// a not-present entry is a violation, a present entry with a reserved combination is a
// misconfiguration, and only a complete translation is checked against the access.
#include "mmu/ept.h"

#include "vmx/exit_decision.h"

#include <array>
#include <bit>

namespace ringside {

using namespace ept;

namespace {

constexpr std::array<const char *, 8> kMemoryTypeNames = {"UC", "WC", "reserved", "reserved",
                                                          "WT", "WP", "WB",       "reserved"};

static_assert(std::endian::native == std::endian::little, "EPT entries are little-endian");

template <typename Memory> bool readEntry(const Memory &memory, uint64_t pa, uint64_t &entry) {
  return memory.read(pa, &entry, sizeof entry);
}

template <typename Memory> void writeEntry(Memory &memory, uint64_t pa, uint64_t entry) {
  memory.write(pa, &entry, sizeof entry); // just read from here: cannot meet a hole
}

/// A present entry's settings the processor reserves (SDM "EPT misconfigurations").
inline bool misconfigured(uint64_t entry, const EptLevel &level, bool mapsPage,
                          const Capabilities &caps) {
  const uint64_t rwx = entry & kRwx;
  if ((rwx & kWrite) && !(rwx & kRead))
    return true; // write-only or write/execute
  if (rwx == kExecute && !caps.executeOnly)
    return true;
  if (entry & (mapsPage ? level.reservedPage : level.reservedTable))
    return true;
  return mapsPage && !memoryTypeValid((entry & kMemoryType) >> kMemoryTypeShift);
}

bool largePageSupported(const EptLevel &level, const Capabilities &caps) {
  return level.level == 1 || (level.level == 2 && caps.pages2M) ||
         (level.level == 3 && caps.pages1G);
}

void violation(EptTranslation &r, WalkEvent &event, const EptRequest &request, uint8_t allowed) {
  r.outcome = EptOutcome::Violation;
  EptAccess access;
  access.read = request.read;
  access.write = request.write;
  access.fetch = request.fetch;
  access.allowed = allowed;
  access.glaValid = request.glaValid;
  access.glaFinal = request.finalTranslation;
  r.qualification = eptViolationQualification(access);
  event.ok = false;
  event.faultCode = static_cast<uint32_t>(r.qualification);
  event.exitReason = kExitEptViolation;
}

void misconfiguration(EptTranslation &r, WalkEvent &event) {
  r.outcome = EptOutcome::Misconfig;
  event.ok = false;
  event.faultCode = 0;
  event.exitReason = kExitEptMisconfig;
}

} // namespace

const char *ept::memoryTypeName(unsigned type) {
  return type < kMemoryTypeNames.size() ? kMemoryTypeNames[type] : "reserved";
}

Eptp decodeEptp(uint64_t raw) {
  Eptp e;
  e.raw = raw;
  e.memoryType = static_cast<uint8_t>(raw & kEptpMemoryType);
  e.walkLength = static_cast<uint8_t>(((raw & kEptpWalkLength) >> kEptpWalkLengthShift) + 1);
  e.accessedDirty = (raw & kEptpAccessedDirty) != 0;
  e.root = raw & kEptpRoot;
  return e;
}

uint64_t makeEptp(uint64_t root, bool accessedDirty) {
  return (root & kEptpRoot) | uint64_t(MemoryType::WB) | (uint64_t{3} << kEptpWalkLengthShift) |
         (accessedDirty ? kEptpAccessedDirty : 0);
}

std::string eptpProblem(uint64_t raw, const Capabilities &caps) {
  const Eptp e = decodeEptp(raw);
  if (!((e.memoryType == uint8_t(MemoryType::UC) && caps.uncacheable) ||
        (e.memoryType == uint8_t(MemoryType::WB) && caps.writeBack)))
    return "EPTP bits 2:0: memory type " + std::to_string(e.memoryType) +
           " is not a supported type (UC or WB)";
  if (e.walkLength != 4 || !caps.walkLength4)
    return "EPTP bits 5:3: page-walk length " + std::to_string(e.walkLength) +
           " is not supported (4-level only)";
  if (e.accessedDirty && !caps.accessedDirty)
    return "EPTP bit 6: accessed/dirty flags are not supported";
  if (raw & kEptpReserved)
    return "EPTP: reserved bits (11:7 or above MAXPHYADDR) are set";
  return "";
}

EptResult eptTranslate(const EptContext &ctx, PhysicalMemory &host, const EptRequest &request) {
  EptResult r;
  static_cast<EptTranslation &>(r) = eptTranslate(ctx, host, request, r.event);
  return r;
}

namespace {

template <typename Memory>
EptTranslation walkEpt(const EptContext &ctx, Memory &host, const EptRequest &request,
                       WalkEvent &event) {
  EptTranslation r;
  // Every field but the steps, which are written up to stepCount (a zero-fill of the whole
  // event costs more than the rest of the walk's bookkeeping).
  event.gva = request.gpa;
  event.mode = WalkMode::Ept;
  event.purpose = WalkPurpose::Ept;
  event.write = request.write;
  event.user = false;
  event.fetch = request.fetch && !request.write;
  event.stepCount = 0;
  event.ok = false;
  event.gpa = 0;
  event.pageSize = 0;
  event.faultCode = 0;
  event.memoryRefs = 0;
  event.source = EventSource::Model;
  event.walkId = 0;
  event.exitReason = 0;

  std::array<uint64_t, 4> entryAddrs{};
  uint64_t table = ctx.eptp.root;
  uint8_t allowed = kRwx;
  uint64_t leaf = 0;
  unsigned used = 0;
  for (; used < kEptLevels.size(); ++used) {
    const EptLevel &level = kEptLevels[used];
    const auto index = static_cast<uint16_t>((request.gpa >> level.shift) & 0x1FF);
    const uint64_t entryAddr = table + uint64_t{index} * 8;
    uint64_t entry = 0;
    if (!readEntry(host, entryAddr, entry))
      entry = 0; // outside host RAM: not present (see docs/memory.md)
    entryAddrs[used] = entryAddr;
    event.steps[event.stepCount++] = WalkStep{level.level, table, index, entry};
    ++event.memoryRefs;

    allowed &= static_cast<uint8_t>(entry & kRwx);
    if (!(entry & kRwx)) {
      violation(r, event, request, allowed);
      return r;
    }
    const bool mapsPage = level.canMapPage && (level.level == 1 || (entry & kLargePage));
    // Bit 7 is reserved where that page size is not supported.
    if ((mapsPage && !largePageSupported(level, ctx.caps)) ||
        misconfigured(entry, level, mapsPage, ctx.caps)) {
      misconfiguration(r, event);
      return r;
    }
    if (mapsPage) {
      leaf = entry;
      r.pageSize = uint64_t{1} << level.shift;
      break;
    }
    table = entry & kAddrMask;
  }

  r.permissions = allowed;
  if ((request.read && !(allowed & kRead)) || (request.write && !(allowed & kWrite)) ||
      (request.fetch && !(allowed & kExecute))) {
    violation(r, event, request, allowed);
    return r;
  }

  if (ctx.eptp.accessedDirty) {
    for (unsigned i = 0; i <= used; ++i) {
      const uint64_t before = event.steps[i].entry;
      uint64_t after = before | kAccessed;
      if (i == used && request.write)
        after |= kDirty;
      if (after != before)
        writeEntry(host, entryAddrs[i], after);
    }
  }

  const uint64_t pageBase = leaf & kAddrMask & ~(r.pageSize - 1);
  r.hpa = pageBase | (request.gpa & (r.pageSize - 1));
  r.memoryType = static_cast<uint8_t>((leaf & kMemoryType) >> kMemoryTypeShift);
  r.ignorePat = (leaf & kIgnorePat) != 0;
  event.ok = true;
  event.gpa = r.hpa; // for an EPT walk the result is host-physical
  event.pageSize = r.pageSize;
  return r;
}

} // namespace

EptTranslation eptTranslate(const EptContext &ctx, PhysicalMemory &host, const EptRequest &request,
                            WalkEvent &event) {
  return walkEpt(ctx, host, request, event);
}

EptTranslation eptTranslate(const EptContext &ctx, HostMemory &host, const EptRequest &request,
                            WalkEvent &event) {
  return walkEpt(ctx, host, request, event);
}

} // namespace ringside
