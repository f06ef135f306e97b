// The virtio-style devices over a plain buffer of "guest RAM": a batch per notification,
// completion in the used ring, the block disk, and malformed queues stopping the device with a
// message instead of crashing or looping.
#include "platform/platform.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace ringside {
namespace {

class Ram : public PhysicalMemory {
public:
  std::vector<uint8_t> bytes = std::vector<uint8_t>(0x10000, 0);
  bool read(uint64_t pa, void *dst, size_t n) const override {
    if (pa > bytes.size() || n > bytes.size() - pa)
      return false;
    std::memcpy(dst, bytes.data() + pa, n);
    return true;
  }
  bool write(uint64_t pa, const void *src, size_t n) override {
    if (pa > bytes.size() || n > bytes.size() - pa)
      return false;
    std::memcpy(bytes.data() + pa, src, n);
    return true;
  }
  template <typename T> void put(uint64_t pa, T v) { std::memcpy(bytes.data() + pa, &v, sizeof v); }
  template <typename T> T get(uint64_t pa) const {
    T v;
    std::memcpy(&v, bytes.data() + pa, sizeof v);
    return v;
  }
  void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next = 0) {
    put<uint64_t>(kDesc + 16 * i, addr);
    put<uint32_t>(kDesc + 16 * i + 8, len);
    put<uint16_t>(kDesc + 16 * i + 12, flags);
    put<uint16_t>(kDesc + 16 * i + 14, next);
  }
  /// Makes heads available and returns the new available index.
  uint16_t offer(std::initializer_list<uint16_t> heads) {
    auto idx = get<uint16_t>(kAvail + 2);
    for (uint16_t h : heads)
      put<uint16_t>(kAvail + 4 + 2 * (idx++ % 64), h);
    put<uint16_t>(kAvail + 2, idx);
    return idx;
  }
  static constexpr uint64_t kDesc = 0x1000, kAvail = 0x2000, kUsed = 0x3000;
};

struct Rig {
  Trace trace;
  Platform platform{trace};
  Ram ram;
  explicit Rig(uint16_t base) {
    platform.attachMemory(&ram);
    platform.portWrite(0, base + virtio_reg::kQueueDesc, 4, Ram::kDesc);
    platform.portWrite(0, base + virtio_reg::kQueueAvail, 4, Ram::kAvail);
    platform.portWrite(0, base + virtio_reg::kQueueUsed, 4, Ram::kUsed);
  }
};

constexpr uint16_t kCon = layout::kVirtioConsoleBase, kBlk = layout::kVirtioBlockBase;

TEST(Virtio, RegistersIdentifyTheDevices) {
  Trace trace;
  Platform p(trace);
  EXPECT_EQ(p.portRead(0, kCon + virtio_reg::kDeviceId, 4), 3u);
  EXPECT_EQ(p.portRead(0, kBlk + virtio_reg::kDeviceId, 4), 2u);
  EXPECT_EQ(p.portRead(0, kCon + virtio_reg::kQueueSize, 4), 64u);
  EXPECT_EQ(p.portRead(0, kBlk + virtio_reg::kCapacity, 4), layout::kVirtioDiskSectors);
  EXPECT_EQ(p.portRead(0, kCon + virtio_reg::kStatus, 4), 0u);
}

TEST(Virtio, ConsoleSendsAWholeBatchOnOneNotification) {
  Rig r(kCon);
  std::memcpy(r.ram.bytes.data() + 0x4000, "0123456789abcdef", 16);
  std::memcpy(r.ram.bytes.data() + 0x4100, "!?", 2);
  r.ram.desc(0, 0x4000, 10, kVirtqDescNext, 1); // a chain of two buffers …
  r.ram.desc(1, 0x400A, 6, 0);
  r.ram.desc(2, 0x4100, 2, 0); // … and a second chain
  r.ram.offer({0, 2});
  r.platform.portWrite(7, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_EQ(r.platform.console(), "0123456789abcdef!?");
  EXPECT_EQ(r.ram.get<uint16_t>(Ram::kUsed + 2), 2);   // used.idx
  EXPECT_EQ(r.ram.get<uint32_t>(Ram::kUsed + 4), 0u);  // first used entry: head 0 …
  EXPECT_EQ(r.ram.get<uint32_t>(Ram::kUsed + 12), 2u); // … second: head 2
  ASSERT_EQ(r.trace.events().size(), 1u); // one console event for the batch, from the device
  auto c = std::get<ConsoleEvent>(r.trace.events()[0].body);
  EXPECT_EQ(c.port, kCon);
  EXPECT_EQ(c.text, "0123456789abcdef!?");
  EXPECT_EQ(r.platform.virtioConsole().notifications(), 1u);

  // Nothing new: a second notification sends nothing and completes nothing.
  r.platform.portWrite(8, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_EQ(r.platform.console(), "0123456789abcdef!?");
  EXPECT_EQ(r.ram.get<uint16_t>(Ram::kUsed + 2), 2);
}

TEST(Virtio, BlockReadsAndWritesSectors) {
  Rig r(kBlk);
  // write sector 5 from 0x5000, then read sector 5 into 0x6000
  r.ram.put<uint32_t>(0x4000, kVirtioBlkOut);
  r.ram.put<uint64_t>(0x4008, 5);
  r.ram.put<uint32_t>(0x4010, kVirtioBlkIn);
  r.ram.put<uint64_t>(0x4018, 5);
  std::memset(r.ram.bytes.data() + 0x5000, 'w', 512);
  r.ram.desc(0, 0x4000, 16, kVirtqDescNext, 1);
  r.ram.desc(1, 0x5000, 512, kVirtqDescNext, 2);
  r.ram.desc(2, 0x4F00, 1, kVirtqDescWrite);
  r.ram.desc(3, 0x4010, 16, kVirtqDescNext, 4);
  r.ram.desc(4, 0x6000, 512, kVirtqDescNext | kVirtqDescWrite, 5);
  r.ram.desc(5, 0x4F01, 1, kVirtqDescWrite);
  r.ram.put<uint16_t>(0x4F00, 0xFFFF);
  r.ram.offer({0, 3});
  r.platform.portWrite(0, kBlk + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_EQ(r.ram.get<uint8_t>(0x4F00), kVirtioBlkOk);
  EXPECT_EQ(r.ram.get<uint8_t>(0x4F01), kVirtioBlkOk);
  EXPECT_EQ(r.ram.bytes[0x6000], 'w');
  EXPECT_EQ(r.ram.bytes[0x61FF], 'w');
  EXPECT_EQ(r.platform.virtioBlock().disk()[5 * 512], 'w');
  EXPECT_EQ(r.ram.get<uint32_t>(Ram::kUsed + 8), 1u);    // the write: only the status byte
  EXPECT_EQ(r.ram.get<uint32_t>(Ram::kUsed + 16), 513u); // the read: 512 data + status
  // Sector 1 was never written: it holds its label.
  auto disk = r.platform.virtioBlock().disk();
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(disk.data()) + 512, 22),
            "ringside disk sector 1");
}

TEST(Virtio, BlockRefusesBadRequestsInItsStatusByte) {
  Rig r(kBlk);
  r.ram.put<uint32_t>(0x4000, kVirtioBlkIn);
  r.ram.put<uint64_t>(0x4008, layout::kVirtioDiskSectors); // one past the end
  r.ram.put<uint32_t>(0x4010, 99);                         // an unknown request type
  r.ram.desc(0, 0x4000, 16, kVirtqDescNext, 1);
  r.ram.desc(1, 0x6000, 512, kVirtqDescNext | kVirtqDescWrite, 2);
  r.ram.desc(2, 0x4F00, 1, kVirtqDescWrite);
  r.ram.desc(3, 0x4010, 16, kVirtqDescNext, 4);
  r.ram.desc(4, 0x4F01, 1, kVirtqDescWrite);
  r.ram.offer({0, 3});
  r.platform.portWrite(0, kBlk + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_EQ(r.ram.get<uint8_t>(0x4F00), kVirtioBlkIoErr);
  EXPECT_EQ(r.ram.get<uint8_t>(0x4F01), kVirtioBlkUnsupported);
  EXPECT_EQ(r.platform.virtioBlock().error(), ""); // bad requests, but a sound queue
}

struct Broken {
  const char *what;
  void (*make)(Ram &);
  const char *message;
};

TEST(Virtio, AMalformedQueueStopsTheDeviceWithAMessage) {
  const Broken cases[] = {
      {"loop", [](Ram &m) { m.desc(0, 0x4000, 1, kVirtqDescNext, 0), m.offer({0}); }, "loops"},
      {"index", [](Ram &m) { m.offer({200}); }, "outside the queue"},
      {"buffer", [](Ram &m) { m.desc(0, 0xFFFFF000, 16, 0), m.offer({0}); }, "not in RAM"},
      {"huge", [](Ram &m) { m.desc(0, 0x4000, 0x7FFFFFFF, 0), m.offer({0}); }, "bytes (at most"},
      {"avail idx", [](Ram &m) { m.put<uint16_t>(Ram::kAvail + 2, 500); }, "ahead of"},
      {"batch",
       [](Ram &m) { // 17 chained 64 KiB buffers: over the 1 MiB a batch may carry
         for (uint16_t i = 0; i < 17; ++i)
           m.desc(i, 0, 0x10000, i < 16 ? kVirtqDescNext : 0, i + 1);
         m.offer({0});
       },
       "in one notification"},
  };
  for (const auto &c : cases) {
    Rig r(kCon);
    c.make(r.ram);
    r.platform.portWrite(0, kCon + virtio_reg::kQueueNotify, 4, 0);
    const std::string &error = r.platform.virtioConsole().error();
    EXPECT_NE(error.find(c.message), std::string::npos) << c.what << ": " << error;
    EXPECT_EQ(r.platform.portRead(0, kCon + virtio_reg::kStatus, 4), kVirtioNeedsReset) << c.what;
    // Reset clears it; the addresses must be given again.
    r.platform.portWrite(0, kCon + virtio_reg::kStatus, 4, 0);
    EXPECT_EQ(r.platform.portRead(0, kCon + virtio_reg::kStatus, 4), 0u) << c.what;
    EXPECT_EQ(r.platform.portRead(0, kCon + virtio_reg::kQueueDesc, 4), 0u) << c.what;
  }
}

TEST(Virtio, NotifyingBeforeSetUpOrWithoutRamIsAnError) {
  Trace trace;
  Platform p(trace);
  p.portWrite(0, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_NE(p.virtioConsole().error().find("no guest memory"), std::string::npos);
  Ram ram;
  Platform q(trace);
  q.attachMemory(&ram);
  q.portWrite(0, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_NE(q.virtioConsole().error().find("before the driver set"), std::string::npos);
}

TEST(Virtio, CompletionRaisesTheChosenIrqUnlessTheDriverSuppressesIt) {
  Rig r(kCon);
  r.platform.portWrite(0, 0x20, 1, 0x11); // ICW1–ICW4: vectors from 0x20, all unmasked
  r.platform.portWrite(0, 0x21, 1, 0x20);
  r.platform.portWrite(0, 0x21, 1, 0x04);
  r.platform.portWrite(0, 0x21, 1, 0x01);
  r.platform.portWrite(0, 0x21, 1, 0x00);
  r.platform.portWrite(0, kCon + virtio_reg::kIrq, 4, 5);
  r.ram.desc(0, 0x4000, 1, 0);
  r.ram.put<uint16_t>(Ram::kAvail, kVirtqAvailNoInterrupt);
  r.ram.offer({0});
  r.platform.portWrite(0, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_FALSE(r.platform.pendingInterrupt());
  r.ram.put<uint16_t>(Ram::kAvail, 0);
  r.ram.offer({0});
  r.platform.portWrite(0, kCon + virtio_reg::kQueueNotify, 4, 0);
  EXPECT_EQ(r.platform.pendingInterrupt(), 0x25);
}

} // namespace
} // namespace ringside
