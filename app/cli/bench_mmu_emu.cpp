#include "bench_mmu_emu.h"
#include "bench_guests.h"

#include "backend/backend.h"
#include "errors.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string_view>

namespace ringside::cli {
namespace {

constexpr uint64_t kLoad = 0x100000;

// 32-bit, protected-mode entry. With PAGING it first maps the low 16 MiB with 4 KiB pages
// (page directory 0x400000, page tables 0x401000-0x404fff) and turns paging on; then it sweeps
// a 4 MiB buffer at 0x800000, one load, one store and one more load per page, SWEEPS times.
// The first sweep fills its 1024 pages through the memory model (a TLB miss and a walk each);
// later sweeps run on Unicorn's mappings, as a warm TLB would. EBX ^ ESI is the checksum every
// mode must agree on.
constexpr const char *kSource = R"(bits 32
%if PAGING
        mov edi, 0x401000
        mov eax, 0x003
        mov ecx, 4096
.pte:   mov [edi], eax
        add eax, 0x1000
        add edi, 4
        dec ecx
        jnz .pte
        mov edi, 0x400000
        mov eax, 0x401003
        mov ecx, 4
.pde:   mov [edi], eax
        add eax, 0x1000
        add edi, 4
        dec ecx
        jnz .pde
        mov eax, 0x400000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
%endif
        mov ebp, SWEEPS
        xor ebx, ebx
        xor esi, esi
.sweep: mov edi, 0x800000
        mov ecx, 1024
.page:  add ebx, [edi]
        mov [edi + 64], ebx
        xor esi, [edi + 2048]
        rol esi, 3
        add edi, 4096
        dec ecx
        jnz .page
        dec ebp
        jnz .sweep
        hlt
)";

std::vector<uint8_t> assemble(bool paging, uint64_t sweeps) {
  return assembleBenchSource("%define PAGING " + std::to_string(paging ? 1 : 0) +
                             "\n%define SWEEPS " + std::to_string(sweeps) + "\n" + kSource);
}

struct Variant {
  const char *name;
  bool paging;
  const char *mmu;
};
constexpr Variant kVariants[] = {
    {"paging_off", false, "native"},
    {"native", true, "native"},
    {"shadow", true, "shadow"},
    {"ept", true, "ept"},
};

struct OneRun {
  double seconds = 0;
  uint64_t checksum = 0;
  std::map<std::string, uint64_t> counters;
  std::string error;
};

OneRun runOnce(const std::vector<uint8_t> &bytes, const char *mmu) {
  GuestImage image;
  image.path = "bench:mmu-sweep";
  image.segments.push_back(ImageSegment{kLoad, bytes, bytes.size()});
  image.entry = kLoad;
  image.entryMode = EntryMode::Protected;
  RunConfig config;
  config.maxInstructions = 0;
  config.timeoutSeconds = 120;
  config.mmu = mmu;
  auto backend = createBackend("emu");
  backend->load(image, config);
  backend->trace().setKeepEvents(false); // tracing stays on, streamed, as in `ringside run`
  uint64_t events = 0;
  backend->trace().addListener([&](const Event &) { ++events; });
  OneRun r;
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = backend->run();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.checksum = (result.regs.gpr[3] ^ result.regs.gpr[6]) & 0xFFFFFFFF;
  r.counters = backend->mmuCounters();
  if (result.stop.kind != StopKind::Hlt)
    r.error = "the guest did not halt: " + result.stop.message;
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

MmuEmuSection runMmuEmuBench(int repetitions, uint64_t sweeps, bool withNative) {
  MmuEmuSection s;
  s.ran = true;
  s.sweeps = sweeps;
  s.repetitions = repetitions;
  const std::vector<uint8_t> off = assemble(false, sweeps), on = assemble(true, sweeps);
  std::vector<std::vector<double>> times(std::size(kVariants));
  s.figures.resize(std::size(kVariants));
  std::vector<uint64_t> checksums(std::size(kVariants));
  // Round-robin: load from other processes spreads over every variant alike.
  for (int rep = 0; rep < repetitions; ++rep)
    for (size_t i = 0; i < std::size(kVariants); ++i) {
      MmuEmuFigure &f = s.figures[i];
      f.name = kVariants[i].name;
      if (!f.error.empty() || (!withNative && std::string_view(f.name) == "native")) {
        if (f.error.empty())
          f.error = "skipped";
        continue;
      }
      OneRun r = runOnce(kVariants[i].paging ? on : off, kVariants[i].mmu);
      f.error = r.error;
      f.counters = r.counters;
      checksums[i] = r.checksum;
      times[i].push_back(r.seconds);
    }
  for (size_t i = 0; i < s.figures.size(); ++i) {
    s.figures[i].medianSeconds = median(times[i]);
    if (s.figures[i].error.empty() && checksums[i] != checksums[0])
      s.figures[i].error = "checksum differs from the paging-off run";
  }
  for (auto &f : s.figures)
    f.ratio = f.medianSeconds > 0 ? s.figures[0].medianSeconds / f.medianSeconds : 0;
  return s;
}

void printMmuEmuConsole(const MmuEmuSection &s) {
  if (!s.ran)
    return;
  std::cout << "\nemu backend under --mmu (a 4 MiB buffer swept " << s.sweeps
            << " times, 1024 pages per sweep; median of " << s.repetitions << ")\n";
  for (const auto &f : s.figures) {
    if (!f.error.empty()) {
      std::printf("%-12s failed: %s\n", f.name.c_str(), f.error.c_str());
      continue;
    }
    auto c = [&](const char *k) {
      auto it = f.counters.find(k);
      return it == f.counters.end() ? 0ull : static_cast<unsigned long long>(it->second);
    };
    std::printf("%-12s %9.2f ms  %5.2fx of paging off", f.name.c_str(), f.medianSeconds * 1e3,
                f.ratio);
    if (!f.counters.empty())
      std::printf("  (walks %llu, refs %llu, TLB misses %llu, hidden faults %llu)", c("walks"),
                  c("walk_refs"), c("tlb_misses"), c("hidden_faults"));
    std::printf("\n");
  }
  for (const auto &f : s.figures)
    if ((f.name == "shadow" || f.name == "ept") && f.error.empty())
      std::cout << "target --mmu " << f.name << " ≥ " << kMmuEmuRatioTarget
                << "x of paging off: " << (f.ratio >= kMmuEmuRatioTarget ? "met" : "below target")
                << "\n";
}

nlohmann::ordered_json mmuEmuJson(const MmuEmuSection &s) {
  nlohmann::ordered_json j;
  j["ran"] = s.ran;
  if (!s.ran)
    return j;
  j["sweeps"] = s.sweeps;
  j["repetitions"] = s.repetitions;
  j["target_ratio"] = kMmuEmuRatioTarget;
  j["runs"] = nlohmann::ordered_json::array();
  for (const auto &f : s.figures) {
    nlohmann::ordered_json r;
    r["name"] = f.name;
    r["median_seconds"] = f.medianSeconds;
    r["ratio_to_paging_off"] = f.ratio;
    if (!f.counters.empty())
      r["model"] = f.counters;
    if (!f.error.empty())
      r["error"] = f.error;
    j["runs"].push_back(r);
  }
  return j;
}

} // namespace ringside::cli
