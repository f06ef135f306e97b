#include "kernel_trace_parse.h"

#include "arch/exit_reasons.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace ringside::kvm {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

std::string_view trim(std::string_view s) {
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos)
    return {};
  const size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

/// Takes the next whitespace-separated token off the front of `s`.
std::string_view nextToken(std::string_view &s) {
  s = trim(s);
  const size_t end = s.find_first_of(kSpace);
  const std::string_view tok = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return tok;
}

template <typename T> std::optional<T> parseNumber(std::string_view s, int base) {
  if (base == 16 && s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    s.remove_prefix(2);
  T value{};
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value, base);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
    return std::nullopt;
  return value;
}

template <typename T> std::optional<T> parseHex(std::string_view s) {
  return parseNumber<T>(s, 16);
}

bool isDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// "2338.852370" (seconds.fraction) or a bare counter, without the trailing ':'.
std::optional<uint64_t> parseTimestamp(std::string_view s) {
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (!isDigits(whole) || (dot != std::string_view::npos && !isDigits(frac)) || frac.size() > 9)
    return std::nullopt;
  const auto secs = parseNumber<uint64_t>(whole, 10);
  if (!secs || *secs > UINT64_MAX / 1'000'000'000)
    return std::nullopt;
  uint64_t ns = 0;
  for (size_t i = 0; i < 9; ++i)
    ns = ns * 10 + (i < frac.size() ? uint64_t(frac[i] - '0') : 0);
  return *secs * 1'000'000'000 + ns;
}

bool isEventName(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// Position of the "[cpu]" field: a '[' after a space, digits, ']'.
size_t findCpuField(std::string_view line) {
  for (size_t pos = line.find(" ["); pos != std::string_view::npos;
       pos = line.find(" [", pos + 1)) {
    const size_t close = line.find(']', pos + 2);
    if (close != std::string_view::npos && isDigits(line.substr(pos + 2, close - pos - 2)))
      return pos + 1;
  }
  return std::string_view::npos;
}

/// SVM exit names are printed in lower case ("npf", "io", "write_cr0") or as "GP excp"; every VMX
/// name is upper case. That rule, not a copy of the SVM table, keeps SVM records out of the VMX
/// reason numbers.
bool looksLikeSvmReason(std::string_view r) {
  if (r.size() == 7 && r.substr(2) == " excp")
    return true;
  // Numbers ("0x7b", printed when the kernel's table lacks the code) are not names.
  return isEventName(r) && r.front() >= 'a' && r.front() <= 'z';
}

constexpr uint32_t kFailedVmEntry = 0x80000000u;
constexpr std::string_view kFailedVmEntryText = "FAILED_VMENTRY";

/// The reason text: a VMX name, EXIT_REASON_<name>, or the number printed when the kernel's
/// table lacks it ("0x44" by __print_symbolic; decimal from some tools).
std::optional<uint32_t> vmxReasonNumber(std::string_view text) {
  if (text.starts_with("EXIT_REASON_"))
    text.remove_prefix(12);
  if (auto n = exitReasonByName(text))
    return *n;
  if (text.starts_with("0x"))
    return parseHex<uint32_t>(text);
  return parseNumber<uint32_t>(text, 10);
}

// Paging structures as the kernel's walker reports them, keyed by the top level it starts at.
struct PagingShape {
  uint8_t topLevel;
  WalkMode mode;
  uint8_t indexBits;  ///< bits of linear address per level
  uint64_t frameMask; ///< physical frame bits of an entry
};
constexpr std::array kPagingShapes = {
    PagingShape{4, WalkMode::Long4, 9, 0x000FFFFFFFFFF000ull},
    PagingShape{3, WalkMode::Pae, 9, 0x000FFFFFFFFFF000ull},
    PagingShape{2, WalkMode::Bits32, 10, 0xFFFFF000ull},
};

const PagingShape *shapeFor(uint8_t topLevel) {
  for (const auto &s : kPagingShapes)
    if (s.topLevel == topLevel)
      return &s;
  return nullptr;
}

constexpr uint32_t kPferrWrite = 1u << 1, kPferrUser = 1u << 2, kPferrFetch = 1u << 4;
constexpr uint64_t kPtePresent = 1, kPtePageSize = 1u << 7;

/// Index of the entry at `level` for `gva`; PAE's top table has only 4 entries.
uint16_t entryIndex(const PagingShape &shape, uint8_t level, uint64_t gva) {
  const unsigned shift = 12 + shape.indexBits * (level - 1);
  const uint64_t mask =
      (shape.mode == WalkMode::Pae && level == 3) ? 3 : (1u << shape.indexBits) - 1;
  return static_cast<uint16_t>((gva >> shift) & mask);
}

/// Fills ok / gpa / pageSize from the last entry when it maps a page.
void finishTranslation(const PagingShape &shape, WalkEvent &w) {
  const WalkStep &last = w.steps[w.stepCount - 1];
  const bool leaf = last.level == 1 || (last.level <= 3 && (last.entry & kPtePageSize));
  if (!(last.entry & kPtePresent) || !leaf)
    return; // the buffer ended mid-walk: no translation to report
  const unsigned shift = 12 + shape.indexBits * (last.level - 1);
  w.pageSize = uint64_t{1} << shift;
  uint64_t frame = last.entry & shape.frameMask & ~(w.pageSize - 1);
  if (shape.mode == WalkMode::Bits32 && last.level == 2) // PSE-36: bits 13..20 are PA 32..39
    frame |= ((last.entry >> 13) & 0xFF) << 32;
  w.gpa = frame | (w.gva & (w.pageSize - 1));
  w.ok = true;
}

} // namespace

std::optional<TraceLine> parseTraceLine(std::string_view raw) {
  const std::string_view line = trim(raw);
  if (line.empty() || line.front() == '#')
    return std::nullopt;
  const size_t cpuPos = findCpuField(line);
  if (cpuPos == std::string_view::npos)
    return std::nullopt;
  TraceLine out;
  std::string_view head = trim(line.substr(0, cpuPos));
  if (head.ends_with(')')) { // record-tgid adds "(tgid)" before the cpu
    const size_t open = head.rfind('(');
    if (open == std::string_view::npos)
      return std::nullopt;
    head = trim(head.substr(0, open));
  }
  const size_t dash = head.rfind('-');
  if (dash == std::string_view::npos)
    return std::nullopt;
  const auto pid = parseNumber<int32_t>(head.substr(dash + 1), 10);
  if (!pid)
    return std::nullopt;
  out.pid = *pid;
  out.task = head.substr(0, dash);

  const size_t cpuEnd = line.find(']', cpuPos);
  const auto cpu = parseNumber<uint32_t>(line.substr(cpuPos + 1, cpuEnd - cpuPos - 1), 10);
  if (!cpu)
    return std::nullopt;
  out.cpu = *cpu;

  std::string_view rest = line.substr(cpuEnd + 1);
  std::string_view tok = nextToken(rest);
  if (!tok.ends_with(':')) // irq-info flags ("d..1.") come first unless that option is off
    tok = nextToken(rest);
  if (!tok.ends_with(':'))
    return std::nullopt;
  const auto ts = parseTimestamp(tok.substr(0, tok.size() - 1));
  if (!ts)
    return std::nullopt;
  out.timestampNs = *ts;

  rest = trim(rest);
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || !isEventName(rest.substr(0, colon)))
    return std::nullopt;
  out.event = rest.substr(0, colon);
  out.payload = trim(rest.substr(colon + 1));
  return out;
}

std::optional<KvmExitRecord> parseKvmExitPayload(std::string_view payload) {
  std::string_view p = trim(payload);
  KvmExitRecord rec;
  if (p.starts_with("vcpu ")) {
    p.remove_prefix(5);
    const auto vcpu = parseNumber<uint32_t>(nextToken(p), 10);
    if (!vcpu)
      return std::nullopt;
    rec.vcpu = *vcpu;
    p = trim(p);
  }
  if (!p.starts_with("reason "))
    return std::nullopt;
  p.remove_prefix(7);
  const size_t ripPos = p.find(" rip ");
  if (ripPos == std::string_view::npos)
    return std::nullopt;
  std::string_view reason = trim(p.substr(0, ripPos));
  p = p.substr(ripPos + 5);

  const auto rip = parseHex<uint64_t>(nextToken(p));
  if (!rip)
    return std::nullopt;
  bool haveInfo1 = false;
  std::optional<uint32_t> isa;
  while (!trim(p).empty()) {
    const std::string_view key = nextToken(p);
    if (key == "info") { // pre-5.11: "info %llx %llx"
      const auto a = parseHex<uint64_t>(nextToken(p));
      const auto b = parseHex<uint64_t>(nextToken(p));
      if (!a || !b)
        return std::nullopt;
      rec.exit.qualification = *a;
      rec.info2 = *b;
      haveInfo1 = true;
    } else if (key == "info1" || key == "info2" || key == "requests") {
      const auto v = parseHex<uint64_t>(nextToken(p));
      if (!v)
        return std::nullopt;
      if (key == "info1")
        rec.exit.qualification = *v, haveInfo1 = true;
      else if (key == "info2")
        rec.info2 = *v;
    } else if (key == "intr_info" || key == "error_code" || key == "isa") {
      const auto v =
          key == "isa" ? parseNumber<uint32_t>(nextToken(p), 10) : parseHex<uint32_t>(nextToken(p));
      if (!v)
        return std::nullopt;
      if (key == "isa")
        isa = *v;
      else if (key == "intr_info")
        rec.intrInfo = *v;
      else if (key == "error_code")
        rec.errorCode = *v;
    } // anything else ("[guest]", "[imm exit]") is decoration
  }
  if (!haveInfo1 || reason.empty())
    return std::nullopt;

  constexpr uint32_t kIsaSvm = 2;
  if ((isa && *isa == kIsaSvm) || (!isa && looksLikeSvmReason(reason))) {
    rec.isa = ExitIsa::Svm;
    rec.svmReason = std::string(reason);
    return rec;
  }
  if (reason.ends_with(kFailedVmEntryText)) {
    rec.failedEntry = true;
    reason = trim(reason.substr(0, reason.size() - kFailedVmEntryText.size()));
  }
  const auto number = vmxReasonNumber(reason);
  if (!number)
    return std::nullopt;
  rec.failedEntry = rec.failedEntry || (*number & kFailedVmEntry);
  rec.exit.reason = static_cast<uint16_t>(*number & 0xFFFF);
  rec.exit.rip = *rip;
  rec.exit.source = EventSource::KernelTrace;
  return rec;
}

std::vector<WalkAssembler::Done> WalkAssembler::feed(const TraceLine &line) {
  std::vector<Done> done;
  const auto it = open_.find(line.pid);
  if (line.event == "kvm_mmu_paging_element") {
    if (it == open_.end())
      return done; // the buffer started mid-walk
    std::string_view p = line.payload;
    Open &o = it->second;
    const bool pteKey = nextToken(p) == "pte";
    const auto pte = parseHex<uint64_t>(nextToken(p));
    const bool levelKey = nextToken(p) == "level";
    const auto level = parseNumber<uint8_t>(nextToken(p), 10);
    WalkEvent &w = o.walk;
    const bool inOrder =
        w.stepCount == 0 || (level && *level + 1 == w.steps[w.stepCount - 1].level);
    if (!pteKey || !levelKey || !pte || !level || *level < 1 || !inOrder ||
        w.stepCount == w.steps.size()) {
      o.broken = true;
      return done;
    }
    w.steps[w.stepCount++] = WalkStep{*level, 0, 0, *pte};
    return done;
  }
  if (line.event == "kvm_mmu_walker_error") {
    std::string_view p = line.payload;
    const bool pferrKey = nextToken(p) == "pferr";
    const auto pferr = parseHex<uint32_t>(nextToken(p));
    if (it != open_.end()) {
      if (!pferrKey || !pferr)
        it->second.broken = true;
      if (auto d = close(line.pid, pferr.value_or(0)))
        done.push_back(*d);
    }
    return done;
  }
  if (it != open_.end())
    if (auto d = close(line.pid, std::nullopt))
      done.push_back(*d);
  if (line.event == "kvm_mmu_pagetable_walk") {
    std::string_view p = line.payload;
    const bool addrKey = nextToken(p) == "addr";
    const auto addr = parseHex<uint64_t>(nextToken(p));
    const bool pferrKey = nextToken(p) == "pferr";
    const auto pferr = parseHex<uint32_t>(nextToken(p));
    if (!addrKey || !addr || !pferrKey || !pferr)
      return done;
    Open o;
    o.timestampNs = line.timestampNs;
    o.walk.gva = *addr;
    o.walk.purpose = WalkPurpose::GuestTables;
    o.walk.write = *pferr & kPferrWrite;
    o.walk.user = *pferr & kPferrUser;
    o.walk.fetch = *pferr & kPferrFetch;
    o.walk.source = EventSource::KernelTrace;
    open_[line.pid] = o;
  }
  return done;
}

std::vector<WalkAssembler::Done> WalkAssembler::finish() {
  std::vector<Done> done;
  while (!open_.empty())
    if (auto d = close(open_.begin()->first, std::nullopt))
      done.push_back(*d);
  return done;
}

std::optional<WalkAssembler::Done> WalkAssembler::close(int32_t pid,
                                                        std::optional<uint32_t> walkerError) {
  const auto it = open_.find(pid);
  if (it == open_.end())
    return std::nullopt;
  Open o = it->second;
  open_.erase(it);
  WalkEvent &w = o.walk;
  if (o.broken || (w.stepCount == 0 && !walkerError))
    return std::nullopt;
  const PagingShape *shape = w.stepCount ? shapeFor(w.steps[0].level) : &kPagingShapes[0];
  if (!shape) // 5-level paging: WalkMode cannot say so, and a wrong label is worse than none
    return std::nullopt;
  w.mode = shape->mode;
  for (uint8_t i = 0; i < w.stepCount; ++i) {
    WalkStep &s = w.steps[i];
    // The top table's address is CR3's, which the tracepoints do not carry.
    s.tableAddr = i == 0 ? 0 : (w.steps[i - 1].entry & shape->frameMask);
    s.index = entryIndex(*shape, s.level, w.gva);
  }
  w.memoryRefs = w.stepCount;
  if (walkerError)
    w.faultCode = *walkerError;
  else
    finishTranslation(*shape, w);
  return Done{pid, o.timestampNs, w};
}

KernelTraceParse parseKernelTrace(const std::vector<std::string> &lines) {
  KernelTraceParse out;
  WalkAssembler walks;
  const auto addWalks = [&out](const std::vector<WalkAssembler::Done> &done) {
    for (const auto &d : done)
      out.events.push_back(KernelTraceEvent{d.pid, d.timestampNs, d.walk});
  };
  for (const std::string &raw : lines) {
    const auto line = parseTraceLine(raw);
    if (!line)
      continue;
    auto counted = out.linesPerEvent.find(line->event);
    if (counted == out.linesPerEvent.end())
      counted = out.linesPerEvent.emplace(std::string(line->event), 0).first;
    ++counted->second;
    addWalks(walks.feed(*line));
    if (line->event != "kvm_exit")
      continue;
    const auto rec = parseKvmExitPayload(line->payload);
    if (!rec)
      ++out.malformedLines;
    else if (rec->isa == ExitIsa::Svm)
      ++out.unsupportedExits;
    else
      out.events.push_back(KernelTraceEvent{line->pid, line->timestampNs, rec->exit});
  }
  addWalks(walks.finish());
  // Walks are emitted when they end; the kernel's timestamps restore the order they began in.
  std::stable_sort(out.events.begin(), out.events.end(),
                   [](const auto &a, const auto &b) { return a.timestampNs < b.timestampNs; });
  return out;
}

} // namespace ringside::kvm
