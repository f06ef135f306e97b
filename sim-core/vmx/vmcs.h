#pragma once
// A VMCS as the VMX instructions see it: field values by encoding with the SDM's width rules,
// VMREAD/VMWRITE with their VM-instruction errors, a processor-side `set` for exit
// information, a change listener that yields one VmcsEvent per field that changes, and the
// 4 KiB I/O and MSR bitmap pages the controls point at.
#include "trace/events.h"
#include "vmx/vmcs_fields.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

namespace ringside {

class Vmcs {
public:
  Vmcs();
  static constexpr size_t kBitmapBytes = 4096;
  using Bitmap = std::array<uint8_t, kBitmapBytes>;
  using Listener = std::function<void(const VmcsEvent &)>;

  /// Result of VMREAD/VMWRITE: a VM-instruction error number (vm_instruction_errors.h),
  /// vmx_error::None on success.
  struct Access {
    uint32_t error = 0;
    uint64_t value = 0; ///< VMREAD: the value read (zero-extended)
    bool ok() const { return error == 0; }
  };

  /// VMREAD: unknown encodings fail with 12.
  Access vmread(uint32_t encoding) const;
  /// VMWRITE: unknown encodings fail with 12; exit-information fields with 13 unless the
  /// "VMWRITE to any supported field" capability (IA32_VMX_MISC bit 29) is enabled.
  Access vmwrite(uint32_t encoding, uint64_t value);
  /// The processor's own write (exit information, guest state on exit): no read-only check.
  /// Returns false for an encoding not in the field table.
  bool set(uint32_t encoding, uint64_t value);
  /// The value as VMREAD would return it; 0 for unknown encodings.
  uint64_t get(uint32_t encoding) const;

  void setVmwriteAnyField(bool on) { vmwriteAnyField_ = on; }
  bool vmwriteAnyField() const { return vmwriteAnyField_; }

  /// Called once per field whose stored value changes; HIGH-alias writes report the full
  /// 64-bit field (its encoding without bit 0).
  void setListener(Listener l) { listener_ = std::move(l); }

  /// The pages named by IO_BITMAP_A, IO_BITMAP_B and MSR_BITMAP. The model owns them rather
  /// than reading guest RAM: the addresses in the VMCS are host-physical on real hardware.
  Bitmap &ioBitmapA() { return ioA_; }
  Bitmap &ioBitmapB() { return ioB_; }
  Bitmap &msrBitmap() { return msr_; }
  const Bitmap &ioBitmapA() const { return ioA_; }
  const Bitmap &ioBitmapB() const { return ioB_; }
  const Bitmap &msrBitmap() const { return msr_; }

  /// Every field written so far (full encodings), for views and the CLI.
  std::map<uint32_t, uint64_t> values() const;

private:
  void store(const VmcsFieldInfo &f, uint64_t value);

  std::vector<uint64_t> values_; ///< by full field (the table's non-HIGH rows), 64 bits
  std::vector<uint8_t> written_; ///< which fields have been written
  bool vmwriteAnyField_ = false;
  Listener listener_;
  Bitmap ioA_{}, ioB_{}, msr_{};
};

} // namespace ringside
