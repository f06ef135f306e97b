#include "core/synthetic_trace.h"

#include "platform/layout.h"
#include "vmx/vmcs_fields.h"

#include <iterator>

namespace ringside::desktop {

namespace {

/// One round: what a guest system call followed by a console write looks like in a trace.
std::vector<EventBody> makeRound(uint64_t i) {
  const uint64_t rip = 0x401000 + (i % 64) * 4;
  WalkEvent walk;
  walk.gva = 0x400000 + (i % 512) * 0x1000;
  walk.mode = WalkMode::Long4;
  walk.purpose = WalkPurpose::Shadow;
  walk.stepCount = 4;
  for (uint8_t l = 0; l < 4; ++l)
    walk.steps[l] = WalkStep{static_cast<uint8_t>(4 - l), 0x10000u + l * 0x1000u,
                             static_cast<uint16_t>((i + l) % 512), 0x20007u + l * 0x1000u};
  walk.ok = true;
  walk.gpa = 0x200000 + (i % 512) * 0x1000;
  walk.pageSize = 4096;
  walk.memoryRefs = 4;
  const char ch = static_cast<char>('a' + i % 26);
  std::vector<EventBody> out;
  if (i % 2) { // every other round the fault's walk is a cold 2-D walk: five EPT walks, then
               // the guest walk (24 references), as walk events sharing a walk id
    WalkEvent ept;
    ept.mode = WalkMode::Ept;
    ept.purpose = WalkPurpose::Ept;
    ept.stepCount = 4;
    ept.ok = true;
    ept.pageSize = 4096;
    ept.memoryRefs = 4;
    ept.walkId = static_cast<uint32_t>(i + 1);
    for (int w = 0; w < 5; ++w) {
      ept.gva = w < 4 ? walk.steps[static_cast<std::size_t>(w)].tableAddr : walk.gpa;
      ept.gpa = ept.gva + 0x10000000;
      for (uint8_t l = 0; l < 4; ++l)
        ept.steps[l] = WalkStep{static_cast<uint8_t>(4 - l), 0x90000u + l * 0x1000u,
                                static_cast<uint16_t>((ept.gva >> (39 - 9 * l)) & 511),
                                0x91007u + l * 0x1000u};
      out.emplace_back(ept);
    }
    walk.purpose = WalkPurpose::GuestTables;
    walk.walkId = ept.walkId;
  }
  out.emplace_back(walk);
  std::vector<EventBody> rest = {
      RingEvent{3, 0, RingCause::Interrupt, rip + 0x100, EventSource::Model},
      ExceptionEvent{14, true, 4, rip, walk.gva, false},
      ExitEvent{0, 14, rip, 0, EventSource::Model},
      VmcsEvent{vmcs::ExitReason, 30, 0},
      VmcsEvent{vmcs::ExitQualification, 0, walk.gva},
      TlbEvent{TlbOp::Miss, walk.gva, 0, 0},
      EntryEvent{rip, true, 14},
      RingEvent{0, 3, RingCause::Iret, rip, EventSource::Model},
      IoEvent{0xE9, 1, true, static_cast<uint32_t>(ch), 1, rip + 2, EventSource::Model},
      ExitEvent{30, 0xE90000, rip + 2, 1, EventSource::Model},
      VmcsEvent{vmcs::GuestRip, rip, rip + 2},
      ConsoleEvent{0xE9, std::string(1, i % 40 == 39 ? '\n' : ch)},
      MmioEvent{layout::kVgaBase + (i % 2000) * 2, 2, true,
                static_cast<uint64_t>(0x1F00 | static_cast<unsigned char>(ch)), 1,
                EventSource::Model},
      EntryEvent{rip + 3, false, 0},
      TlbEvent{TlbOp::Hit, walk.gva, walk.gpa, 4096},
  };
  // The walks come after the exit information, then the fill, then the rest of the round.
  std::vector<EventBody> round(rest.begin(), rest.begin() + 6);
  for (auto &w : out)
    round.push_back(std::move(w));
  round.emplace_back(TlbEvent{TlbOp::Fill, walk.gva, walk.gpa, 4096});
  round.insert(round.end(), std::make_move_iterator(rest.begin() + 6),
               std::make_move_iterator(rest.end()));
  return round;
}

} // namespace

std::vector<Event> makeSyntheticTrace(std::size_t count) {
  std::vector<Event> events;
  if (count == 0)
    return events;
  events.reserve(count);
  uint64_t icount = 0;
  events.push_back(Event{0, 0, RingEvent{0, 3, RingCause::Start, 0x401000, EventSource::Model}});
  for (uint64_t r = 0; events.size() + 1 < count; ++r) {
    for (auto &body : makeRound(r)) {
      if (events.size() + 1 >= count)
        break;
      icount += 3;
      events.push_back(Event{events.size(), icount, std::move(body)});
    }
  }
  events.push_back(Event{events.size(), icount, StopEvent{StopKind::Budget, 0, "synthetic"}});
  return events;
}

} // namespace ringside::desktop
