#include "grading/lab_spec.h"
#include "vmm/technique.h"

#include "errors.h"
#include "util/toml_table.h"
#include "vmx/vmcs_fields.h"

#include <toml++/toml.h>

#include <array>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace ringside::grading {
namespace {

constexpr std::array kCheckTypes = {"console", "stop", "register", "memory",    "count", "sequence",
                                    "none",    "ring", "walk",     "hypercall", "vmcs"};

// Register names: 64-bit names in GuestRegs::gpr order, then their 32-bit forms.
constexpr std::array kGpr64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                               "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr std::array kGpr32 = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                               "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
constexpr std::array kOtherRegs = {"rip", "rflags", "cr0", "cr2", "cr3",
                                   "cr4", "efer",   "cs",  "ss",  "cpl"};

std::optional<StopKind> stopKindByName(const std::string &name) {
  for (auto kind : {StopKind::Hlt, StopKind::ExitPort, StopKind::Shutdown, StopKind::Budget,
                    StopKind::Timeout, StopKind::Error})
    if (name == stopKindName(kind))
      return kind;
  return std::nullopt;
}

/// `bytes = [..]`, `text = ".."`, `u16/u32/u64 = [..]` (little-endian): exactly one.
std::optional<std::vector<uint8_t>> readBytes(TomlTable &t) {
  std::optional<std::vector<uint8_t>> out;
  auto once = [&](const std::string &key) {
    if (out)
      t.fail(key, "give only one of bytes, text, u16, u32, u64");
    out.emplace();
  };
  if (auto text = t.text("text")) {
    once("text");
    out->assign(text->begin(), text->end());
  }
  const std::pair<const char *, unsigned> widths[] = {
      {"bytes", 1}, {"u16", 2}, {"u32", 4}, {"u64", 8}};
  for (auto [key, width] : widths) {
    const toml::array *a = t.array(key);
    if (!a)
      continue;
    once(key);
    for (const auto &element : *a) {
      uint64_t v = t.toNumber(key, element);
      if (width < 8 && v >> (8 * width))
        t.fail(key, "value " + std::to_string(v) + " does not fit in " + std::to_string(8 * width) +
                        " bits");
      for (unsigned i = 0; i < width; ++i)
        out->push_back(static_cast<uint8_t>(v >> (8 * i)));
    }
  }
  return out;
}

MemoryBlock readMemoryBlock(TomlTable &t) {
  MemoryBlock block;
  auto address = t.number("address");
  if (!address)
    t.fail("address", "missing (required)");
  block.address = *address;
  auto bytes = readBytes(t);
  if (!bytes || bytes->empty())
    t.fail("bytes", "missing: give bytes, text, u16, u32 or u64 (non-empty)");
  if (bytes->size() > (64u << 20))
    t.fail("bytes", "more than 64 MiB");
  block.bytes = std::move(*bytes);
  return block;
}

EventQuery selector(TomlTable &t, const std::string &key, const std::string &text) {
  try {
    return parseEventQuery(text);
  } catch (const InputError &e) {
    t.fail(key, e.what());
  }
}

/// Selector text for the sugar types, from their keys.
std::string sugarSelector(TomlTable &t, CheckType type) {
  std::string conds;
  auto add = [&](const std::string &cond) { conds += (conds.empty() ? "" : ",") + cond; };
  auto num = [&](const std::string &key, const std::string &field) {
    if (auto v = t.number(key))
      add(field + "=" + std::to_string(*v));
  };
  switch (type) {
  case CheckType::Ring:
    num("from", "from");
    num("to", "to");
    return "ring[" + conds + "]";
  case CheckType::Walk: {
    if (!t.has("gva"))
      t.fail("gva", "missing (required for a walk check)");
    num("gva", "gva");
    add("ok=true");
    num("gpa", "gpa");
    num("refs", "refs");
    if (auto purpose = t.text("purpose"))
      add("purpose=" + *purpose);
    return "walk[" + conds + "]";
  }
  case CheckType::Hypercall: {
    num("nr", "nr");
    if (const toml::array *args = t.array("args")) {
      if (args->size() > 4)
        t.fail("args", "a hypercall has at most 4 arguments");
      for (size_t i = 0; i < args->size(); ++i)
        add("arg" + std::to_string(i) + "=" + std::to_string(t.toNumber("args", (*args)[i])));
    }
    return "hypercall[" + conds + "]";
  }
  default:
    return "";
  }
}

Check readCheck(TomlTable &t) {
  Check c;
  c.name = t.text("name").value_or("");
  const std::string type = t.requiredText("type");
  size_t index = 0;
  while (index < kCheckTypes.size() && type != kCheckTypes[index])
    ++index;
  if (index == kCheckTypes.size())
    t.fail("type", "unknown check type '" + type +
                       "' (expected console, stop, register, memory, count, sequence, none, "
                       "ring, walk, hypercall or vmcs)");
  c.type = static_cast<CheckType>(index);
  if (auto points = t.real("points"))
    c.points = *points;
  c.partial = t.flag("partial").value_or(false);
  if (c.partial && c.type != CheckType::Memory && c.type != CheckType::Sequence)
    t.fail("partial", "partial credit applies to memory and sequence checks only");
  if (c.name.empty())
    c.name = type;

  switch (c.type) {
  case CheckType::Console: {
    c.exact = t.text("exact");
    c.contains = t.text("contains");
    c.regex = t.text("regex");
    if (int(c.exact.has_value()) + int(c.contains.has_value()) + int(c.regex.has_value()) != 1)
      t.fail("exact", "a console check needs exactly one of exact, contains, regex");
    if (c.regex) {
      try {
        std::regex probe(*c.regex, std::regex::ECMAScript);
      } catch (const std::regex_error &e) {
        t.fail("regex", std::string("invalid regular expression: ") + e.what());
      }
    }
    break;
  }
  case CheckType::Stop: {
    if (auto kind = t.text("kind")) {
      c.stopKind = stopKindByName(*kind);
      if (!c.stopKind)
        t.fail("kind", "unknown stop kind '" + *kind +
                           "' (expected hlt, exit-port, shutdown, budget, timeout or error)");
    }
    if (auto code = t.number("code"))
      c.exitCode = static_cast<int64_t>(*code);
    if (!c.stopKind && !c.exitCode)
      t.fail("kind", "a stop check needs kind, code or both");
    break;
  }
  case CheckType::Register: {
    c.reg = t.requiredText("reg");
    if (!isRegisterName(c.reg))
      t.fail("reg", "unknown register '" + c.reg + "'");
    auto value = t.number("value");
    if (!value)
      t.fail("value", "missing (required)");
    c.value = *value;
    c.mask = t.number("mask").value_or(c.mask);
    break;
  }
  case CheckType::Memory:
    c.memory = readMemoryBlock(t);
    break;
  case CheckType::Count:
  case CheckType::None: {
    c.query = selector(t, "event", t.requiredText("event"));
    if (c.type == CheckType::None) {
      c.atMost = 0;
      break;
    }
    c.exactly = t.number("exactly");
    c.atLeast = t.number("at_least");
    c.atMost = t.number("at_most");
    if (!c.exactly && !c.atLeast && !c.atMost)
      t.fail("event", "a count check needs exactly, at_least or at_most");
    if (c.exactly && (c.atLeast || c.atMost))
      t.fail("exactly", "give exactly, or at_least/at_most, not both");
    break;
  }
  case CheckType::Sequence: {
    const toml::array *events = t.array("events");
    if (!events || events->empty())
      t.fail("events", "missing: a sequence check needs a non-empty list of selectors");
    for (const auto &e : *events) {
      if (!e.is_string())
        t.fail("events", "expected a list of selector strings");
      c.sequence.push_back(selector(t, "events", *e.value<std::string>()));
    }
    break;
  }
  case CheckType::Ring:
  case CheckType::Walk:
  case CheckType::Hypercall:
    c.query = selector(t, "type", sugarSelector(t, c.type));
    c.atLeast = t.number("at_least").value_or(1);
    break;
  case CheckType::Vmcs: {
    const toml::node *field = t.node("field");
    if (!field)
      t.fail("field", "missing (a VMCS field name such as GUEST_RIP, or its encoding)");
    if (field->is_string()) {
      const auto *info = findVmcsField(*field->value<std::string>());
      if (!info)
        t.fail("field", "unknown VMCS field '" + *field->value<std::string>() + "'");
      c.vmcsEncoding = info->encoding;
    } else {
      c.vmcsEncoding = static_cast<uint32_t>(t.toNumber("field", *field));
      if (!findVmcsField(c.vmcsEncoding))
        t.fail("field", "unknown VMCS field encoding");
    }
    auto value = t.number("value");
    if (!value)
      t.fail("value", "missing (required)");
    c.value = *value;
    c.mask = t.number("mask").value_or(c.mask);
    break;
  }
  }
  t.finish();
  return c;
}

TestCase readCase(TomlTable &t) {
  TestCase tc;
  tc.name = t.requiredText("name");
  tc.hidden = t.flag("hidden").value_or(false);
  tc.stubAddress = t.number("stub_address").value_or(tc.stubAddress);
  if (const toml::table *regs = t.subtable("regs")) {
    TomlTable r(*regs, t.keyPath("regs"), t.file());
    for (const auto &[key, value] : *regs) {
      const std::string name(key.str());
      if (!isRegisterName(name) || name == "rip" || name == "rflags" || name.starts_with("cr") ||
          name == "efer" || name == "cs" || name == "ss" || name == "cpl")
        r.fail(name, "register inputs are general registers only (rax…r15, eax…r15d)");
      tc.regs.emplace_back(name, r.number(name).value_or(0));
    }
  }
  if (const toml::array *memory = t.array("memory")) {
    for (size_t i = 0; i < memory->size(); ++i) {
      const auto *m = (*memory)[i].as_table();
      if (!m)
        t.fail("memory", "expected [[case.memory]] tables");
      TomlTable mt(*m, t.keyPath("memory[" + std::to_string(i) + "]"), t.file());
      tc.memory.push_back(readMemoryBlock(mt));
      mt.finish();
    }
  }
  const toml::array *checks = t.array("check");
  if (!checks || checks->empty())
    t.fail("check", "a case needs at least one [[case.check]]");
  for (size_t i = 0; i < checks->size(); ++i) {
    const auto *c = (*checks)[i].as_table();
    if (!c)
      t.fail("check", "expected [[case.check]] tables");
    TomlTable ct(*c, t.keyPath("check[" + std::to_string(i) + "]"), t.file());
    tc.checks.push_back(readCheck(ct));
  }
  t.finish();
  return tc;
}

void readRun(TomlTable &t, LabSpec &spec) {
  if (auto backend = t.text("backend")) {
    if (*backend != "emu" && *backend != "kvm")
      t.fail("backend", "expected emu or kvm");
    spec.backend = *backend;
  }
  spec.virt = t.text("virt").value_or(spec.virt);
  if (!findTechnique(spec.virt))
    t.fail("virt", "expected native, trap, bt, pv or vtx");
  spec.mmu = t.text("mmu").value_or(spec.mmu);
  if (spec.mmu != "native" && spec.mmu != "shadow" && spec.mmu != "ept")
    t.fail("mmu", "expected native, shadow or ept");
  spec.allowKvm = t.flag("allow_kvm").value_or(spec.backend == "kvm");
  spec.vmxProfile = t.text("vmx_profile").value_or("");
  spec.memMiB = t.number("mem_mib").value_or(spec.memMiB);
  if (spec.memMiB < 1 || spec.memMiB > 4096)
    t.fail("mem_mib", "expected 1…4096");
  auto &b = spec.budgets;
  b.maxInstructions = t.number("max_instructions").value_or(b.maxInstructions);
  if (b.maxInstructions == 0)
    t.fail("max_instructions", "must be above 0: grading needs a budget");
  b.timeoutSeconds = t.real("timeout_seconds").value_or(b.timeoutSeconds);
  if (b.timeoutSeconds <= 0)
    t.fail("timeout_seconds", "must be above 0: grading needs a budget");
  b.consoleBytes = t.number("console_bytes").value_or(b.consoleBytes);
  b.maxEvents = t.number("max_events").value_or(b.maxEvents);
  t.finish();
}

void readLimits(TomlTable &t, ProcessLimits &l) {
  l.cpuSeconds = t.real("cpu_seconds").value_or(l.cpuSeconds);
  l.memoryMiB = t.number("memory_mib").value_or(l.memoryMiB);
  l.fileMiB = t.number("file_mib").value_or(l.fileMiB);
  l.wallSeconds = t.real("wall_seconds").value_or(l.wallSeconds);
  if (l.cpuSeconds < 1)
    t.fail("cpu_seconds", "must be at least 1");
  if (l.memoryMiB < 3072)
    t.fail("memory_mib", "must be at least 3072: it limits address space, and the emulator "
                         "reserves 2 GiB for translated code");
  t.finish();
}

} // namespace

const char *checkTypeName(CheckType type) {
  auto i = static_cast<size_t>(type);
  return i < kCheckTypes.size() ? kCheckTypes[i] : "?";
}

bool isRegisterName(const std::string &name) {
  for (const auto *list : {kGpr64.data(), kGpr32.data()})
    for (size_t i = 0; i < 16; ++i)
      if (name == list[i])
        return true;
  for (const char *r : kOtherRegs)
    if (name == r)
      return true;
  return false;
}

double TestCase::maxPoints() const {
  double sum = 0;
  for (const auto &c : checks)
    sum += c.points;
  return sum;
}

double LabSpec::maxPoints() const {
  double sum = 0;
  for (const auto &c : cases)
    sum += c.maxPoints();
  return sum;
}

LabSpec parseLabSpecText(const std::string &text, const std::string &path) {
  toml::table root = parseTomlText(text, path);
  LabSpec spec;
  spec.path = path;
  TomlTable top(root, "", path);
  const toml::table *lab = top.subtable("lab");
  if (!lab)
    top.fail("lab", "missing [lab] table (name of the lab)");
  TomlTable labTable(*lab, "lab", path);
  spec.name = labTable.requiredText("name");
  labTable.finish();

  const toml::table *build = top.subtable("build");
  if (!build)
    top.fail("build", "missing [build] table (file = the submission's file name)");
  TomlTable b(*build, "build", path);
  spec.file = b.requiredText("file");
  if (spec.file.find('/') != std::string::npos || spec.file == ".." || spec.file.empty())
    b.fail("file", "a plain file name inside the student's folder, without '/'");
  if (auto entry = b.text("entry")) {
    spec.entry = parseEntryMode(*entry);
    if (!spec.entry)
      b.fail("entry", "expected real, protected or long");
  }
  spec.load = b.number("load");
  spec.maxBytes = b.number("max_bytes").value_or(spec.maxBytes);
  b.finish();

  if (const toml::table *run = top.subtable("run")) {
    TomlTable r(*run, "run", path);
    readRun(r, spec);
  }
  if (const toml::table *limits = top.subtable("limits")) {
    TomlTable l(*limits, "limits", path);
    readLimits(l, spec.limits);
  }
  const toml::array *cases = top.array("case");
  if (!cases || cases->empty())
    top.fail("case", "a lab needs at least one [[case]]");
  std::set<std::string> names;
  for (size_t i = 0; i < cases->size(); ++i) {
    const auto *c = (*cases)[i].as_table();
    if (!c)
      top.fail("case", "expected [[case]] tables");
    TomlTable ct(*c, "case[" + std::to_string(i) + "]", path);
    spec.cases.push_back(readCase(ct));
    if (!names.insert(spec.cases.back().name).second)
      ct.fail("name", "two cases are named '" + spec.cases.back().name + "'");
  }
  top.finish();
  return spec;
}

LabSpec parseLabSpec(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError("cannot open lab spec '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parseLabSpecText(text.str(), path);
}

} // namespace ringside::grading
