#include "diff/compare.h"

#include "diff/diff_masks.h"
#include "util/hex.h"

#include <algorithm>
#include <cstdio>

namespace ringside::diff {
namespace {

// Printable form of console text: control characters escaped so a difference fits one line.
std::string quoted(const std::string &s, size_t from, size_t maxLen = 40) {
  std::string out = "\"";
  for (size_t i = from; i < s.size() && i < from + maxLen; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\n')
      out += "\\n";
    else if (c < 0x20 || c >= 0x7F)
      out += "\\x" + hex(c).substr(2);
    else
      out += static_cast<char>(c);
  }
  if (s.size() > from + maxLen)
    out += "…";
  return out + "\"";
}

struct RegField {
  const char *name;
  uint64_t GuestRegs::*member;
  const char *meaning;
};

// The final-state fields beyond the general registers, in report order.
const RegField kRegFields[] = {
    {"rip", &GuestRegs::rip, "the guests stopped at different instructions"},
    {"rflags", &GuestRegs::rflags, "the final flags differ (check for undefined flags)"},
    {"cr0", &GuestRegs::cr0, "the guests left different CR0 modes"},
    {"cr2", &GuestRegs::cr2, "the last page-fault address differs"},
    {"cr3", &GuestRegs::cr3, "the guests use different page-table roots"},
    {"cr4", &GuestRegs::cr4, "the guests left different CR4 features on"},
    {"efer", &GuestRegs::efer, "the guests left different EFER modes"},
};

void compareStop(const RunRecord &a, const RunRecord &b, std::vector<Difference> &out) {
  if (a.stop.kind != b.stop.kind)
    out.push_back({"stop.kind", stopKindName(a.stop.kind), stopKindName(b.stop.kind),
                   "the guests stopped for different reasons (" + a.backend + ": " +
                       a.stop.message + "; " + b.backend + ": " + b.stop.message + ")"});
  else if (a.stop.code != b.stop.code)
    out.push_back({"stop.code", std::to_string(a.stop.code), std::to_string(b.stop.code),
                   "the guests reported different exit codes"});
}

void compareConsole(const RunRecord &a, const RunRecord &b, std::vector<Difference> &out) {
  if (a.console == b.console)
    return;
  auto mismatch =
      std::mismatch(a.console.begin(), a.console.end(), b.console.begin(), b.console.end());
  auto at = static_cast<size_t>(mismatch.first - a.console.begin());
  out.push_back({"console", quoted(a.console, at), quoted(b.console, at),
                 "console output differs from byte " + std::to_string(at) + " (lengths " +
                     std::to_string(a.console.size()) + " and " + std::to_string(b.console.size()) +
                     ")"});
}

void compareValue(const char *name, uint64_t va, uint64_t vb, const char *meaning,
                  std::vector<Difference> &out) {
  uint64_t keep = ~ignoredBits(name);
  if ((va & keep) == (vb & keep))
    return;
  std::string why = meaning;
  if (keep != ~0ull)
    why += " (bits " + hex(~keep) + " are masked: " + std::string(maskReason(name)) + ")";
  out.push_back({name, hex(va), hex(vb), why});
}

void compareRegs(const GuestRegs &a, const GuestRegs &b, std::vector<Difference> &out) {
  for (unsigned i = 0; i < a.gpr.size(); ++i)
    compareValue(gprName(i), a.gpr[i], b.gpr[i], "a general register differs at the stop", out);
  for (const auto &f : kRegFields)
    compareValue(f.name, a.*f.member, b.*f.member, f.meaning, out);
  compareValue("cs", a.cs, b.cs, "the code segment selector differs", out);
  compareValue("ss", a.ss, b.ss, "the stack segment selector differs", out);
  compareValue("cpl", a.cpl, b.cpl, "the guests stopped at different privilege levels", out);
}

bool sameIo(const IoAccess &x, const IoAccess &y) {
  return x.port == y.port && x.write == y.write && x.size == y.size &&
         (!x.value || !y.value || *x.value == *y.value);
}

bool sameMmio(const MmioAccess &x, const MmioAccess &y) {
  return x.gpa == y.gpa && x.write == y.write && x.size == y.size && x.value == y.value;
}

// Reports the first element that differs (one line is enough to start debugging), or the
// length difference when one sequence is a prefix of the other.
template <class T, class Same>
void compareSequence(const char *name, const std::vector<T> &a, const std::vector<T> &b, Same same,
                     std::vector<Difference> &out) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (!same(a[i], b[i])) {
      out.push_back(
          {std::string(name) + "[" + std::to_string(i) + "]", describe(a[i]), describe(b[i]),
           "the " + std::string(name) + " sequences diverge at access " + std::to_string(i) +
               " (of " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + ")"});
      return;
    }
  }
  if (a.size() != b.size())
    out.push_back(
        {std::string(name) + ".length", std::to_string(a.size()), std::to_string(b.size()),
         "one backend made " + std::to_string(a.size() > b.size() ? a.size() - n : b.size() - n) +
             " more " + name + " accesses after the common prefix"});
}

void compareRam(const RunRecord &a, const RunRecord &b, std::vector<Difference> &out) {
  if (!a.ram || !b.ram)
    return;
  const auto &pa = a.ram->pageHashes, &pb = b.ram->pageHashes;
  if (pa.size() != pb.size()) {
    out.push_back({"ram.size", std::to_string(pa.size() * 4096), std::to_string(pb.size() * 4096),
                   "the backends have different RAM sizes"});
    return;
  }
  std::vector<uint64_t> pages;
  for (size_t i = 0; i < pa.size(); ++i)
    if (pa[i] != pb[i])
      pages.push_back(i * 4096);
  if (pages.empty())
    return;
  std::string where;
  for (size_t i = 0; i < pages.size() && i < 4; ++i)
    where += (i ? ", " : "") + hex(pages[i]);
  if (pages.size() > 4)
    where += ", …";
  out.push_back({"ram", hex(a.ram->total), hex(b.ram->total),
                 std::to_string(pages.size()) + " page(s) of guest RAM differ: " + where});
}

} // namespace

std::string describe(const IoAccess &x) {
  std::string s = std::string(x.write ? "out " : "in ") + hex(x.port) + " size " +
                  std::to_string(x.size) + " value ";
  return s + (x.value ? hex(*x.value) : "?");
}

std::string describe(const MmioAccess &x) {
  return std::string(x.write ? "write " : "read ") + hex(x.gpa) + " size " +
         std::to_string(x.size) + " value " + hex(x.value);
}

std::vector<Difference> compareRecords(const RunRecord &a, const RunRecord &b) {
  std::vector<Difference> out;
  compareStop(a, b, out);
  compareConsole(a, b, out);
  compareRegs(a.regs, b.regs, out);
  compareSequence("io", a.io, b.io, sameIo, out);
  compareSequence("mmio", a.mmio, b.mmio, sameMmio, out);
  compareRam(a, b, out);
  return out;
}

} // namespace ringside::diff
