#pragma once
// Ringside's paravirtual interface (docs/hypercalls.md): a Xen-style hypercall page the VMM
// fills in when the guest writes its address to MSR 0x40000000, one 32-byte stub per
// hypercall, and the hypercalls themselves. The stubs differ per backend (VMCALL on emu; a port
// doorbell on KVM, where VMCALL never reaches userspace), the guest's calls do not:
// `call page + nr * 32`, number in EAX/RAX, arguments in EBX/RBX, ECX/RCX, EDX/RDX, ESI/RSI
// (KVM's hypercall registers), result in EAX/RAX.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ringside {

inline constexpr uint32_t kHypercallPageMsr = 0x40000000;
inline constexpr uint32_t kHypervisorCpuidLeaf = 0x40000000;
inline constexpr uint16_t kHypercallDoorbellPort = 0xF5;
inline constexpr size_t kHypercallStubSize = 32;
/// The result of an unknown hypercall, or of any hypercall outside --virt pv: KVM's -KVM_ENOSYS.
inline constexpr uint64_t kHypercallEnosys = static_cast<uint64_t>(-1000);

enum class Hypercall : uint8_t { ConsoleWrite = 0, MmuUpdate = 1, Yield = 2, Exit = 3 };

struct HypercallInfo {
  Hypercall nr;
  std::string_view name;
  std::string_view args; ///< for docs and views
};
std::span<const HypercallInfo> hypercallInfos();
const HypercallInfo *findHypercall(uint64_t nr);

enum class HypercallGate : uint8_t { Vmcall, PortDoorbell };
/// The 4 KiB page the VMM writes at the guest's request (32- and 64-bit code alike).
std::vector<uint8_t> hypercallPage(HypercallGate gate);

/// What a hypercall needs from the VMM that runs it.
class HypercallHost {
public:
  virtual ~HypercallHost() = default;
  virtual bool readLinear(uint64_t gva, void *dst, size_t n) = 0;
  virtual bool writePhysical(uint64_t gpa, const void *src, size_t n) = 0;
  virtual void console(std::string_view text) = 0;
  virtual void flushTlb() = 0;
  virtual void exit(int64_t code) = 0;
};

/// One mmu_update request, as the guest lays it out (16 bytes): the guest-physical address of
/// a page-table entry and the value to store there (Xen's `struct mmu_update`).
struct MmuUpdateRequest {
  uint64_t ptr;
  uint64_t val;
};

/// Runs hypercall `nr` with `args`; returns the result for EAX/RAX.
uint64_t runHypercall(uint64_t nr, const std::array<uint64_t, 4> &args, HypercallHost &host);

} // namespace ringside
