#include "views/transition_text.h"

#include "arch/exception_vectors.h"
#include "arch/exit_reasons.h"
#include "vmx/vmcs_fields.h"

#include <QCoreApplication>

namespace ringside::desktop {

namespace {

QString sv(std::string_view s) { return QString::fromLatin1(s.data(), static_cast<int>(s.size())); }
QString hex(uint64_t v) { return QStringLiteral("0x") + QString::number(v, 16); }

QString causeName(RingCause cause) {
  switch (cause) {
  case RingCause::Start:
    return QCoreApplication::translate("Transition", "start");
  case RingCause::Interrupt:
    return QCoreApplication::translate("Transition", "interrupt/exception");
  case RingCause::Iret:
    return QCoreApplication::translate("Transition", "IRET");
  case RingCause::FarTransfer:
    return QCoreApplication::translate("Transition", "far transfer / syscall");
  }
  return {};
}

} // namespace

QString transitionLabel(const Transition &t) {
  switch (t.kind) {
  case Transition::Exit:
    if (t.nested)
      return QCoreApplication::translate("Transition", "nested VM exit (L2 → L1): %1")
          .arg(sv(exitReasonName(t.code)));
    return QCoreApplication::translate("Transition", "VM exit: %1").arg(sv(exitReasonName(t.code)));
  case Transition::Entry:
    if (t.nested)
      return QCoreApplication::translate("Transition", "nested VM entry (L1 → L2)");
    return t.injecting ? QCoreApplication::translate("Transition", "VM entry, injects %1")
                             .arg(sv(exceptionName(static_cast<uint8_t>(t.code))))
                       : QCoreApplication::translate("Transition", "VM entry");
  case Transition::Ring:
    return QCoreApplication::translate("Transition", "ring %1 → %2: %3")
        .arg(t.fromCpl)
        .arg(t.toCpl)
        .arg(causeName(static_cast<RingCause>(t.code)));
  case Transition::Exception:
    return QCoreApplication::translate("Transition", "exception %1")
        .arg(sv(exceptionName(static_cast<uint8_t>(t.code))));
  case Transition::None:
    break;
  }
  return {};
}

QString eventSummary(const Event &event) {
  struct Text {
    QString operator()(const ExitEvent &e) const {
      return (e.nested
                  ? QCoreApplication::translate("Transition",
                                                "nested VM exit %1 at %2, qualification %3")
                  : QCoreApplication::translate("Transition", "VM exit %1 at %2, qualification %3"))
          .arg(sv(exitReasonName(e.reason)), hex(e.rip), hex(e.qualification));
    }
    QString operator()(const EntryEvent &e) const {
      if (e.nested)
        return QCoreApplication::translate("Transition", "nested VM entry at %1").arg(hex(e.rip));
      return e.injecting
                 ? QCoreApplication::translate("Transition", "VM entry at %1, injecting vector %2")
                       .arg(hex(e.rip))
                       .arg(e.vector)
                 : QCoreApplication::translate("Transition", "VM entry at %1").arg(hex(e.rip));
    }
    QString operator()(const ExceptionEvent &e) const {
      return QCoreApplication::translate("Transition", "exception %1 at %2")
          .arg(sv(exceptionName(e.vector)), hex(e.rip));
    }
    QString operator()(const RingEvent &e) const {
      return QCoreApplication::translate("Transition", "ring %1 → %2 (%3)")
          .arg(e.from)
          .arg(e.to)
          .arg(causeName(e.cause));
    }
    QString operator()(const IoEvent &e) const {
      return (e.write ? QCoreApplication::translate("Transition", "OUT port %1 ← %2")
                      : QCoreApplication::translate("Transition", "IN port %1 → %2"))
          .arg(hex(e.port), hex(e.value));
    }
    QString operator()(const MmioEvent &e) const {
      return (e.write ? QCoreApplication::translate("Transition", "MMIO write %1 ← %2")
                      : QCoreApplication::translate("Transition", "MMIO read %1 → %2"))
          .arg(hex(e.gpa), hex(e.value));
    }
    QString operator()(const HypercallEvent &e) const {
      return QCoreApplication::translate("Transition", "hypercall %1 → %2")
          .arg(e.nr)
          .arg(hex(e.result));
    }
    QString operator()(const WalkEvent &e) const {
      return e.ok ? QCoreApplication::translate("Transition", "page walk %1 → %2 (%3 references)")
                        .arg(hex(e.gva), hex(e.gpa))
                        .arg(e.memoryRefs)
                  : QCoreApplication::translate("Transition", "page walk %1 faults (error code %2)")
                        .arg(hex(e.gva), hex(e.faultCode));
    }
    QString operator()(const TlbEvent &e) const {
      return QCoreApplication::translate("Transition", "TLB %1 %2")
          .arg(QString::fromLatin1(tlbOpName(e.op)), hex(e.va));
    }
    QString operator()(const ConsoleEvent &e) const {
      return QCoreApplication::translate("Transition", "console: \"%1\"")
          .arg(QString::fromUtf8(e.text.data(), static_cast<int>(e.text.size()))
                   .toHtmlEscaped()
                   .replace(QLatin1Char('\n'), QStringLiteral("\\n")));
    }
    QString operator()(const VmcsEvent &e) const {
      if (e.region != kVmmVmcs)
        return QCoreApplication::translate("Transition",
                                           "VMCS at %1 (guest hypervisor's) %2: %3 → %4")
            .arg(hex(e.region), sv(vmcsFieldName(e.encoding)), hex(e.oldValue), hex(e.newValue));
      return QCoreApplication::translate("Transition", "VMCS %1: %2 → %3")
          .arg(sv(vmcsFieldName(e.encoding)), hex(e.oldValue), hex(e.newValue));
    }
    QString operator()(const StopEvent &e) const {
      return QCoreApplication::translate("Transition", "stop: %1 %2")
          .arg(QString::fromLatin1(stopKindName(e.kind)), QString::fromStdString(e.message));
    }
    QString operator()(const VmxInsnEvent &e) const {
      return QCoreApplication::translate("Transition", "guest hypervisor: %1 → %2")
          .arg(QString::fromStdString(e.insn), QString::fromStdString(e.status));
    }
    QString operator()(const ContainerEvent &e) const {
      return QCoreApplication::translate("Transition", "container %1 %2 = %3 %4")
          .arg(QString::fromStdString(e.what), QString::fromStdString(e.name))
          .arg(e.value)
          .arg(QString::fromStdString(e.detail));
    }
    QString operator()(const TrapEvent &e) const {
      return QCoreApplication::translate("Transition", "trap (%1) at %2: VMM emulates %3")
          .arg(QString::fromStdString(e.via), hex(e.rip), QString::fromStdString(e.insn));
    }
    QString operator()(const LeakEvent &e) const {
      return QCoreApplication::translate("Transition",
                                         "leak at %1: %2 — %3 expected %4, guest saw %5 (no trap)")
          .arg(hex(e.rip), QString::fromStdString(e.insn), QString::fromStdString(e.what),
               hex(e.expected), hex(e.seen));
    }
    QString operator()(const TranslateEvent &e) const {
      if (e.hit)
        return QCoreApplication::translate("Transition", "translation cache hit: block %1")
            .arg(hex(e.addr));
      return QCoreApplication::translate("Transition",
                                         "translated block %1: %2 instructions, %3 rewritten (%4)")
          .arg(hex(e.addr))
          .arg(e.insns)
          .arg(e.rewritten)
          .arg(QString::fromStdString(e.rewrittenInsns));
    }
  };
  return QStringLiteral("#%1  ").arg(event.seq) + std::visit(Text{}, event.body);
}

} // namespace ringside::desktop
