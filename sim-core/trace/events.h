#pragma once
// The event trace: one struct per kind of event. Every view, the CLI and the grader read these;
// nothing on screen is computed anywhere else. The JSON Lines form is documented in
// docs/trace-format.md.
#include <array>
#include <cstdint>
#include <string>
#include <variant>

namespace ringside {

/// Where an event's data came from: views label modelled data as modelled.
enum class EventSource : uint8_t {
  Model,        ///< computed by Ringside's own models (the emu backend's VMM)
  KvmRun,       ///< what KVM_RUN returned to userspace (kvm_run exit data)
  KernelTrace,  ///< a kernel tracepoint (kvm:kvm_exit, kvmmmu:*) read from tracefs
  KvmTranslate, ///< KVM_TRANSLATE and the guest's tables read by Ringside
  SingleStep,   ///< registers captured by KVM single-stepping
};

/// A VM exit: the guest stopped running and the monitor took over.
struct ExitEvent {
  uint16_t reason = 0;        ///< VMX basic exit reason number (see arch/exit_reasons.h)
  uint64_t qualification = 0; ///< exit qualification as VT-x would report it
  uint64_t rip = 0;           ///< guest RIP (linear) of the instruction that caused the exit
  uint8_t insnLength = 0;     ///< length of that instruction (0 when not instruction-caused)
  EventSource source = EventSource::Model;
  /// The exit of a nested guest to a guest-written hypervisor (reason and qualification as
  /// written into that hypervisor's VMCS); false: an exit to Ringside's own VMM.
  bool nested = false;
};

/// A VM entry: the monitor resumes the guest, optionally injecting an event.
struct EntryEvent {
  uint64_t rip = 0;
  bool injecting = false; ///< an event is injected on this entry
  uint8_t vector = 0;     ///< the injected vector when injecting
  bool nested = false;    ///< a guest-written hypervisor entered its nested guest
};

/// An exception or interrupt raised in the guest.
struct ExceptionEvent {
  uint8_t vector = 0;
  bool hasErrorCode = false;
  uint32_t errorCode = 0;
  uint64_t rip = 0; ///< RIP of the faulting instruction (or of the next one, for traps and INT n)
  uint64_t cr2 = 0; ///< faulting linear address, for #PF
  bool software = false; ///< raised by INT n / INT3 / INTO
};

enum class RingCause : uint8_t {
  Start,       ///< the guest's initial CPL
  Interrupt,   ///< an exception or interrupt was delivered through the IDT
  Iret,        ///< IRET returned to another privilege level
  FarTransfer, ///< far CALL/JMP/RET, SYSENTER/SYSEXIT, SYSCALL/SYSRET or mode switch
};

/// The current privilege level changed.
struct RingEvent {
  uint8_t from = 0;
  uint8_t to = 0;
  RingCause cause = RingCause::Start;
  uint64_t rip = 0; ///< RIP after the change
  EventSource source = EventSource::Model;
};

/// A port I/O access.
struct IoEvent {
  uint16_t port = 0;
  uint8_t size = 1; ///< bytes: 1, 2 or 4
  bool write = false;
  uint32_t value = 0;
  uint32_t count = 1; ///< repetitions (string I/O)
  uint64_t rip = 0;
  EventSource source = EventSource::Model;
};

/// A memory-mapped device access.
struct MmioEvent {
  uint64_t gpa = 0;
  uint8_t size = 1;
  bool write = false;
  uint64_t value = 0;
  uint8_t device = 0; ///< platform device id (see platform/platform.h)
  EventSource source = EventSource::Model;
};

/// A hypercall (VMCALL) from a paravirtualized guest.
struct HypercallEvent {
  uint64_t nr = 0;
  std::array<uint64_t, 4> args{};
  uint64_t result = 0;
  uint64_t rip = 0;
};

/// One step of a page walk: the entry read at one level.
struct WalkStep {
  uint8_t level = 0;      ///< 4 = PML4 … 1 = PT (as the SDM numbers them)
  uint64_t tableAddr = 0; ///< physical address of the table
  uint16_t index = 0;     ///< index of the entry in that table
  uint64_t entry = 0;     ///< the entry's value
};

enum class WalkMode : uint8_t { Bits32, Pae, Long4, Ept };
enum class WalkPurpose : uint8_t { GuestTables, Shadow, Ept };

/// A page walk, with every table entry it read.
struct WalkEvent {
  uint64_t gva = 0;
  WalkMode mode = WalkMode::Bits32;
  WalkPurpose purpose = WalkPurpose::GuestTables;
  bool write = false, user = false, fetch = false; ///< the access being translated
  uint8_t stepCount = 0;
  std::array<WalkStep, 5> steps{};
  bool ok = false;        ///< translation succeeded
  uint64_t gpa = 0;       ///< result when ok
  uint64_t pageSize = 0;  ///< 4 KiB, 2 MiB, 4 MiB or 1 GiB when ok
  uint32_t faultCode = 0; ///< #PF error code when !ok
  uint8_t memoryRefs = 0; ///< memory references the walk made
  EventSource source = EventSource::Model;
  /// Links the events of one 2-D walk (the EPT walks and the guest walk they served); 0 for a
  /// walk that stands alone. See docs/trace-format.md.
  uint32_t walkId = 0;
  /// A failed EPT walk: 48 (EPT violation, `faultCode` = exit qualification) or 49 (EPT
  /// misconfiguration); 0 otherwise.
  uint16_t exitReason = 0;
};

enum class TlbOp : uint8_t { Fill, FlushPage, FlushAll, Hit, Miss, FlushVpid };

/// Why the TLB was flushed (flush operations only). PagingChange: MOV to CR0/CR4/EFER changed
/// paging; Vmm: the monitor flushed after changing translations (shadow paging).
enum class TlbCause : uint8_t {
  None,
  MovCr3,
  Invlpg,
  VmTransition,
  Invept,
  Invvpid,
  PagingChange,
  Vmm
};

/// A TLB lookup (hit or miss), fill or flush.
struct TlbEvent {
  TlbOp op = TlbOp::Fill;
  uint64_t va = 0;
  uint64_t pa = 0;
  uint64_t pageSize = 0;
  uint16_t vpid = 0; ///< the tag of the entries involved (0: untagged / the host's)
  TlbCause cause = TlbCause::None;
  /// A flush-page for INVLPG whose page the guest had remapped: its page-table entry differs
  /// from the one the last walk of the page read (the guest rewrote a live PTE: a `ptemod`).
  bool pteChanged = false;
};

/// Text the guest wrote to the debug console (0xE9) or the serial port (0x3F8).
struct ConsoleEvent {
  uint16_t port = 0;
  std::string text;
};

/// `VmcsEvent::region` of the VMCS Ringside's own VMM keeps for the guest.
inline constexpr uint64_t kVmmVmcs = ~0ull;

/// A VMCS field changed.
struct VmcsEvent {
  uint32_t encoding = 0;
  uint64_t oldValue = 0;
  uint64_t newValue = 0;
  /// Whose VMCS: kVmmVmcs, or the guest-physical address of a guest-written hypervisor's
  /// VMCS region.
  uint64_t region = kVmmVmcs;
};

/// A VMX instruction (VMXON … INVVPID) executed by a guest-written hypervisor, and its outcome
/// as the SDM's instruction pages define it.
struct VmxInsnEvent {
  std::string insn;     ///< "vmxon", "vmwrite", … (vmx/exit_decision.h names)
  std::string status;   ///< "VMsucceed", "VMfailInvalid", "VMfailValid", "#UD", … (vmxStatusName)
  uint32_t error = 0;   ///< VM-instruction error number for VMfailValid
  uint64_t operand = 0; ///< the region pointer, field encoding or INVEPT/INVVPID type
  uint64_t value = 0;   ///< VMREAD result or VMWRITE value
  uint64_t rip = 0;
  std::string why; ///< the SDM check that failed, when one did
};

/// Trap-and-emulate or binary translation: the VMM took over one guest-kernel instruction and
/// emulated it on the virtual CPU (docs/techniques.md).
struct TrapEvent {
  std::string insn; ///< the instruction, as the disassembler prints it
  uint64_t rip = 0;
  /// How the VMM got control: "gp" (the CPU raised #GP at ring 1), "io" (IN/OUT above IOPL,
  /// checked by the monitor) or "callout" (a BT-rewritten instruction called the VMM).
  std::string via;
};

/// Trap-and-emulate: a sensitive but unprivileged instruction ran at ring 1 without a trap and
/// the guest saw a value native execution would not have given (the x86 hole).
struct LeakEvent {
  std::string insn;
  uint64_t rip = 0;
  std::string what;      ///< the state involved ("GDTR.base", "RFLAGS.IF", "CS.RPL" …)
  uint64_t expected = 0; ///< what native execution gives (from the virtual CPU state)
  uint64_t seen = 0;     ///< what the guest got
};

/// Binary translation: a guest-kernel block was looked up in the translation cache.
struct TranslateEvent {
  uint64_t addr = 0; ///< linear address of the block
  bool hit = false;  ///< found in the cache (the text below comes only with a miss)
  uint32_t insns = 0;
  uint32_t rewritten = 0;     ///< instructions replaced by calls into the VMM
  std::string original;       ///< one instruction a line
  std::string translated;     ///< the same block with the rewritten instructions
  std::string rewrittenInsns; ///< the rewritten instructions, comma-separated
  /// The block ends with a near RET: the indirect branch a translator must look up in its
  /// cache (BT's call/ret penalty, counted once per execution, hit or miss).
  bool ret = false;
};

enum class StopKind : uint8_t { Hlt, ExitPort, Shutdown, Budget, Timeout, Error };

/// The run ended.
struct StopEvent {
  StopKind kind = StopKind::Error;
  int64_t code = 0;
  std::string message;
};

/// What a container (`ringside container`, docs/containers.md) did or saw, as the host kernel
/// reported it: a namespace made, a cgroup limit set, a system call of the workload, a limit
/// that bit, what the workload or the host sees.
struct ContainerEvent {
  std::string what;   ///< namespace, cgroup, syscall, limit, inside, host, skip, exit
  std::string name;   ///< e.g. pid, pids.max, getpid, fork, hostname
  int64_t value = 0;  ///< a syscall's return value, a limit, a PID, a count
  std::string detail; ///< readable text: an errno name, a file written, a value as text
  uint32_t pid = 0;   ///< host PID of the process concerned (0: none)
  std::string from;   ///< where it came from: ptrace, procfs, cgroupfs, clone, workload
};

using EventBody =
    std::variant<ExitEvent, EntryEvent, ExceptionEvent, RingEvent, IoEvent, MmioEvent,
                 HypercallEvent, WalkEvent, TlbEvent, ConsoleEvent, VmcsEvent, StopEvent,
                 VmxInsnEvent, ContainerEvent, TrapEvent, LeakEvent, TranslateEvent>;

struct Event {
  uint64_t seq = 0;          ///< 0, 1, 2 … in the order the events happened
  uint64_t instructions = 0; ///< guest instructions retired before the event
  EventBody body;
};

/// The JSON "kind" string of an event body ("exit", "entry", …).
const char *eventKindName(const EventBody &body);
const char *stopKindName(StopKind kind);
const char *ringCauseName(RingCause cause);
const char *walkModeName(WalkMode mode);
const char *walkPurposeName(WalkPurpose purpose);
const char *tlbOpName(TlbOp op);
const char *tlbCauseName(TlbCause cause);
const char *eventSourceName(EventSource source);

} // namespace ringside
