#pragma once
// A minimal 64-bit KVM guest for tests of the kernel-side event sources (tracepoints, binary
// stats): one memory slot, identity-mapped with 2 MiB pages, CPL0 code at 0x1000. Independent of
// the KVM backend so these tests exercise the sources, not the backend.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace ringside::test {

class TinyKvmGuest {
public:
  static constexpr uint64_t kMemSize = 4 << 20, kCode = 0x1000, kTables = 0x20000;

  ~TinyKvmGuest() {
    if (run_)
      munmap(run_, runSize_);
    if (mem_)
      munmap(mem_, kMemSize);
    for (int fd : {vcpu_, vm_, kvm_})
      if (fd >= 0)
        close(fd);
  }

  /// Opens /dev/kvm and creates the VM; false with `why` when KVM is not usable here (skip).
  bool open(std::string &why) {
    kvm_ = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_ < 0)
      return fail(why, "open /dev/kvm");
    vm_ = ioctl(kvm_, KVM_CREATE_VM, 0);
    if (vm_ < 0)
      return fail(why, "KVM_CREATE_VM");
    return true;
  }

  /// Memory, vCPU, long mode; false with `why` is a failure once open() worked.
  bool setup(std::string &why) {
    void *mem = mmap(nullptr, kMemSize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
      return fail(why, "mmap guest memory");
    mem_ = static_cast<uint8_t *>(mem);
    kvm_userspace_memory_region region{0, 0, 0, kMemSize, reinterpret_cast<uint64_t>(mem_)};
    if (ioctl(vm_, KVM_SET_USER_MEMORY_REGION, &region) < 0)
      return fail(why, "KVM_SET_USER_MEMORY_REGION");
    vcpu_ = ioctl(vm_, KVM_CREATE_VCPU, 0);
    if (vcpu_ < 0)
      return fail(why, "KVM_CREATE_VCPU");
    runSize_ = static_cast<size_t>(ioctl(kvm_, KVM_GET_VCPU_MMAP_SIZE, 0));
    void *run = mmap(nullptr, runSize_, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_, 0);
    if (run == MAP_FAILED)
      return fail(why, "mmap kvm_run");
    run_ = static_cast<kvm_run *>(run);
    return setCpuid(why) && setLongMode(why);
  }

  void load(const std::vector<uint8_t> &code) {
    std::memcpy(mem_ + kCode, code.data(), code.size());
  }

  /// Runs to HLT, continuing over I/O and MMIO exits; returns the exits seen, or -1.
  int runToHlt(int maxExits = 100) {
    for (int exits = 1; exits <= maxExits; ++exits) {
      if (ioctl(vcpu_, KVM_RUN, 0) < 0 && errno != EINTR)
        return -1;
      if (run_->exit_reason == KVM_EXIT_HLT)
        return exits;
      if (run_->exit_reason != KVM_EXIT_IO && run_->exit_reason != KVM_EXIT_MMIO &&
          run_->exit_reason != KVM_EXIT_INTR)
        return -1;
    }
    return -1;
  }

  int vmFd() const { return vm_; }
  int vcpuFd() const { return vcpu_; }
  uint8_t *mem() const { return mem_; }

private:
  static bool fail(std::string &why, const char *what) {
    why = std::string(what) + ": " + std::strerror(errno);
    return false;
  }

  // In C++ the 6.1 uapi header's __DECLARE_FLEX_ARRAY makes sizeof(kvm_cpuid2) 12, not the C
  // ABI's 8, so KVM_GET_SUPPORTED_CPUID / KVM_SET_CPUID2 encode a size the kernel rejects
  // (EINVAL). Encode the ioctls with the C layout: entries follow 8 bytes of header.
  struct CpuidHeader {
    uint32_t nent, padding;
  };
  static constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, CpuidHeader);
  static constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, CpuidHeader);

  bool setCpuid(std::string &why) {
    constexpr uint32_t kEntries = 256;
    std::vector<uint8_t> buf(sizeof(CpuidHeader) + kEntries * sizeof(kvm_cpuid_entry2));
    const CpuidHeader header{kEntries, 0};
    std::memcpy(buf.data(), &header, sizeof header);
    if (ioctl(kvm_, kGetSupportedCpuid, buf.data()) < 0)
      return fail(why, "KVM_GET_SUPPORTED_CPUID");
    if (ioctl(vcpu_, kSetCpuid2, buf.data()) < 0)
      return fail(why, "KVM_SET_CPUID2");
    return true;
  }

  bool setLongMode(std::string &why) {
    auto *pml4 = reinterpret_cast<uint64_t *>(mem_ + kTables);
    pml4[0] = (kTables + 0x1000) | 0x7;
    pml4[512] = (kTables + 0x2000) | 0x7; // PDPT[0]
    for (uint64_t i = 0; i < 512; ++i)
      pml4[1024 + i] = (i << 21) | 0x83; // PD: P|RW|PS
    auto *gdt = reinterpret_cast<uint64_t *>(mem_ + 0x500);
    gdt[1] = 0x00af9b000000ffffull;
    gdt[2] = 0x00cf93000000ffffull;
    kvm_sregs s{};
    if (ioctl(vcpu_, KVM_GET_SREGS, &s) < 0)
      return fail(why, "KVM_GET_SREGS");
    s.gdt.base = 0x500;
    s.gdt.limit = 23;
    kvm_segment code{};
    code.limit = 0xffffffff;
    code.selector = 0x08;
    code.present = code.s = code.g = code.l = 1;
    code.type = 0xb;
    kvm_segment data = code;
    data.selector = 0x10;
    data.type = 0x3;
    data.l = 0;
    data.db = 1;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.cr3 = kTables;
    s.cr4 = 1u << 5;                                                          // PAE
    s.cr0 = 1u | (1u << 1) | (1u << 4) | (1u << 5) | (1u << 16) | (1u << 31); // PE MP ET NE WP PG
    s.efer = (1u << 8) | (1u << 10);                                          // LME LMA
    if (ioctl(vcpu_, KVM_SET_SREGS, &s) < 0)
      return fail(why, "KVM_SET_SREGS");
    kvm_regs r{};
    r.rip = kCode;
    r.rflags = 2;
    r.rsp = 0x200000 - 16;
    if (ioctl(vcpu_, KVM_SET_REGS, &r) < 0)
      return fail(why, "KVM_SET_REGS");
    return true;
  }

  int kvm_ = -1, vm_ = -1, vcpu_ = -1;
  uint8_t *mem_ = nullptr;
  kvm_run *run_ = nullptr;
  size_t runSize_ = 0;
};

} // namespace ringside::test
