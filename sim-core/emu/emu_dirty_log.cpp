// Dirty-page logging on the emu backend, for live migration. A Unicorn store hook marks the
// guest-physical page of every guest store (through the guest's own tables when paging is
// on: Unicorn's addresses are then guest-linear), and GuestRam::write marks the monitor's
// writes (interrupt frames, accessed/dirty bits). This is write tracking, as KVM's
// write-protected sptes or PML are: a store of an unchanged value still dirties its page.
#include "emu/emu_backend.h"

#include "errors.h"

namespace ringside::emu {
void EmuBackend::setDirtyLogging(bool on) {
  if (!loaded_)
    throw InputError("dirty logging: no guest loaded");
  if (on == ram_->tracking())
    return;
  ram_->setTracking(on);
  if (on) {
    uc_hook_add(uc_, &writeHook_, UC_HOOK_MEM_WRITE,
                reinterpret_cast<void *>(
                    +[](uc_engine *, uc_mem_type, uint64_t addr, int size, int64_t, void *self) {
                      auto *b = static_cast<EmuBackend *>(self);
                      // The first and last byte: a store may straddle two pages.
                      for (uint64_t va : {addr, addr + static_cast<uint64_t>(size) - 1}) {
                        uint64_t pa = va;
                        if (b->mmu_->pagingOn()) {
                          // A side-effect-free walk: the store itself already set the guest's A/D
                          // bits.
                          Translation t = translate(b->mmu_->guestPaging(), *b->ram_, va,
                                                    Access{true, false, false}, false);
                          if (!t.ok)
                            continue;
                          pa = t.pa;
                        }
                        b->ram_->markDirty(pa, 1);
                      }
                    }),
                this, 1, 0);
  } else {
    uc_hook_del(uc_, writeHook_);
    writeHook_ = 0;
  }
  // No translation-cache flush: Unicorn 2.0.1 looks memory hooks up when a store runs, so
  // blocks translated before the hook existed report their stores too (the dirty-log test
  // checks exactly this), and its flush costs seconds (it re-zeroes the code buffer).
}

std::vector<uint64_t> EmuBackend::fetchDirtyLog() {
  if (!loaded_ || !ram_->tracking())
    throw InputError("dirty logging is off");
  return ram_->takeDirty();
}

} // namespace ringside::emu
