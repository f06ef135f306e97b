#pragma once
// fuzz_ept_walker: bytes → EPT capabilities, an EPTP, a request and folded host memory →
// eptTranslate(); then the same memory as a guest's tables → walk2D(). Byte layout: caps (1),
// request flags (1), RAM-size byte (1), guest mode (1), EPTP (8), GPA (8), guest CR3 (8), GVA (8),
// then memory. Invariants: ok ⇒ a page of a supported size holding the GPA's offset, the access
// allowed and a valid memory type; a violation's qualification is exactly the access, the AND-ed
// permissions and the GLA bits; a misconfiguration ends on a present entry; nothing written
// unless A/D flags are on and the walk succeeded; a 2-D walk never makes more than 24 table
// references (+1 data) whatever the tables hold.
#include "fuzz_input.h"
#include "fuzz_page_walker.h"
#include "mmu/ept.h"
#include "mmu/walk_2d.h"

namespace ringside::fuzz {

inline void checkEpt(const EptResult &r, const EptRequest &q, const ept::Capabilities &caps,
                     const Eptp &eptp) {
  const WalkEvent &e = r.event;
  check(e.stepCount >= 1 && e.stepCount <= 4, "an EPT walk reads 1 to 4 entries");
  check(e.memoryRefs == e.stepCount, "memory_refs differs from the steps");
  check(e.mode == WalkMode::Ept && e.gva == q.gpa, "EPT event header");
  const uint64_t last = e.steps[e.stepCount - 1].entry;
  if (r.ok()) {
    const uint64_t size = r.pageSize;
    check(size == 4096 || (size == 2u << 20 && caps.pages2M) || (size == 1u << 30 && caps.pages1G),
          "page size " + std::to_string(size) + " not allowed");
    check(((r.hpa ^ q.gpa) & (size - 1)) == 0, "page offset changed");
    check(!(q.read && !(r.permissions & 1)) && !(q.write && !(r.permissions & 2)) &&
              !(q.fetch && !(r.permissions & 4)),
          "access allowed without the permission");
    check(ept::memoryTypeValid(r.memoryType), "reserved memory type accepted");
    check(e.ok && e.gpa == r.hpa && e.exitReason == 0, "event disagrees with the result");
    return;
  }
  check(!e.ok, "failed walk recorded as ok");
  if (r.outcome == EptOutcome::Misconfig) {
    check(e.exitReason == kExitEptMisconfig && r.qualification == 0, "misconfiguration fields");
    check((last & 7) != 0, "misconfiguration on a not-present entry");
    return;
  }
  check(e.exitReason == kExitEptViolation, "violation reason");
  const uint64_t qual = r.qualification;
  check((qual & 7) == (uint64_t(q.read) | uint64_t(q.write) << 1 | uint64_t(q.fetch) << 2),
        "qualification bits 2:0 differ from the access");
  check(((qual >> 3) & 7) == r.permissions, "qualification bits 5:3 differ from the permissions");
  check(((qual >> 7) & 1) == q.glaValid, "qualification bit 7");
  check(((qual >> 8) & 1) == (q.glaValid && q.finalTranslation), "qualification bit 8");
  check((qual & ~uint64_t{0x1BF}) == 0, "qualification bits beyond 8 (or bit 6) set");
  check((last & 7) == 0 || (q.read && !(r.permissions & 1)) || (q.write && !(r.permissions & 2)) ||
            (q.fetch && !(r.permissions & 4)),
        "violation without a not-present entry or a missing permission");
  (void)eptp;
}

inline int fuzzEptWalker(const uint8_t *data, size_t size) {
  FuzzInput in(data, size);
  const auto capBits = in.take<uint8_t>();
  const auto reqBits = in.take<uint8_t>();
  const auto ramBits = in.take<uint8_t>();
  const auto guestBits = in.take<uint8_t>();
  ept::Capabilities caps;
  caps.executeOnly = capBits & 1;
  caps.pages2M = capBits & 2;
  caps.pages1G = capBits & 4;
  const bool ad = capBits & 8;
  const uint64_t eptp = (in.take<uint64_t>() & ~uint64_t{0xFFF} & ept::kEptpRoot) | 0x1E |
                        (ad ? ept::kEptpAccessedDirty : 0);
  EptRequest q;
  q.gpa = in.take<uint64_t>() & paging::bitRange(47, 0);
  q.write = reqBits & 1;
  q.fetch = !q.write && (reqBits & 2);
  q.read = !q.write && !q.fetch;
  q.glaValid = reqBits & 4;
  q.finalTranslation = reqBits & 8;
  const uint64_t cr3 = in.take<uint64_t>();
  const uint64_t gva = in.take<uint64_t>();
  const uint64_t ramLimit = uint64_t{1} << (20 + ramBits % 24);

  FoldedMemory memory(in.rest(), ramLimit);
  const EptContext ctx(eptp, caps);
  const EptResult r = eptTranslate(ctx, memory, q);
  checkEpt(r, q, caps, ctx.eptp);
  if (!r.ok() || !ad)
    check(memory.writes() == 0, "EPT entries written without A/D flags or on a failed walk");

  // The same bytes as a guest's tables under that EPT: bounded work, consistent outcome.
  PagingState guest;
  if (guestBits & 3) {
    guest.cr0 = 0x80000001 | ((guestBits & 4) ? 1u << 16 : 0);
    guest.cr4 = (guestBits & 3) >= 2 ? 1u << 5 : 0;
    guest.efer = (guestBits & 3) == 3 ? (1u << 8) | (1u << 10) | (1u << 11) : 0;
  }
  guest.cr3 = cr3;
  const Access access{(guestBits & 0x10) != 0, (guestBits & 0x20) != 0, (guestBits & 0x40) != 0};
  const Walk2D w = walk2D(guest, ctx, memory, gva, access, 1, (guestBits & 0x80) != 0);
  check(w.tableRefs() <= 24, "a 2-D walk made " + std::to_string(w.tableRefs()) + " references");
  check(w.eptCount <= 5 || (w.eptCount == 6 && w.outcome == Walk2DOutcome::EptViolation),
        "more EPT walks than guest levels + 1");
  check(w.ok() == (w.outcome == Walk2DOutcome::Ok), "ok() disagrees with the outcome");
  if (w.ok())
    check(((w.hpa ^ gva) & 0xFFF) == 0, "2-D walk changed the page offset");
  if (w.outcome == Walk2DOutcome::PageFault)
    check(w.guest.cr2 == gva, "#PF without CR2 = the address");
  return 0;
}

} // namespace ringside::fuzz
