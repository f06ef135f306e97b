// The tracepoint parsers on captured PVM output (results/trace_cpl*.txt of the KVM probes) and on
// hand-written VMX kvm_exit lines in each kernel generation's format.
#include "kernel_trace_parse.h"

#include "arch/exit_reasons.h"
#include "test_paths.h"

#include <fstream>
#include <gtest/gtest.h>
#include <random>

namespace ringside::kvm {
namespace {

std::vector<std::string> fixtureLines(const std::string &name) {
  std::ifstream in(test::sourceDir() / "tests/kvm-backend/fixtures" / name);
  EXPECT_TRUE(in) << name;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

std::vector<WalkEvent> walksOf(const KernelTraceParse &p) {
  std::vector<WalkEvent> walks;
  for (const auto &e : p.events)
    if (const auto *w = std::get_if<WalkEvent>(&e.body))
      walks.push_back(*w);
  return walks;
}

uint64_t linesOf(const KernelTraceParse &p, std::string_view event) {
  const auto it = p.linesPerEvent.find(event);
  return it == p.linesPerEvent.end() ? 0 : it->second;
}

TEST(KernelTraceLine, SplitsTheFtraceHeader) {
  const auto line = parseTraceLine(
      "tiny-18435   [001] .....  2338.852449: kvm_mmu_pagetable_walk: addr 1000 pferr 10 F");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->task, "tiny");
  EXPECT_EQ(line->pid, 18435);
  EXPECT_EQ(line->cpu, 1u);
  EXPECT_EQ(line->timestampNs, 2338852449000ull);
  EXPECT_EQ(line->event, "kvm_mmu_pagetable_walk");
  EXPECT_EQ(line->payload, "addr 1000 pferr 10 F");
}

TEST(KernelTraceLine, TaskNamesWithDashesTgidAndNoFlags) {
  const auto a = parseTraceLine(" qemu-system-x86-4242    [002] d..2.  1.5: kvm_fpu: load");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->task, "qemu-system-x86");
  EXPECT_EQ(a->pid, 4242);
  EXPECT_EQ(a->timestampNs, 1'500'000'000ull);
  const auto b = parseTraceLine("<...>-77 (   70) [000]  3.000001: kvm_fpu: unload");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->pid, 77);
  EXPECT_EQ(b->cpu, 0u);
  EXPECT_EQ(b->payload, "unload");
}

TEST(KernelTraceLine, GarbageGivesNothing) {
  for (const char *bad : {"", "   ", "# tracer: nop", "userspace exit: IO", "tiny-1 [x] 1.0: e: p",
                          "tiny [001] ..... 1.0: kvm_fpu: load", "tiny-1 [001] ..... abc: kvm: x",
                          "tiny-1 [001] ..... 1.0 kvm_fpu load", "tiny-1 [001] ..... 1.0: KVM X: y",
                          "tiny-99999999999 [001] ..... 1.0: kvm_fpu: load"})
    EXPECT_FALSE(parseTraceLine(bad)) << bad;
}

TEST(KernelTraceLine, NeverCrashesOnTruncatedOrRandomInput) {
  // Every prefix of real lines, then random bytes: the parser sees whatever tracefs holds.
  std::vector<std::string> corpus = fixtureLines("vmx_kvm_exit.txt");
  for (const auto &l : fixtureLines("pvm_walk_cases.txt"))
    corpus.push_back(l);
  size_t parsed = 0;
  std::vector<std::string> all;
  for (const auto &l : corpus)
    for (size_t n = 0; n <= l.size(); ++n)
      all.push_back(l.substr(0, n));
  std::mt19937 rng(1234);
  const std::string alphabet = " -[]:.0123456789abcdefx_kvmreasonripinfo\t\n#()";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 120, ' ');
    for (char &c : s)
      c = (i % 2) ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
    all.push_back(s);
  }
  for (const auto &s : all)
    if (const auto line = parseTraceLine(s)) {
      ++parsed;
      (void)parseKvmExitPayload(line->payload);
    }
  const auto whole = parseKernelTrace(all); // the assembler too, on the same soup
  EXPECT_GT(parsed, 0u);
  EXPECT_GE(whole.linesPerEvent.size(), 1u);
}

TEST(KvmExitParse, EveryFieldOfEachKernelFormat) {
  const auto lines = fixtureLines("vmx_kvm_exit.txt");
  std::vector<KvmExitRecord> recs;
  std::vector<TraceLine> heads;
  size_t malformed = 0;
  for (const auto &l : lines) {
    const auto line = parseTraceLine(l);
    if (!line || line->event != "kvm_exit")
      continue;
    if (auto rec = parseKvmExitPayload(line->payload))
      recs.push_back(*rec), heads.push_back(*line);
    else
      ++malformed;
  }
  ASSERT_EQ(recs.size(), 12u);
  EXPECT_EQ(malformed, 3u); // unknown name, bad rip, no rip

  struct Want {
    uint16_t reason;
    uint64_t rip, info1;
    uint32_t vcpu;
  };
  const Want want[] = {{exit_reason::IoInstruction, 0x7c0d, 0xe90040, 0},
                       {exit_reason::Cpuid, 0xfff0, 0, 0},
                       {exit_reason::CrAccess, 0xffffffff8104a2b1, 3, 1},
                       {exit_reason::EptViolation, 0xffffffff81000000, 0x181, 0},
                       {exit_reason::ExceptionNmi, 0x401000, 0, 0},
                       {exit_reason::InvalidState, 0xfff0, 0, 0},
                       {0x4e, 0x1000, 0, 0},
                       {exit_reason::Hlt, 0x1234, 0, 1},
                       {exit_reason::ExternalInterrupt, 0xffffffff8106e4a2, 0, 0}};
  for (size_t i = 0; i < std::size(want); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(recs[i].isa, ExitIsa::Vmx);
    EXPECT_EQ(recs[i].exit.reason, want[i].reason);
    EXPECT_EQ(recs[i].exit.rip, want[i].rip);
    EXPECT_EQ(recs[i].exit.qualification, want[i].info1);
    EXPECT_EQ(recs[i].exit.insnLength, 0);
    EXPECT_EQ(recs[i].exit.source, EventSource::KernelTrace);
    EXPECT_EQ(recs[i].vcpu, want[i].vcpu);
    EXPECT_EQ(recs[i].failedEntry, i == 5);
  }
  EXPECT_EQ(heads[0].pid, 4242);
  EXPECT_EQ(heads[2].pid, 4243);
  EXPECT_EQ(recs[4].intrInfo, 0x80000b0eu);
  EXPECT_EQ(recs[4].errorCode, 6u);
  EXPECT_EQ(recs[8].info2, 0x800000efu);
  // SVM: recognised, not turned into a VMX reason.
  for (size_t i = 9; i < 12; ++i) {
    EXPECT_EQ(recs[i].isa, ExitIsa::Svm);
    EXPECT_EQ(recs[i].exit.source, EventSource::Model); // left empty
  }
  EXPECT_EQ(recs[9].svmReason, "npf");
  EXPECT_EQ(recs[10].svmReason, "GP excp");
  EXPECT_EQ(recs[11].svmReason, "io");

  const auto whole = parseKernelTrace(lines);
  EXPECT_EQ(whole.events.size(), 9u);
  EXPECT_EQ(whole.unsupportedExits, 3u);
  EXPECT_EQ(whole.malformedLines, 3u);
  EXPECT_EQ(linesOf(whole, "kvm_exit"), 15u);
}

TEST(KvmExitParse, IsaFieldWinsOverTheName) {
  const auto rec = parseKvmExitPayload("vcpu 0 reason 0x7b rip 0x10 info1 0x1 info2 0x0 isa 2");
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->isa, ExitIsa::Svm);
}

void expectStep(const WalkStep &s, uint8_t level, uint64_t table, uint16_t index, uint64_t entry) {
  EXPECT_EQ(s.level, level);
  EXPECT_EQ(s.tableAddr, table);
  EXPECT_EQ(s.index, index);
  EXPECT_EQ(s.entry, entry);
}

TEST(WalkAssemble, CapturedPvmCpl0Run) {
  const auto p = parseKernelTrace(fixtureLines("pvm_trace_cpl0.txt"));
  EXPECT_EQ(linesOf(p, "kvm_exit"), 0u); // PVM: no hardware exits to see
  EXPECT_EQ(linesOf(p, "kvm_emulate_insn"), 6u);
  EXPECT_EQ(linesOf(p, "kvm_mmu_paging_element"), 21u);
  const auto walks = walksOf(p);
  ASSERT_EQ(walks.size(), 7u);
  ASSERT_EQ(p.events.size(), 7u);

  const WalkEvent &first = walks[0]; // instruction fetch at 0x1000
  EXPECT_EQ(first.gva, 0x1000u);
  EXPECT_EQ(first.mode, WalkMode::Long4);
  EXPECT_EQ(first.purpose, WalkPurpose::GuestTables);
  EXPECT_EQ(first.source, EventSource::KernelTrace);
  EXPECT_TRUE(first.fetch);
  EXPECT_FALSE(first.write);
  EXPECT_FALSE(first.user);
  ASSERT_EQ(first.stepCount, 3);
  expectStep(first.steps[0], 4, 0, 0, 0x21007);
  expectStep(first.steps[1], 3, 0x21000, 0, 0x22007);
  expectStep(first.steps[2], 2, 0x22000, 0, 0x83);
  EXPECT_TRUE(first.ok);
  EXPECT_EQ(first.gpa, 0x1000u);
  EXPECT_EQ(first.pageSize, 2u << 20);
  EXPECT_EQ(first.memoryRefs, 3);
  EXPECT_EQ(p.events[0].pid, 18435);
  EXPECT_EQ(p.events[0].timestampNs, 2338852449000ull);

  const WalkEvent &store = walks[5]; // mov [0x10000000], eax
  EXPECT_EQ(store.gva, 0x10000000u);
  EXPECT_TRUE(store.write);
  EXPECT_FALSE(store.fetch);
  expectStep(store.steps[2], 2, 0x22000, 128, 0x10000083);
  EXPECT_TRUE(store.ok);
  EXPECT_EQ(store.gpa, 0x10000000u);
}

TEST(WalkAssemble, CapturedPvmCpl3RunIncludingEmptyFlags) {
  const auto p = parseKernelTrace(fixtureLines("pvm_trace_cpl3.txt"));
  const auto walks = walksOf(p);
  ASSERT_EQ(walks.size(), 13u);
  EXPECT_TRUE(walks[0].user);
  EXPECT_TRUE(walks[0].fetch);
  EXPECT_EQ(walks[3].gva, 0x66u); // "addr 66 pferr 0 " (IDT read, no flags printed)
  EXPECT_FALSE(walks[3].user || walks[3].write || walks[3].fetch);
  EXPECT_TRUE(walks[3].ok);
  EXPECT_EQ(walks[3].gpa, 0x66u);
  const auto store = std::find_if(walks.begin(), walks.end(),
                                  [](const WalkEvent &w) { return w.gva == 0x10000000; });
  ASSERT_NE(store, walks.end());
  EXPECT_TRUE(store->write && store->user);
  EXPECT_EQ(store->steps[2].entry, 0x10000087u);
}

TEST(WalkAssemble, ErrorsFourKPagesPaeInterleavingAndCutOffWalks) {
  const auto walks = walksOf(parseKernelTrace(fixtureLines("pvm_walk_cases.txt")));
  ASSERT_EQ(walks.size(), 4u); // sorted by start time; equal times keep line order

  const WalkEvent &fault = walks[0];
  EXPECT_EQ(fault.gva, 0x40201000u);
  EXPECT_TRUE(fault.write);
  EXPECT_FALSE(fault.ok);
  EXPECT_EQ(fault.faultCode, 2u);
  ASSERT_EQ(fault.stepCount, 3);
  expectStep(fault.steps[1], 3, 0x21000, 1, 0x22027);
  expectStep(fault.steps[2], 2, 0x22000, 1, 0);

  const WalkEvent &small = walks[1]; // the other vCPU thread, finished by its next event
  EXPECT_EQ(small.gva, 0x403005u);
  EXPECT_TRUE(small.user);
  ASSERT_EQ(small.stepCount, 4);
  expectStep(small.steps[2], 2, 0x22000, 2, 0x23067);
  expectStep(small.steps[3], 1, 0x23000, 3, 0x8000000000abc067ull);
  EXPECT_TRUE(small.ok);
  EXPECT_EQ(small.gpa, 0xabc005u);
  EXPECT_EQ(small.pageSize, 4096u);

  const WalkEvent &pae = walks[2];
  EXPECT_EQ(pae.mode, WalkMode::Pae);
  expectStep(pae.steps[0], 3, 0, 3, 0x5001);
  expectStep(pae.steps[1], 2, 0x5000, 1, 0x6001);
  expectStep(pae.steps[2], 1, 0x6000, 1, 0x7001);
  EXPECT_TRUE(pae.ok);
  EXPECT_EQ(pae.gpa, 0x7234u);

  const WalkEvent &cut = walks[3];
  EXPECT_EQ(cut.stepCount, 1);
  EXPECT_FALSE(cut.ok);
  EXPECT_EQ(cut.faultCode, 0u);
}

TEST(WalkAssemble, OutOfOrderLevelsAndStrayElementsAreDropped) {
  WalkAssembler a;
  const auto feed = [&a](const char *text) {
    const auto line = parseTraceLine(text);
    EXPECT_TRUE(line) << text;
    return line ? a.feed(*line) : std::vector<WalkAssembler::Done>{};
  };
  EXPECT_TRUE(feed("g-1 [000] ..... 1.0: kvm_mmu_paging_element: pte 1 level 1").empty());
  feed("g-1 [000] ..... 1.0: kvm_mmu_pagetable_walk: addr 1000 pferr 0");
  feed("g-1 [000] ..... 1.0: kvm_mmu_paging_element: pte 21027 level 4");
  feed("g-1 [000] ..... 1.0: kvm_mmu_paging_element: pte 83 level 2"); // level 3 skipped
  EXPECT_TRUE(feed("g-1 [000] ..... 1.0: kvm_fpu: unload").empty());
  feed("g-1 [000] ..... 2.0: kvm_mmu_pagetable_walk: addr 1000 pferr 0");
  feed("g-1 [000] ..... 2.0: kvm_mmu_paging_element: pte 21027 level 4");
  EXPECT_EQ(a.finish().size(), 1u);
  EXPECT_TRUE(a.finish().empty());
}

} // namespace
} // namespace ringside::kvm
