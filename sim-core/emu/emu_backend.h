#pragma once
// The emu backend: guests run on Unicorn 2.0.1, and the backend is the VMM around them.
// Sensitive instructions are intercepted before they run (scan-before-execute), exceptions
// are delivered through the guest's IVT/IDT by the monitor, and guest paging runs on the
// shadow MMU. What it reports as VM exits are those a VT-x hypervisor with KVM-like default
// controls would take (the VT-x model, vmx/): modelled, not measured. See docs/emu-backend.md.
#include "backend/backend.h"
#include "cpu/interrupt_delivery.h"
#include "emu/guest_ram.h"
#include "emu/insn_decoder.h"
#include "emu/shadow_mmu.h"
#include "platform/platform.h"
#include "vmm/technique.h"
#include "vmx/exit_decision.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_machine.h"

#include <unicorn/unicorn.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ringside::emu {

class EmuBackend : public Backend, public MmioBus {
public:
  EmuBackend();
  ~EmuBackend() override;

  std::string name() const override { return "emu"; }
  Capabilities capabilities() const override;
  void load(const GuestImage &image, const RunConfig &config) override;
  RunResult run() override;
  void requestStop() override;
  const Platform &platform() const override { return platform_; }
  Trace &trace() override { return trace_; }
  const Vmcs *modelVmcs() const override;
  std::map<std::string, uint64_t> mmuCounters() const override;
  bool readGuestPhysical(uint64_t gpa, void *dst, size_t n) const override;
  // emu_snapshot.cpp
  snapshot::MachineState saveState() const override;
  void restoreState(const snapshot::MachineState &state, const RunConfig &config) override;
  RunResult resume(uint64_t totalInstructions) override;
  void setDirtyLogging(bool on) override;
  std::vector<uint64_t> fetchDirtyLog() override;

private:
  // Why uc_emu_start returned.
  struct Pending {
    enum class Kind {
      None,
      Intercept,
      ResumePoint,
      Exception,
      InvalidOpcode,
      Interrupt, ///< the timer is due or an interrupt waits for the guest to take it
      Error
    } kind = Kind::None;
    uint64_t linear = 0; ///< the instruction (intercepts, resume points)
    uint8_t vector = 0;
    uint64_t cr2 = 0;       ///< CR2 when Unicorn reported #PF
    uint32_t errorCode = 0; ///< the exception's error code, read in the hook
    std::string error;
  };
  struct BlockInfo {
    std::vector<uint16_t> offsets; ///< instruction starts within the block
  };
  struct BlockSlot {
    uint64_t addr = ~0ull;
    uint32_t size = 0;
    uint32_t count = 0;
    uint32_t info = 0;
  };
  struct Intercept {
    InsnClass cls = InsnClass::None;
    std::optional<DecodedInsn> decoded; ///< decoded when its block was scanned
  };

  // emu_backend.cpp: machine set-up, the run loop and the Unicorn hooks.
  void resetMachine();
  void installHooks();
  bool runUntilStop(uint64_t bootTarget);
  void startGuest();
  void finish(StopKind kind, int64_t code, std::string message);
  void ensureHook(uint64_t linear);
  void syncInstructionCount(uint64_t linearPc);
  void blockMiss(uint64_t addr, uint32_t size, BlockSlot &slot);
  void onBlock(uint64_t addr, uint32_t size);
  void onCode(uint64_t addr);
  void startWatchdog();
  void stopWatchdog();
  static void blockHook(uc_engine *, uint64_t addr, uint32_t size, void *self);
  static void codeHook(uc_engine *, uint64_t addr, uint32_t size, void *self);
  static void intrHook(uc_engine *, uint32_t intno, void *self);
  static bool invalidHook(uc_engine *, void *self);
  static bool unmappedHook(uc_engine *, uc_mem_type type, uint64_t addr, int size, int64_t value,
                           void *self);
  static uint32_t inHook(uc_engine *, uint32_t port, int size, void *self);
  static void outHook(uc_engine *, uint32_t port, int size, uint32_t value, void *self);

  // emu_cpu.cpp: reading the vCPU.
  uint64_t reg(int ucReg) const;
  void setReg(int ucReg, uint64_t value);
  uint64_t gpr(int index) const;
  void setGpr(int index, uint64_t value, unsigned bytes);
  uint64_t efer() const;
  uint64_t linearPc() const;
  uint8_t cpl() const;
  CodeMode codeMode() const;
  CpuSnapshot snapshot(uint64_t returnRip) const;
  GuestRegs guestRegs() const;
  PagingState guestPaging() const;
  std::optional<DecodedInsn> decodeAt(uint64_t linear);
  Access faultAccess(uint64_t linearPc, uint64_t cr2);
  void markDescriptorAccessed(uint16_t selector);

  // emu_intercepts.cpp: the monitor's handling of intercepted instructions.
  bool handleIntercept(uint64_t linear);
  bool stepNative(uint64_t linear, unsigned length);
  bool handlePortIo(const DecodedInsn &d, unsigned length);
  bool ioPermitted(uint16_t port, uint8_t size);
  bool handleMovToCr(const DecodedInsn &d, uint64_t linear);
  bool handleMovFromCr(const DecodedInsn &d);
  bool resolveStep(bool ok);
  void applyGuestPaging(uint64_t cr0, uint64_t cr3, uint64_t cr4);

  // emu_vmx.cpp: the hypervisor's VMCS for this guest, and the VT-x model's decisions.
  void setupVmcs();
  ExitDecision decide(GuestOperation op);
  GuestOperation operationFor(const DecodedInsn &d, uint64_t linear);
  uint64_t invlpgAddress(const DecodedInsn &d, uint64_t rip);
  ZydisRegisterContext registerContext() const;
  void vmExit(const ExitInfo &info);
  void vmEntry(bool injecting = false, uint8_t vector = 0);
  void syncGuestState();
  uint64_t syncedValue(uint32_t encoding) const;

  // emu_nested.cpp: a guest-written hypervisor. Its VMX instructions run on the VT-x model
  // (vmx/vmx_machine.h); its nested guest runs on this vCPU in VMX non-root operation, and
  // what that guest does is put to the guest hypervisor's VMCS first.
  class NestedCpu;
  void resetNested();
  bool nonRoot() const { return vmx_ && vmx_->nonRoot(); }
  const Vmcs *nestedVmcs();
  bool handleVmxInstruction(const DecodedInsn &d, uint64_t linear);
  /// RDMSR/WRMSR of IA32_FEATURE_CONTROL or a VMX capability MSR: emulated (true), else false.
  bool handleVmxMsr(const DecodedInsn &d, uint64_t rip);
  /// The nested guest exits to the guest hypervisor (at its HOST_RIP).
  bool nestedExit(const ExitInfo &info);
  VmxRegisterState captureVmxState() const;
  void loadVmxState(const VmxTransition &t);
  InsnOperand vmxOperand(const DecodedInsn &d) const;
  // emu_nested_ept.cpp: the guest hypervisor's EPT for its nested guest.
  std::optional<uint64_t> nestedEptPointer();
  /// Tells the MMU which EPT the vCPU now runs under (none outside the nested guest); false
  /// (the run stopped) where that is not modelled.
  bool applyNestedEpt(uint64_t guestCr0);
  bool nestedEptExit(const ShadowMmu::FaultOutcome &fault);
  std::optional<uint64_t> operandAddress(const DecodedInsn &d, const ZydisDecodedOperand &op);
  bool memoryFault(uint64_t linear, bool write);

  // emu_interrupts.cpp: the timer's interrupts, external-interrupt and interrupt-window
  // exiting, on a virtual clock of retired instructions plus time spent halted.
  uint64_t clock() const { return icount_ + idle_; }
  /// Takes a pending interrupt if the vCPU can (or exits for it). `afterHltExit`: the VMM
  /// already has the vCPU (a HLT exit), so the interrupt is only injected on the way back.
  bool serviceInterrupts(bool afterHltExit = false);
  /// The guest executed HLT with interrupts enabled: sleep until the timer fires.
  bool haltUntilInterrupt(uint64_t nextRip, bool afterHltExit);
  void refreshTimer();

  // emu_pv.cpp: paravirtualization: the hypercall page, the hypercalls, the CPUID leaves.
  bool hypercall(uint64_t rip);
  bool handlePvMsr(const DecodedInsn &d, uint64_t rip);
  void hypervisorCpuid(uint32_t leaf);

  // emu_deprivilege.cpp: trap-and-emulate and binary translation (docs/techniques.md). The
  // guest kernel runs at ring 1 while the VMM keeps its virtual CPU state (virtual_cpu.h).
  struct VirtualCpu;
  class VirtualView;
  void settle();
  void deprivilege();
  void restoreVirtual();
  std::optional<bool> handleDeprivileged(uint64_t linear, const DecodedInsn &d);
  bool takeOver(uint64_t linear, const DecodedInsn &d, const char *via);
  bool stepFetching(uint64_t linear, unsigned length);
  bool observeLeak(uint64_t linear, const DecodedInsn &d);
  void scanSensitive(uint64_t addr, const std::vector<uint16_t> &offsets, bool &added);
  // emu_bt.cpp: the translation cache.
  void translationLookup(uint64_t addr);
  uint64_t loadedCodeEnd(uint64_t addr);

  // emu_delivery.cpp: exceptions and interrupts.
  bool handleException(uint8_t vector);
  bool deliver(PendingEvent event, uint64_t returnRip, uint64_t cr2 = 0);
  bool applyPlan(const DeliveryPlan &plan, std::optional<PendingEvent> &nested);

  // emu_mmu.cpp: --mmu shadow|ept.
  MmuOptions mmuOptions() const;
  bool emulateTableWrite(uint64_t cr2, Access access);
  void modelledEptExit(uint16_t reason, uint64_t qualification, uint64_t gpa);
  void deviceAccess(uint64_t gpa, bool write);

  // MmioBus
  uint64_t mmioRead(uint64_t gpa, unsigned size) override;
  void mmioWrite(uint64_t gpa, unsigned size, uint64_t value) override;

  void record(EventBody body);
  uint64_t countNow() const;
  uc_err emulate();

  Trace trace_;
  Platform platform_{trace_};
  InsnDecoder decoder_;
  RunConfig config_;
  Technique technique_ = Technique::Vtx;
  GuestImage image_;
  bool loaded_ = false;
  bool resumed_ = false;  ///< run() continues a stopped or restored guest (emu_snapshot.cpp)
  uc_hook writeHook_ = 0; ///< the store hook while dirty logging is on (emu_dirty_log.cpp)

  uc_engine *uc_ = nullptr;
  std::unique_ptr<GuestRam> ram_;
  std::unique_ptr<ShadowMmu> mmu_;
  uint64_t guestCr0_ = 0, guestCr2_ = 0, guestCr3_ = 0, guestCr4_ = 0;
  Vmcs vmcs_;
  mutable std::optional<uint64_t> eferCache_; ///< see efer()
  bool stateDirty_ = true;            ///< guest state beyond RIP/RSP/RFLAGS may have changed
  std::array<uint64_t, 11> synced_{}; ///< last values written to the synced guest-state fields
  std::optional<ExitInfo> exit_;      ///< the VM exit the current intercept takes, if any
  std::unique_ptr<NestedCpu> nestedCpu_;
  std::unique_ptr<VmxMachine> vmx_;
  uint64_t featureControl_ = 0;    ///< IA32_FEATURE_CONTROL: unlocked at reset, as with no BIOS
  bool injecting_ = false;         ///< delivering an event injected by VM entry: no exit check
  uint64_t idle_ = 0;              ///< virtual time spent halted (see clock())
  uint64_t timerDeadline_ = ~0ull; ///< clock() at which the timer next fires
  bool interruptWatch_ = false;    ///< stop at each block: something waits for RFLAGS.IF
  bool windowRequested_ = false;   ///< the VMM set interrupt-window exiting in its VMCS
  uint64_t shadowSkip_ = ~0ull;    ///< block start where an STI/MOV SS shadow deferred a check
  uint64_t lastInterruptPc_ = ~0ull, lastInterruptCount_ = ~0ull;

  std::vector<BlockSlot> blockCache_;
  std::vector<BlockInfo> blockInfos_;
  BlockSlot *current_ = nullptr;
  uint64_t icount_ = 0, blockBase_ = 0, budget_ = ~0ull;
  std::unordered_map<uint64_t, Intercept> intercepts_;
  std::unordered_set<uint64_t> hooked_;
  uint64_t stepping_ = ~0ull;        ///< intercept site allowed to run natively right now
  uint64_t stopAfter_ = ~0ull;       ///< resume point: stop here
  uint64_t bootTarget_ = 1ull << 63; ///< the guest entry point while the boot stub runs
  int ringCheck_ = 0;                ///< block hooks until the CPL is re-read after IRET/far branch
  uint8_t ringBefore_ = 0;
  RingCause ringCause_ = RingCause::Iret;
  uint64_t stepRip_ = 0; ///< RIP of the instruction being stepped (for io events)
  Pending pending_;
  bool recording_ = false;
  bool inEmulation_ = false;
  bool stopped_ = false;
  RunResult result_;
  int hiddenFaultStreak_ = 0;
  int spuriousDoubleFaults_ = 0;
  int noProgress_ = 0; ///< uc_emu_start calls in a row that ran nothing
  uint64_t lastFaultCr2_ = ~0ull;
  std::unique_ptr<VirtualCpu> vcpu_; ///< trap and bt only, from the guest's first instruction
  bool deprivileged_ = false;        ///< the real CPU holds the VMM's state (trap, bt)
  bool kernelRing1_ = false;         ///< … and the guest kernel runs at ring 1 right now
  int viewDepth_ = 0;                ///< nested VirtualViews
  bool inVmm_ = false;               ///< the VMM runs a guest instruction for it
  bool stopAtBlock_ = false;         ///< stop at the next block (after a stepped branch)

  std::atomic<bool> stopRequested_{false};
  std::atomic<bool> timedOut_{false};
  std::atomic<bool> running_{false};
  std::thread watchdog_;
  std::mutex watchdogMutex_;
  std::condition_variable watchdogWake_;
};

} // namespace ringside::emu
