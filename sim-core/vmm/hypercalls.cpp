#include "vmm/hypercalls.h"

#include <string>

namespace ringside {
namespace {

constexpr std::array kHypercalls = {
    HypercallInfo{Hypercall::ConsoleWrite, "console_write",
                  "buffer (guest-virtual), length; returns bytes written"},
    HypercallInfo{
        Hypercall::MmuUpdate, "mmu_update",
        "requests (guest-virtual array of {pte gpa, value}), count; returns updates done"},
    HypercallInfo{Hypercall::Yield, "yield", "no arguments; returns 0"},
    HypercallInfo{Hypercall::Exit, "exit", "exit code; does not return"},
};

constexpr uint64_t kMaxConsoleBytes = 4096; // per call: a guest cannot make the VMM copy GiBs
constexpr uint64_t kMaxMmuUpdates = 512;
constexpr uint64_t kEinval = static_cast<uint64_t>(-22);
constexpr uint64_t kEfault = static_cast<uint64_t>(-14);

} // namespace

std::span<const HypercallInfo> hypercallInfos() { return kHypercalls; }

const HypercallInfo *findHypercall(uint64_t nr) {
  for (const auto &h : kHypercalls)
    if (static_cast<uint64_t>(h.nr) == nr)
      return &h;
  return nullptr;
}

std::vector<uint8_t> hypercallPage(HypercallGate gate) {
  // Each stub: mov eax, nr (B8 imm32, zero-extended in 64-bit mode); the gate; ret. The rest
  // of the page is INT3, so a call into the middle of a stub stops loudly.
  std::vector<uint8_t> page(4096, 0xCC);
  for (uint32_t nr = 0; nr < 4096 / kHypercallStubSize; ++nr) {
    uint8_t *stub = page.data() + nr * kHypercallStubSize;
    size_t i = 0;
    stub[i++] = 0xB8;
    for (int b = 0; b < 4; ++b)
      stub[i++] = static_cast<uint8_t>(nr >> (8 * b));
    if (gate == HypercallGate::Vmcall) {
      stub[i++] = 0x0F; // vmcall
      stub[i++] = 0x01;
      stub[i++] = 0xC1;
    } else {
      stub[i++] = 0xE7; // out imm8, eax
      stub[i++] = static_cast<uint8_t>(kHypercallDoorbellPort);
    }
    stub[i++] = 0xC3; // ret
  }
  return page;
}

uint64_t runHypercall(uint64_t nr, const std::array<uint64_t, 4> &args, HypercallHost &host) {
  switch (nr) {
  case static_cast<uint64_t>(Hypercall::ConsoleWrite): {
    uint64_t length = args[1];
    if (length > kMaxConsoleBytes)
      return kEinval;
    std::string text(length, '\0');
    if (length && !host.readLinear(args[0], text.data(), length))
      return kEfault;
    host.console(text);
    return length;
  }
  case static_cast<uint64_t>(Hypercall::MmuUpdate): {
    uint64_t count = args[1];
    if (count > kMaxMmuUpdates)
      return kEinval;
    uint64_t done = 0;
    for (; done < count; ++done) {
      MmuUpdateRequest r{};
      if (!host.readLinear(args[0] + done * sizeof r, &r, sizeof r))
        break;
      // Entries are 8-byte aligned; the low bits of ptr are Xen's command field (0 = normal).
      if ((r.ptr & 7) || !host.writePhysical(r.ptr, &r.val, sizeof r.val))
        break;
    }
    if (done)
      host.flushTlb(); // one flush for the whole batch
    return done;
  }
  case static_cast<uint64_t>(Hypercall::Yield):
    return 0;
  case static_cast<uint64_t>(Hypercall::Exit):
    host.exit(static_cast<int64_t>(args[0]));
    return 0;
  default:
    return kHypercallEnosys;
  }
}

} // namespace ringside
