#pragma once
// Parts of the CPU state that Unicorn 2.0.1's API cannot reach, edited inside the saved CPU
// context (QEMU's CPUX86State) at offsets found at start-up by experiment, not hard-coded:
// - the #DF latch (`old_exception`, unicorn#1883): never reset, so every second fault would
//   become #DF and the third a triple fault;
// - the last exception's error code (the API does not expose it);
// - the hidden part of CS/SS and the CPL (the API refuses to raise the CPL to 0; a VMM
//   writing the guest-state area on VM entry does exactly this).
// See ../shared/notes/unicorn.md (A.2) and docs/emu-backend.md.
#include <unicorn/unicorn.h>

#include <cstdint>
#include <string>

namespace ringside::emu {

struct UcStateOffsets {
  long hflags = -1;       ///< CPUX86State::hflags
  long segs = -1;         ///< CPUX86State::segs[0] (ES); 24 bytes per segment
  long oldException = -1; ///< CPUX86State::old_exception
  long errorCode = -1;    ///< CPUX86State::error_code
  std::string failure;    ///< why calibration failed, empty on success
};

/// Finds the offsets once per process (thread-safe) and returns them.
const UcStateOffsets &ucStateOffsets();

enum class SegIndex : int { Es = 0, Cs = 1, Ss = 2, Ds = 3, Fs = 4, Gs = 5 };

struct SegmentCache {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0; ///< byte-granular limit
  uint32_t flags = 0; ///< descriptor high dword (type, S, DPL, P, AVL, L, D/B, G)
};

/// Edits one saved context and writes it back on commit().
class UcStateEditor {
public:
  explicit UcStateEditor(uc_engine *uc);
  ~UcStateEditor();
  UcStateEditor(const UcStateEditor &) = delete;
  UcStateEditor &operator=(const UcStateEditor &) = delete;

  void clearExceptionLatch();
  int32_t exceptionLatch() const {
    return static_cast<int32_t>(read32(ucStateOffsets().oldException));
  }
  uint32_t errorCode() const;
  /// Loads a segment's hidden part; loading SS sets the CPL to the descriptor's DPL and
  /// loading CS updates the 16/32/64-bit code flags, as a real descriptor load does.
  void loadSegment(SegIndex seg, const SegmentCache &cache);
  uint8_t cpl() const;
  /// The one-instruction interrupt shadow after STI or MOV SS (QEMU's HF_INHIBIT_IRQ).
  bool interruptShadow() const;
  void clearInterruptShadow();
  SegmentCache segment(SegIndex seg) const;
  void commit();

private:
  uint32_t read32(long offset) const;
  void write32(long offset, uint32_t value);

  uc_engine *uc_;
  uc_context *context_ = nullptr;
};

/// Resets the #DF latch after Unicorn reported an exception (a no-op if calibration failed).
void clearExceptionLatch(uc_engine *uc);
/// Resets the #DF latch if it is armed; true if it was. Unicorn 2.0.1 arms it without
/// calling any hook (a fault taken while filling its TLB, then turned into an unmapped-memory
/// callback, or retried after the stop a hook asked for), so the emu backend disarms it before
/// every uc_emu_start: no exception is ever in progress when the monitor resumes the guest.
bool disarmExceptionLatch(uc_engine *uc);

} // namespace ringside::emu
