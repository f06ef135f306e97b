// --mmu shadow|ept on the kvm backend (kvm-backend/kvm_mmu_model.*): the model runs beside the
// guest, labelled `model`, and never changes what KVM executes; and the same paged guests end in
// the same state on emu under native, shadow and ept and on KVM (docs/memory.md, "On KVM").
#include "diff/differential.h"
#include "event_bodies.h"
#include "kvm_guest_run.h"
#include "kvm_observability.h"

#include <gtest/gtest.h>

#include "errors.h"

#include <map>
#include <set>

namespace ringside::test {
namespace {

struct FinalState {
  RunResult result;
  std::string console;
  std::vector<Event> events;
  std::map<std::string, uint64_t> model;
  std::vector<Unobservable> unobservable;
  std::vector<uint8_t> ram; ///< all of guest RAM the backend can read (the VGA window zero)

  template <typename T> std::vector<T> all() const { return bodiesOf<T>(events); }
  uint64_t count(const char *name) const {
    auto it = model.find(name);
    return it == model.end() ? 0 : it->second;
  }
};

FinalState runOn(const std::string &backendName, const std::filesystem::path &path,
                 const std::string &mmu) {
  auto backend = createBackend(backendName);
  RunConfig config;
  config.mmu = mmu;
  backend->load(loadGuestImage(path.string(), {}), config);
  FinalState s;
  s.result = backend->run();
  s.console = backend->platform().console();
  s.events = backend->trace().events();
  s.model = backend->mmuCounters();
  s.unobservable = backend->unobservable();
  s.ram.assign(config.ramMiB << 20, 0);
  for (uint64_t gpa = 0; gpa < s.ram.size(); gpa += 4096)
    backend->readGuestPhysical(gpa, s.ram.data() + gpa, 4096);
  return s;
}

// The model beside the guest must not change anything KVM does: registers and every byte of RAM.
void expectIdentical(const FinalState &a, const FinalState &b, const std::string &what) {
  EXPECT_EQ(a.result.stop.kind, b.result.stop.kind) << what << ": " << b.result.stop.message;
  EXPECT_EQ(a.result.stop.code, b.result.stop.code) << what;
  EXPECT_EQ(a.console, b.console) << what;
  EXPECT_EQ(a.result.regs.gpr, b.result.regs.gpr) << what;
  EXPECT_EQ(a.result.regs.cr3, b.result.regs.cr3) << what;
  EXPECT_TRUE(a.ram == b.ram) << what << ": guest RAM differs";
}

std::filesystem::path guestFile(const char *name) {
  return sourceDir() / "tests" / "guests" / name;
}

// The "equal to the KVM backend" clause of the memory models: the same guest on KVM and on emu
// under each MMU mode ends with the same stop, console, registers (CR3 and CR2 included) and
// RAM. The comparison is the differential suite's (sim-core/diff): the platform's reserved
// pages (the emu backend's boot stub and stack) are left out, A/D bits of guest table pages
// are masked (the emu backend sets D at a writable page's first touch), and CR0's ET/NE/CD/NW
// are masked (docs/differential.md).
TEST(KvmMmuModelTest, SameFinalStateOnEmuUnderEveryMmuAndOnKvm) {
  RINGSIDE_REQUIRE_KVM();
  for (const char *name : {"long_cr3_switch.asm", "mmu_process.asm"}) {
    const GuestImage image = loadGuestImage(guestFile(name).string(), {});
    for (const char *mmu : {"native", "shadow", "ept"}) {
      SCOPED_TRACE(std::string(name) + " --mmu " + mmu);
      RunConfig config;
      config.mmu = mmu;
      const diff::DiffReport report =
          diff::runDifferential(image, config, "kvm", "emu", createBackend);
      const StopEvent &stop = report.runs[0].stop;
      ASSERT_TRUE(stop.kind == StopKind::Hlt || (stop.kind == StopKind::ExitPort && stop.code == 0))
          << stop.message;
      ASSERT_TRUE(report.runs[0].ram && report.runs[1].ram) << "RAM was not compared";
      EXPECT_TRUE(report.notes.empty());
      for (const auto &d : report.differences)
        ADD_FAILURE() << d.field << ": kvm " << d.a << ", emu " << d.b << " (" << d.explanation
                      << ")";
      EXPECT_EQ(report.runs[0].regs.cr3, report.runs[1].regs.cr3);
    }
    // The model beside the guest changes nothing KVM does, not one byte of RAM.
    const FinalState plain = runOn("kvm", guestFile(name), "native");
    for (const char *mmu : {"shadow", "ept"})
      expectIdentical(plain, runOn("kvm", guestFile(name), mmu), std::string("kvm ") + mmu);
  }
}

// VA 1 GiB mapped with a 4 KiB page through a page table of its own; the code jumps there and
// exits with OUT: the exit RIP's cold translation is a 4-level 4 KiB walk.
const char *kFourKiBGuest = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 0x8000                 ; new PD and PT, cleared
        xor eax, eax
        mov ecx, 2 * 512
        rep stosq
        mov qword [0x8000], 0x9000 | 3  ; PD[0] -> PT
        mov qword [0x9000], 0x10000 | 3 ; PT[0]: VA 1 GiB -> this code's page (4 KiB)
        mov qword [0x3008], 0x8000 | 3  ; PDPT[1]: VA 1 GiB .. 2 GiB
        mov rax, 0x40000000 + (alias - 0x10000)
        jmp rax
alias:  mov al, 'w'
        out 0xE9, al
        hlt
)";

TEST(KvmMmuModelTest, EptIsAModelled2DWalkOf24ReferencesForAFourKiBPage) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_mmu_ept_4k") / "guest.asm", kFourKiBGuest);
  const FinalState run = runOn("kvm", path, "ept");
  ASSERT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.console, "w");

  // The real walk (the guest's tables, KVM_TRANSLATE) stays; the model's walks follow it.
  std::map<uint32_t, unsigned> refs, events;
  std::map<uint32_t, WalkEvent> guestWalk;
  unsigned real = 0;
  for (const WalkEvent &w : run.all<WalkEvent>()) {
    if (w.source == EventSource::KvmTranslate) {
      ++real;
      EXPECT_EQ(w.walkId, 0u);
      continue;
    }
    ASSERT_EQ(w.source, EventSource::Model) << "every other walk is modelled";
    ASSERT_NE(w.walkId, 0u);
    refs[w.walkId] += w.memoryRefs;
    ++events[w.walkId];
    if (w.purpose == WalkPurpose::GuestTables)
      guestWalk[w.walkId] = w;
  }
  EXPECT_EQ(real, 1u);
  ASSERT_EQ(refs.size(), 1u) << "one exit page, one modelled 2-D walk";
  const uint32_t id = refs.begin()->first;
  EXPECT_EQ(refs[id], 24u) << "4 guest levels x (4 EPT levels + 1) + 4 for the final GPA";
  EXPECT_EQ(events[id], 6u) << "EPT walks of the 4 guest tables and of the final GPA, the guest's";
  ASSERT_TRUE(guestWalk.count(id));
  EXPECT_TRUE(guestWalk[id].ok);
  EXPECT_EQ(guestWalk[id].pageSize, 4096u);
  EXPECT_EQ(guestWalk[id].gpa & ~0xFFFull, 0x10000u);

  EXPECT_EQ(run.count("walks"), 6u); // 5 EPT walks + the guest walk
  EXPECT_EQ(run.count("walk_refs"), 24u);
  EXPECT_EQ(run.count("observations"), 1u);
  bool said = false;
  for (const auto &u : run.unobservable)
    said |= u.kind.find("--mmu") != std::string::npos && u.why.find("model") != std::string::npos;
  EXPECT_TRUE(said) << "the summary says the EPT is modelled";
}

TEST(KvmMmuModelTest, ShadowIsTheModelledShadowPagersView) {
  RINGSIDE_REQUIRE_KVM();
  const FinalState run = runOn("kvm", guestFile("long_cr3_switch.asm"), "shadow");
  ASSERT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  std::set<WalkPurpose> purposes;
  for (const WalkEvent &w : run.all<WalkEvent>())
    if (w.source == EventSource::Model)
      purposes.insert(w.purpose);
  // A cold shadow: the processor's shadow walk misses, the VMM walks the guest's tables and
  // builds the entry (a hidden fault), the shadow walk is made again.
  EXPECT_TRUE(purposes.count(WalkPurpose::Shadow));
  EXPECT_TRUE(purposes.count(WalkPurpose::GuestTables));
  EXPECT_EQ(run.count("hidden_faults"), run.count("observations"));
  EXPECT_GE(run.count("hidden_faults"), 1u);
  EXPECT_EQ(run.count("true_faults"), 0u);
  EXPECT_GE(run.count("shadow_entries_built"), 1u);
}

// Two exits from two 4 KiB pages of one page table, with a store to that table in between:
// the store happens inside KVM, unseen; the model finds the changed entry at the second exit.
const char *kTableEditGuest = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 0x8000                 ; new PD and PT, cleared
        xor eax, eax
        mov ecx, 2 * 512
        rep stosq
        mov qword [0x8000], 0x9000 | 3  ; PD[0] -> PT
        mov qword [0x9000], 0x10000 | 3 ; VA 1 GiB -> this code's page
        mov qword [0x3008], 0x8000 | 3  ; PDPT[1]: VA 1 GiB .. 2 GiB
        mov rax, 0x40000000 + (first - 0x10000)
        jmp rax
first:  mov al, '1'
        out 0xE9, al
        mov qword [0x9008], 0x10000 | 3 ; VA 1 GiB + 4 KiB -> the same code page
        mov rax, 0x40001000 + (second - 0x10000)
        jmp rax
second: mov al, '2'
        out 0xE9, al
        hlt
)";

TEST(KvmMmuModelTest, AGuestTableEditBetweenExitsIsFoundAndTheShadowResynced) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_mmu_table_edit") / "guest.asm", kTableEditGuest);
  const FinalState shadow = runOn("kvm", path, "shadow");
  ASSERT_EQ(shadow.result.stop.kind, StopKind::Hlt) << shadow.result.stop.message;
  EXPECT_EQ(shadow.console, "12");
  EXPECT_EQ(shadow.count("observations"), 2u);
  EXPECT_EQ(shadow.count("guest_table_entries_changed"), 1u) << "the new PTE; A/D bits ignored";
  // The PT was write-protected (the first shadow leaf derives from it): the model drops its
  // shadows, so the second page is a hidden fault over fresh tables.
  EXPECT_EQ(shadow.count("shadow_resyncs"), 1u);
  EXPECT_EQ(shadow.count("hidden_faults"), 2u);
  EXPECT_EQ(shadow.count("true_faults"), 0u);

  const FinalState ept = runOn("kvm", path, "ept");
  EXPECT_EQ(ept.count("guest_table_entries_changed"), 1u);
  EXPECT_EQ(ept.count("walk_refs"), 48u) << "two cold 4 KiB translations, 24 references each";
  expectIdentical(shadow, ept, "kvm shadow vs ept");
}

// Device accesses under the modelled EPT: KVM_EXIT_MMIO gives the guest-physical address, and
// the model makes of it what the emu backend's VMM makes of the same access: an EPT violation
// on the first touch of the VGA page, misconfigurations after it.
TEST(KvmMmuModelTest, MmioExitsAreTheModelledEptViolationThenMisconfigurations) {
  RINGSIDE_REQUIRE_KVM();
  const auto lesson = sourceDir() / "lessons" / "12-io-virt" / "uart_vga.asm";
  const FinalState kvm = runOn("kvm", lesson, "ept");
  const FinalState emu = runOn("emu", lesson, "ept");
  ASSERT_EQ(kvm.result.stop.kind, StopKind::Hlt) << kvm.result.stop.message;
  struct DeviceWalk {
    uint64_t gpa;
    uint16_t exitReason;
    uint64_t qualification;
    bool operator==(const DeviceWalk &) const = default;
  };
  auto deviceWalks = [](const FinalState &run) {
    std::vector<DeviceWalk> out;
    for (const WalkEvent &w : run.all<WalkEvent>())
      if (w.exitReason) {
        EXPECT_EQ(w.source, EventSource::Model);
        out.push_back({w.gva, w.exitReason, w.exitReason == 48 ? w.faultCode : 0});
      }
    return out;
  };
  const auto onKvm = deviceWalks(kvm);
  ASSERT_GE(onKvm.size(), 2u);
  EXPECT_EQ(onKvm[0].exitReason, 48);
  EXPECT_EQ(onKvm[0].qualification, 0x182u)
      << "a write to the final translation of a linear address";
  EXPECT_EQ(onKvm[1].exitReason, 49);
  EXPECT_TRUE(onKvm == deviceWalks(emu)) << "the same device walks as the emu backend's model";
  EXPECT_EQ(kvm.count("ept_violations"), 1u);
  EXPECT_EQ(kvm.count("ept_misconfigs"), onKvm.size() - 1);
}

TEST(KvmMmuModelTest, NativeRecordsNoModelledWalks) {
  RINGSIDE_REQUIRE_KVM();
  const FinalState run = runOn("kvm", guestFile("long_cr3_switch.asm"), "native");
  EXPECT_TRUE(run.model.empty());
  for (const WalkEvent &w : run.all<WalkEvent>())
    EXPECT_EQ(w.source, EventSource::KvmTranslate);
  for (const auto &u : run.unobservable)
    EXPECT_EQ(u.kind.find("--mmu"), std::string::npos);
}

TEST(KvmMmuModelTest, UnknownModelIsRefusedByName) {
  RINGSIDE_REQUIRE_KVM();
  auto backend = kvm::createKvmBackend();
  RunConfig config;
  config.mmu = "nested";
  try {
    backend->load(loadGuestImage(guestFile("long_cr3_switch.asm").string(), {}), config);
    FAIL() << "accepted --mmu nested";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("nested"), std::string::npos);
  }
}

} // namespace
} // namespace ringside::test
