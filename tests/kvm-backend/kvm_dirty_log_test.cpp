// Does this host's KVM keep a dirty-page log? A memory slot with KVM_MEM_LOG_DIRTY_PAGES, a
// real-mode guest that writes pages 3 and 5, then KVM_GET_DIRTY_LOG: the bitmap must name
// exactly those pages, and a second fetch must be empty (the log is cleared on read). This is
// what a kvm live migration would read each round (docs/snapshots.md). Skips with the reason
// where /dev/kvm is unusable.
#include "kvm_host.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace ringside::kvm {
namespace {

constexpr size_t kSlotBytes = 16 * 4096;

struct Closer {
  std::vector<int> fds;
  void *mem = MAP_FAILED, *run = MAP_FAILED;
  size_t runSize = 0;
  ~Closer() {
    if (run != MAP_FAILED)
      munmap(run, runSize);
    if (mem != MAP_FAILED)
      munmap(mem, kSlotBytes);
    for (int fd : fds)
      close(fd);
  }
};

TEST(KvmDirtyLog, GetDirtyLogNamesExactlyThePagesTheGuestWrote) {
  HostProbe probe = probeHost();
  if (!probe.usable())
    GTEST_SKIP() << probe.reason;
  Closer c;
  int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  ASSERT_GE(kvm, 0);
  c.fds.push_back(kvm);
  int vm = ioctl(kvm, KVM_CREATE_VM, 0);
  ASSERT_GE(vm, 0) << std::strerror(errno);
  c.fds.push_back(vm);
  c.mem = mmap(nullptr, kSlotBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(c.mem, MAP_FAILED);
  auto *mem = static_cast<uint8_t *>(c.mem);
  // mov ax,0x1234; mov [0x3000],ax; mov [0x5000],ax; mov [0x5004],ax; hlt
  const uint8_t code[] = {0xB8, 0x34, 0x12, 0xA3, 0x00, 0x30, 0xA3,
                          0x00, 0x50, 0xA3, 0x04, 0x50, 0xF4};
  std::memcpy(mem + 0x1000, code, sizeof code);
  kvm_userspace_memory_region region{};
  region.slot = 0;
  region.flags = KVM_MEM_LOG_DIRTY_PAGES;
  region.guest_phys_addr = 0;
  region.memory_size = kSlotBytes;
  region.userspace_addr = reinterpret_cast<uint64_t>(mem);
  ASSERT_EQ(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region), 0)
      << "this host's KVM refuses KVM_MEM_LOG_DIRTY_PAGES: " << std::strerror(errno);
  int vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
  ASSERT_GE(vcpu, 0) << std::strerror(errno);
  c.fds.push_back(vcpu);
  c.runSize = static_cast<size_t>(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
  c.run = mmap(nullptr, c.runSize, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
  ASSERT_NE(c.run, MAP_FAILED);
  kvm_sregs sregs{};
  ASSERT_EQ(ioctl(vcpu, KVM_GET_SREGS, &sregs), 0);
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  sregs.ds.base = 0;
  sregs.ds.selector = 0;
  ASSERT_EQ(ioctl(vcpu, KVM_SET_SREGS, &sregs), 0);
  kvm_regs regs{};
  regs.rip = 0x1000;
  regs.rflags = 2;
  ASSERT_EQ(ioctl(vcpu, KVM_SET_REGS, &regs), 0);

  // The log starts clear: only what runs from here on is dirty.
  std::vector<uint64_t> bitmap(1, 0);
  kvm_dirty_log log{};
  log.slot = 0;
  log.dirty_bitmap = bitmap.data();
  ASSERT_EQ(ioctl(vm, KVM_GET_DIRTY_LOG, &log), 0) << std::strerror(errno);

  auto *run = static_cast<kvm_run *>(c.run);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(ioctl(vcpu, KVM_RUN, 0), 0) << std::strerror(errno);
    if (run->exit_reason == KVM_EXIT_HLT)
      break;
    ASSERT_TRUE(run->exit_reason == KVM_EXIT_INTR) << "exit reason " << run->exit_reason;
  }
  ASSERT_EQ(run->exit_reason, static_cast<uint32_t>(KVM_EXIT_HLT));
  ASSERT_EQ(mem[0x5004], 0x34); // the guest really wrote

  bitmap[0] = 0;
  ASSERT_EQ(ioctl(vm, KVM_GET_DIRTY_LOG, &log), 0) << std::strerror(errno);
  EXPECT_EQ(bitmap[0], (1ull << 3) | (1ull << 5)) << "dirty bitmap 0x" << std::hex << bitmap[0];
  bitmap[0] = 0;
  ASSERT_EQ(ioctl(vm, KVM_GET_DIRTY_LOG, &log), 0);
  EXPECT_EQ(bitmap[0], 0u) << "the log is cleared when read";
}

} // namespace
} // namespace ringside::kvm
