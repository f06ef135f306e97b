#include "trace/trace_json.h"

#include "errors.h"
#include "test_paths.h"
#include "trace/trace.h"

#include <fstream>
#include <gtest/gtest.h>
#include <set>

namespace ringside {
namespace {

Event make(uint64_t seq, uint64_t icount, EventBody body) {
  return Event{seq, icount, std::move(body)};
}

WalkEvent longModeWalk() {
  WalkEvent w;
  w.gva = 0x400000;
  w.mode = WalkMode::Long4;
  w.stepCount = 3;
  w.steps[0] = {4, 0x1000, 0, 0x2003};
  w.steps[1] = {3, 0x2000, 0, 0x3003};
  w.steps[2] = {2, 0x3000, 2, 0x400083}; // PS: a 2 MiB page
  w.ok = true;
  w.gpa = 0x400000;
  w.pageSize = 2 << 20;
  w.memoryRefs = 3;
  return w;
}

/// At least one event of every kind, plus the optional-field variants.
std::vector<Event> samples() {
  WalkEvent fault = longModeWalk();
  fault.mode = WalkMode::Pae;
  fault.purpose = WalkPurpose::Shadow;
  fault.write = true;
  fault.user = true;
  fault.stepCount = 1;
  fault.ok = false;
  fault.gpa = 0;
  fault.pageSize = 0;
  fault.faultCode = 0x7;
  fault.memoryRefs = 1;
  WalkEvent fetch = longModeWalk();
  fetch.fetch = true;
  fetch.purpose = WalkPurpose::Ept;
  fetch.mode = WalkMode::Ept;

  std::vector<Event> events;
  auto add = [&](EventBody body) {
    events.push_back(make(events.size(), events.size() * 10, std::move(body)));
  };
  add(ExitEvent{30, 0xE90000, 0x7c05, 1});
  add(EntryEvent{0x7c06, true, 32});
  add(ExceptionEvent{13, true, 0x18, 0x1234, 0, false});
  add(ExceptionEvent{14, true, 0x2, 0x5678, 0xdeadb000, false});
  add(ExceptionEvent{3, false, 0, 0x9, 0, true});
  add(RingEvent{0, 3, RingCause::Iret, 0x401000});
  add(RingEvent{3, 0, RingCause::FarTransfer, 0xffffffff81000000});
  add(IoEvent{0x3f8, 1, true, 'A', 1, 0x7c10});
  add(IoEvent{0x60, 4, false, 0xdeadbeef, 16, 0x7c12});
  add(MmioEvent{0xfee00000, 4, true, 0xffffffffffffffff, 2});
  add(MmioEvent{0xfec00000, 8, false, 7, 3});
  add(HypercallEvent{1, {2, 3, 4, UINT64_MAX}, 42, 0x1000});
  add(longModeWalk());
  add(fault);
  add(fetch);
  add(TlbEvent{TlbOp::Fill, 0x400000, 0x800000, 4096});
  add(TlbEvent{TlbOp::FlushPage, 0x400000, 0, 0});
  add(TlbEvent{TlbOp::FlushAll, 0, 0, 0});
  add(TlbEvent{TlbOp::FlushPage, 0x400000, 0, 0, 1, TlbCause::Invlpg, true}); // a ptemod
  add(ConsoleEvent{0xe9, "Hello, \"guest\"\n\t\\"});
  add(VmcsEvent{0x681e, 0x7c00, 0x7c05});
  add(VmcsEvent{0x4400, 0, 4, 0x12000});
  add(ExitEvent{12, 0, 0x2000, 1, EventSource::Model, true});
  add(EntryEvent{0x2000, false, 0, true});
  add(VmxInsnEvent{"vmlaunch", "VMfailValid", 4, 0, 0, 0x7c40, "VMLAUNCH with a non-clear VMCS"});
  add(VmxInsnEvent{"vmread", "VMsucceed", 0, 0x4402, 12, 0x7c48, ""});
  add(ContainerEvent{"syscall", "clone", -11, "EAGAIN", 4242, "ptrace"});
  add(ContainerEvent{"inside", "pid", 1, "", 0, "workload"});
  add(TrapEvent{"lgdt [0x00010090]", 0x10000, "gp"});
  add(TrapEvent{"cli", 0x10005, "callout"});
  add(LeakEvent{"sgdt [0x0001009C]", 0x10022, "GDTR.base", 0x10068, 0x1800});
  add(TranslateEvent{0x10007, false, 2, 1, "0x10007: pushfd\n0x10008: dec ecx\n",
                     "0x10007: call vmm_pushfd  ; was: pushfd\n0x10008: dec ecx\n", "pushfd"});
  add(TranslateEvent{0x10007, true, 2, 1, "", "", ""});
  add(TranslateEvent{0x10090, true, 1, 0, "", "", "", true}); // ends with RET
  add(StopEvent{StopKind::Hlt, 0, "hlt"});
  add(StopEvent{StopKind::ExitPort, -1, "exit port"});
  add(StopEvent{StopKind::Shutdown, 0, "triple fault"});
  add(StopEvent{StopKind::Budget, 0, ""});
  add(StopEvent{StopKind::Timeout, INT64_MAX, "timeout"});
  add(StopEvent{StopKind::Error, INT64_MIN, "unicorn: UC_ERR_FETCH_UNMAPPED"});
  return events;
}

TEST(TraceJson, SamplesCoverEveryKind) {
  std::set<size_t> kinds;
  for (const auto &e : samples())
    kinds.insert(e.body.index());
  EXPECT_EQ(kinds.size(), std::variant_size_v<EventBody>);
}

TEST(TraceJson, EveryKindRoundTrips) {
  for (const auto &event : samples()) {
    std::string line = toJsonLine(event);
    SCOPED_TRACE(line);
    Event back = fromJsonLine(line);
    EXPECT_EQ(back.seq, event.seq);
    EXPECT_EQ(back.instructions, event.instructions);
    EXPECT_EQ(back.body.index(), event.body.index());
    // Every field reaches the line, so equal lines mean equal events.
    EXPECT_EQ(toJsonLine(back), line);
    EXPECT_EQ(line.find('\n'), std::string::npos);
  }
}

TEST(TraceJson, RoundTripKeepsOptionalFields) {
  auto events = samples();
  auto pf = std::get<ExceptionEvent>(fromJsonLine(toJsonLine(events[3])).body);
  EXPECT_TRUE(pf.hasErrorCode);
  EXPECT_EQ(pf.errorCode, 0x2u);
  EXPECT_EQ(pf.cr2, 0xdeadb000u);
  auto bp = std::get<ExceptionEvent>(fromJsonLine(toJsonLine(events[4])).body);
  EXPECT_FALSE(bp.hasErrorCode);
  EXPECT_TRUE(bp.software);
  for (const auto &e : events) {
    const Event back = fromJsonLine(toJsonLine(e));
    if (const auto *tlb = std::get_if<TlbEvent>(&e.body)) {
      EXPECT_EQ(std::get<TlbEvent>(back.body).pteChanged, tlb->pteChanged);
    }
    if (const auto *tr = std::get_if<TranslateEvent>(&e.body)) {
      EXPECT_EQ(std::get<TranslateEvent>(back.body).ret, tr->ret);
    }
  }
  auto stop = std::get<StopEvent>(fromJsonLine(toJsonLine(events.back())).body);
  EXPECT_EQ(stop.kind, StopKind::Error);
  EXPECT_EQ(stop.code, INT64_MIN);
}

TEST(TraceJson, NestingFieldsRoundTrip) {
  auto exit = std::get<ExitEvent>(
      fromJsonLine(toJsonLine(make(0, 0, ExitEvent{12, 0, 0x2000, 1, EventSource::Model, true})))
          .body);
  EXPECT_TRUE(exit.nested);
  auto vmcs =
      std::get<VmcsEvent>(fromJsonLine(toJsonLine(make(0, 0, VmcsEvent{1, 2, 3, 0x12000}))).body);
  EXPECT_EQ(vmcs.region, 0x12000u);
  // The VMM's own VMCS and non-nested exits keep the lines they had before nesting existed.
  EXPECT_EQ(toJsonLine(make(0, 0, VmcsEvent{0x681e, 1, 2})).find("region"), std::string::npos);
  EXPECT_EQ(toJsonLine(make(0, 0, ExitEvent{10, 0, 0, 2})).find("nested"), std::string::npos);
}

TEST(TraceJson, ExitLineIsExact) {
  Event e = make(3, 17, ExitEvent{30, 0xE90000, 0x7c05, 1});
  EXPECT_EQ(toJsonLine(e), R"({"seq":3,"icount":17,"kind":"exit","reason":30,)"
                           R"("reason_name":"IO_INSTRUCTION","qualification":15269888,)"
                           R"("rip":31749,"insn_len":1,"source":"model"})");
}

TEST(TraceJson, WalkLineIsExact) {
  Event e = make(0, 5, longModeWalk());
  EXPECT_EQ(toJsonLine(e),
            R"({"seq":0,"icount":5,"kind":"walk","gva":4194304,"mode":"long4",)"
            R"("purpose":"guest-tables","access":"read","user":false,"steps":[)"
            R"({"level":4,"table":4096,"index":0,"entry":8195},)"
            R"({"level":3,"table":8192,"index":0,"entry":12291},)"
            R"({"level":2,"table":12288,"index":2,"entry":4194435}],)"
            R"("ok":true,"gpa":4194304,"page_size":2097152,"memory_refs":3,"source":"model"})");
}

TEST(TraceJson, OptionalFieldsAppearOnlyWhenMeaningful) {
  auto gp = toJson(make(0, 0, ExceptionEvent{13, true, 0, 0, 0, false}));
  EXPECT_EQ(gp["name"], "#GP");
  EXPECT_TRUE(gp.contains("error_code"));
  EXPECT_FALSE(gp.contains("cr2"));
  auto ud = toJson(make(0, 0, ExceptionEvent{6, false, 0, 0, 0, false}));
  EXPECT_FALSE(ud.contains("error_code"));
  WalkEvent fault;
  fault.faultCode = 5;
  auto walk = toJson(make(0, 0, fault));
  EXPECT_FALSE(walk.contains("gpa"));
  EXPECT_EQ(walk["error_code"], 5);
}

TEST(TraceJson, UnsignedMaxSurvives) {
  Event e = make(UINT64_MAX, UINT64_MAX, TlbEvent{TlbOp::Fill, UINT64_MAX, UINT64_MAX, 4096});
  std::string line = toJsonLine(e);
  EXPECT_NE(line.find("18446744073709551615"), std::string::npos);
  EXPECT_EQ(fromJsonLine(line).seq, UINT64_MAX);
}

// The message must name the field so a person can fix the line.
void expectBadField(const std::string &line, const std::string &field) {
  SCOPED_TRACE(line);
  try {
    fromJsonLine(line);
    FAIL() << "expected InputError";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("\"" + field + "\""), std::string::npos) << e.what();
  }
}

TEST(TraceJson, BadLinesNameTheField) {
  const std::string exitHead = R"({"seq":1,"icount":2,"kind":"exit","reason":30,)";
  expectBadField(exitHead + R"("qualification":0,"insn_len":1})", "rip");
  expectBadField(exitHead + R"("qualification":0,"rip":-1,"insn_len":1})", "rip");
  expectBadField(exitHead + R"("qualification":0,"rip":"0x10","insn_len":1})", "rip");
  expectBadField(exitHead + R"("qualification":0,"rip":1,"insn_len":300})", "insn_len");
  expectBadField(R"({"icount":2,"kind":"exit"})", "seq");
  expectBadField(R"({"seq":1,"icount":2,"kind":"bogus"})", "kind");
  expectBadField(R"({"seq":1,"icount":2})", "kind");
  expectBadField(R"({"seq":1,"icount":2,"kind":"io","port":1,"size":1,"direction":"sideways"})",
                 "direction");
  expectBadField(R"({"seq":1,"icount":2,"kind":"tlb","op":"shred","va":0,"pa":0,"page_size":0})",
                 "op");
  expectBadField(R"({"seq":1,"icount":2,"kind":"stop","reason":"hlt","code":0})", "message");
  expectBadField(R"({"seq":1,"icount":2,"kind":"hypercall","nr":1,"args":[1,2],"result":0})",
                 "args");
  expectBadField(R"({"seq":0,"icount":0,"kind":"walk","gva":0,"mode":"pae","purpose":"shadow",)"
                 R"("access":"read","user":false,"steps":[{"level":3,"table":0,"index":0}]})",
                 "entry");
  expectBadField(R"({"seq":0,"icount":0,"kind":"exception","vector":14,"rip":0,"software":false})",
                 "cr2");
}

TEST(TraceJson, ReadsObjectsBuiltInCode) {
  // Literals in code are signed ints, unlike parsed text: both must be accepted.
  nlohmann::json object = {{"seq", 1},      {"icount", 2},       {"kind", "entry"},
                           {"rip", 0x7c00}, {"injecting", true}, {"vector", 32}};
  Event e = fromJson(object);
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(std::get<EntryEvent>(e.body).vector, 32);
  object["vector"] = -1;
  EXPECT_THROW(fromJson(object), InputError);
}

TEST(TraceJson, NotJsonIsAnInputError) {
  EXPECT_THROW(fromJsonLine("{\"seq\":"), InputError);
  EXPECT_THROW(fromJsonLine("[1,2,3]"), InputError);
}

TEST(TraceJson, InvalidUtf8IsReplacedNotThrown) {
  Event e = make(0, 0, ConsoleEvent{0xe9, std::string("a\xff") + "b"});
  std::string line;
  ASSERT_NO_THROW(line = toJsonLine(e));
  EXPECT_EQ(std::get<ConsoleEvent>(fromJsonLine(line).body).text, "a\xEF\xBF\xBD"
                                                                  "b");
}

std::vector<std::string> readLines(const std::filesystem::path &path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

TEST(JsonlWriter, WritesOneLinePerEventInSeqOrder) {
  auto path = test::scratchDir("jsonl_writer") / "trace.jsonl";
  const auto events = samples();
  {
    Trace trace;
    trace.addListener(JsonlWriter(path));
    for (const auto &e : events)
      trace.record(e.instructions, e.body);
  }
  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), events.size());
  for (size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(fromJsonLine(lines[i]).seq, i);
  auto back = readJsonl(path);
  ASSERT_EQ(back.size(), events.size());
  EXPECT_EQ(toJsonLine(back[12]), toJsonLine(events[12]));
}

TEST(JsonlWriter, StopEventFlushesWhileWriterIsAlive) {
  auto path = test::scratchDir("jsonl_writer_stop") / "trace.jsonl";
  JsonlWriter writer(path);
  writer(make(0, 0, ConsoleEvent{0xe9, "hi"}));
  writer(make(1, 4, StopEvent{StopKind::Hlt, 0, "hlt"}));
  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find(R"("kind":"stop")"), std::string::npos);
}

TEST(JsonlWriter, UnwritablePathIsAnInputError) {
  auto dir = test::scratchDir("jsonl_writer_bad");
  EXPECT_THROW(JsonlWriter(dir / "no-such-dir" / "trace.jsonl"), InputError);
  EXPECT_THROW(JsonlWriter{dir}, InputError); // a directory
}

TEST(JsonlWriter, ReadJsonlNamesFileAndLine) {
  auto path = test::writeFile(test::scratchDir("jsonl_read") / "t.jsonl",
                              toJsonLine(make(0, 0, EntryEvent{})) + "\n\n{\"seq\":1}\n");
  try {
    readJsonl(path);
    FAIL() << "expected InputError";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("t.jsonl:3:"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace ringside
