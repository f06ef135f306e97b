// KvmMmuModel on its own, over a RAM image built here (no /dev/kvm needed): the model never
// writes the RAM it is given, makes the textbook 2-D walk, and finds guest table edits made
// between two observations.
#include "kvm_mmu_model.h"
#include "mmu/host_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace ringside::kvm {
namespace {

constexpr uint64_t kPml4 = 0x1000, kPdpt = 0x2000, kPd = 0x3000, kPt = 0x4000;
constexpr uint64_t kVa = 0x400000; // PD[2] -> PT, PT[0] -> 0x5000
const PagingState kLongMode{0x80000001, kPml4, 0x20, 0x500};

struct Guest {
  std::vector<uint8_t> ram = std::vector<uint8_t>(1 << 20);
  void set(uint64_t pa, uint64_t entry) { std::memcpy(ram.data() + pa, &entry, 8); }
  uint64_t get(uint64_t pa) const {
    uint64_t e = 0;
    std::memcpy(&e, ram.data() + pa, 8);
    return e;
  }
  Guest() {
    set(kPml4, kPdpt | 3);
    set(kPdpt, kPd | 3);
    set(kPd + 2 * 8, kPt | 3);
    set(kPt, 0x5000 | 3);
  }
  /// The guest's walk as the backend records it: over the RAM, read-only.
  WalkEvent walk(uint64_t va) {
    HostMemory view;
    view.addExternalRegion(0, ram.data(), ram.size());
    return translate(kLongMode, view, va, Access{false, false, true}, false).event;
  }
};

struct Recorded {
  std::vector<WalkEvent> walks;
  KvmMmuModel::Recorder recorder() {
    return [this](EventBody b) { walks.push_back(std::get<WalkEvent>(b)); };
  }
};

TEST(KvmMmuModelUnitTest, EptWalkIs24ReferencesAndLeavesTheGuestsRamAlone) {
  Guest g;
  const std::vector<uint8_t> before = g.ram;
  Recorded r;
  KvmMmuModel model(MmuMode::Ept, g.ram, r.recorder());
  model.observe(kLongMode, kVa, Access{false, false, true}, g.walk(kVa));
  unsigned refs = 0;
  for (const WalkEvent &w : r.walks) {
    EXPECT_EQ(w.source, EventSource::Model);
    EXPECT_EQ(w.walkId, r.walks.front().walkId);
    refs += w.memoryRefs;
  }
  EXPECT_EQ(r.walks.size(), 6u);
  EXPECT_EQ(refs, 24u);
  EXPECT_EQ(model.counters().at("walk_refs"), 24u);
  // The modelled 2-D walk sets Accessed bits in the tables it uses (MmuModel), in the model's
  // copy only: the guest's RAM is as it was.
  EXPECT_TRUE(g.ram == before);
}

TEST(KvmMmuModelUnitTest, TableEditsBetweenObservationsAreFoundAccessedDirtyIgnored) {
  Guest g;
  Recorded r;
  KvmMmuModel model(MmuMode::Shadow, g.ram, r.recorder());
  model.observe(kLongMode, kVa, Access{false, false, true}, g.walk(kVa));
  EXPECT_EQ(model.counters().at("hidden_faults"), 1u);

  g.set(kPt, g.get(kPt) | 0x60); // what KVM's own walker writes: not a guest edit
  model.observe(kLongMode, kVa + 0x1000, Access{false, false, true}, g.walk(kVa + 0x1000));
  EXPECT_EQ(model.counters().at("guest_table_entries_changed"), 0u);
  EXPECT_EQ(model.counters().at("true_faults"), 1u) << "PT[1] is not present";

  g.set(kPt + 8, 0x6000 | 3); // the guest maps PT[1] in a table the shadow write-protects
  model.observe(kLongMode, kVa + 0x1000, Access{false, false, true}, g.walk(kVa + 0x1000));
  const auto c = model.counters();
  EXPECT_EQ(c.at("guest_table_entries_changed"), 1u);
  EXPECT_EQ(c.at("shadow_resyncs"), 1u);
  EXPECT_EQ(c.at("hidden_faults"), 2u) << "the new mapping, seen through fresh shadows";
  EXPECT_EQ(c.at("observations"), 3u);
}

TEST(KvmMmuModelUnitTest, ModeNames) {
  EXPECT_FALSE(kvmMmuMode("native"));
  EXPECT_FALSE(kvmMmuMode(""));
  EXPECT_EQ(kvmMmuMode("ept"), MmuMode::Ept);
  EXPECT_EQ(kvmMmuMode("shadow"), MmuMode::Shadow);
  EXPECT_ANY_THROW(kvmMmuMode("nested"));
}

} // namespace
} // namespace ringside::kvm
