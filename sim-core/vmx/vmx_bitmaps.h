#pragma once
// The 4 KiB I/O bitmaps A/B and the MSR bitmap page: lookups exactly as the SDM (and KVM's
// nested_vmx_check_io_bitmaps / __BUILD_VMX_MSR_BITMAP_HELPER) define them, and setters.
#include "vmx/vmcs.h"

#include <cstdint>

namespace ringside {

/// Does an access of `size` bytes at `port` hit a set bit in bitmap A (ports 0-0x7FFF) or B
/// (0x8000-0xFFFF)? One set bit for any byte is enough; an access running past 0xFFFF always
/// exits (SDM "I/O-Instruction Exiting").
bool ioBitmapExits(const Vmcs &vmcs, uint16_t port, uint8_t size);
void setIoIntercept(Vmcs &vmcs, uint16_t port, bool intercept);
void setAllIoIntercepts(Vmcs &vmcs, bool intercept);

/// MSR bitmap layout: read-low 0x000, read-high 0x400, write-low 0x800, write-high 0xC00;
/// low = MSRs 0-0x1FFF, high = 0xC0000000-0xC0001FFF. Other MSRs always exit.
bool msrBitmapExits(const Vmcs &vmcs, uint32_t msr, bool write);
/// Returns false (and changes nothing) for an MSR outside the two ranges.
bool setMsrIntercept(Vmcs &vmcs, uint32_t msr, bool write, bool intercept);
void setAllMsrIntercepts(Vmcs &vmcs, bool intercept);

} // namespace ringside
