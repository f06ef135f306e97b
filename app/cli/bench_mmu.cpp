#include "bench_mmu.h"

#include "mmu/ept_builder.h"
#include "mmu/host_memory.h"
#include "mmu/shadow_pager.h"
#include "mmu/tlb.h"
#include "mmu/walk_2d.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <memory>

namespace ringside::cli {
namespace {

constexpr uint64_t kRam = 64ull << 20;
constexpr uint64_t kPool = 0xF0'0000'0000; // the VMM's own pages (EPT, shadow tables)
constexpr uint64_t kPages = 4096;          // working set: 16 MiB of guest-virtual space
constexpr uint64_t kVaBase = 0x4000'0000, kGpaBase = 0x200'0000;
constexpr uint64_t kP = 1, kW = 2, kU = 4;

/// The guest's view of the machine: a 4-level address space mapping kPages 4 KiB pages, guest
/// RAM identity-mapped to host-physical, and the VMM's EPTs.
struct Machine {
  HostMemory host;
  std::unique_ptr<PageAllocator> pool;
  PagingState guest;
  uint64_t eptp4k = 0, eptp2m = 0;

  Machine() {
    host.addRegion(0, kRam);
    pool = std::make_unique<PageAllocator>(host, kPool, 16ull << 20);
    uint64_t next = 0x10'0000; // guest page tables
    auto table = [&]() {
      const uint64_t t = next;
      next += 4096;
      return t;
    };
    const uint64_t pml4 = table(), pdpt = table(), pd = table();
    host.write64(pml4, pdpt | kP | kW | kU);
    host.write64(pdpt + ((kVaBase >> 30) & 0x1FF) * 8, pd | kP | kW | kU);
    for (uint64_t i = 0; i < kPages; ++i) {
      const uint64_t va = kVaBase + i * 4096;
      const uint64_t pdeAddr = pd + ((va >> 21) & 0x1FF) * 8;
      if (!(host.read64(pdeAddr) & kP))
        host.write64(pdeAddr, table() | kP | kW | kU);
      const uint64_t pt = host.read64(pdeAddr) & ~0xFFFull;
      // A and D already set: the walks in the loop then write nothing, as in steady state.
      host.write64(pt + ((va >> 12) & 0x1FF) * 8, (kGpaBase + i * 4096) | kP | kW | kU | 0x60);
    }
    guest = PagingState{(1ull << 31) | (1ull << 16) | 1, pml4, 1u << 5,
                        (1u << 8) | (1u << 10) | (1u << 11)};
    eptp4k = buildIdentityEpt(*pool, kRam, 4096);
    eptp2m = buildIdentityEpt(*pool, kRam, 2u << 20);
  }
};

/// The i-th address of the working set, visited in a scattered order (7919 is odd, so this is
/// a permutation of the pages).
uint64_t vaAt(uint64_t i) { return kVaBase + ((i * 7919) % kPages) * 4096 + (i & 0xFF8); }
uint64_t gpaAt(uint64_t i) { return kGpaBase + ((i * 7919) % kPages) * 4096 + (i & 0xFF8); }

struct Bench {
  const char *name;
  const char *what;
  unsigned refs;
  /// Runs `n` translations; returns "" or why a result was wrong.
  std::function<std::string(uint64_t n)> run;
};

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double threadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

std::string si(double v) {
  char buf[32];
  if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f k", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f ", v);
  return buf;
}

} // namespace

MmuBenchSection runMmuBench(int repetitions, uint64_t translations) {
  MmuBenchSection section;
  section.ran = true;
  section.translations = translations;
  Machine m;
  const EptContext ept4k(m.eptp4k), ept2m(m.eptp2m);
  ShadowPager hitShadow(m.host, GuestRamMap{kRam, 0}, *m.pool);
  hitShadow.setPaging(m.guest);
  ShadowPager fillShadow(m.host, GuestRamMap{kRam, 0}, *m.pool);
  Tlb tlb(TlbConfig{64, true});
  for (uint64_t i = 0; i < 64; ++i)
    tlb.fill(TlbEntry{vaAt(i) & ~0xFFFull, gpaAt(i) & ~0xFFFull, 4096, 1});

  // Every loop checks its answers, so a fast wrong model cannot post a figure.
  std::vector<Bench> benches = {
      {"mmu/native_walk", "guest walker, 4-level, 4 KiB pages", 4,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           const Translation t = translate(m.guest, m.host, vaAt(i), Access{});
           if (!t.ok || t.pa != gpaAt(i) || t.event.memoryRefs != 4)
             return "native walk gave a wrong translation";
         }
         return "";
       }},
      {"mmu/ept_2d_walk", "2-D walk, 4-level guest under 4-level EPT (4 KiB pages)", 24,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           const Walk2D w = walk2D(m.guest, ept4k, m.host, vaAt(i), Access{}, 1);
           if (!w.ok() || w.hpa != gpaAt(i) || w.tableRefs() != 24)
             return "2-D walk gave a wrong translation or reference count";
         }
         return "";
       }},
      {"mmu/ept_2d_walk_2m", "2-D walk under EPT with 2 MiB pages", 19,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           const Walk2D w = walk2D(m.guest, ept2m, m.host, vaAt(i), Access{}, 1);
           if (!w.ok() || w.hpa != gpaAt(i) || w.tableRefs() != 19)
             return "2-D walk (2 MiB EPT) gave a wrong translation or reference count";
         }
         return "";
       }},
      {"mmu/shadow_hit", "shadow paging: processor walk of warm shadow tables", 4,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           const ShadowAccess a = hitShadow.access(vaAt(i), Access{});
           if (!a.ok || a.hpa != gpaAt(i))
             return "shadow access gave a wrong translation";
         }
         return "";
       }},
      {"mmu/shadow_fill", "shadow paging: hidden fault (miss, guest walk, shadow build, retry)", 0,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           if (i % kPages == 0)
             fillShadow.setPaging(m.guest); // drop every shadow: the next pass is cold again
           const ShadowAccess a = fillShadow.access(vaAt(i), Access{});
           if (!a.ok || !a.hiddenFault || a.hpa != gpaAt(i))
             return "shadow fill gave a wrong translation";
         }
         return "";
       }},
      {"mmu/tlb_hit", "TLB lookup that hits (64 entries, VPID-tagged)", 0,
       [&](uint64_t n) -> std::string {
         for (uint64_t i = 0; i < n; ++i) {
           const auto e = tlb.lookup(vaAt(i % 64), 1);
           if (!e || e->paBase != (gpaAt(i % 64) & ~0xFFFull))
             return "TLB lookup missed a filled entry";
         }
         return "";
       }},
  };

  std::vector<std::vector<double>> seconds(benches.size()), cpuSeconds(benches.size());
  std::vector<std::string> errors(benches.size());
  for (Bench &b : benches) // one warm-up pass each (fills the shadow, the caches)
    if (std::string why = b.run(kPages); !why.empty())
      errors[&b - benches.data()] = why;
  for (int rep = 0; rep < repetitions; ++rep)
    for (size_t k = 0; k < benches.size(); ++k) {
      if (!errors[k].empty())
        continue;
      const auto start = std::chrono::steady_clock::now();
      const double cpuStart = threadCpuSeconds();
      std::string why = benches[k].run(translations);
      const double cpu = threadCpuSeconds() - cpuStart;
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      if (!why.empty()) {
        errors[k] = why;
      } else {
        seconds[k].push_back(took.count());
        cpuSeconds[k].push_back(cpu);
      }
    }
  for (size_t k = 0; k < benches.size(); ++k) {
    MmuFigure f;
    f.name = benches[k].name;
    f.what = benches[k].what;
    f.refs = benches[k].refs;
    f.work = translations;
    f.error = errors[k];
    f.repetitions = static_cast<int>(seconds[k].size());
    f.medianSeconds = median(seconds[k]);
    f.medianRate = f.medianSeconds > 0 ? double(translations) / f.medianSeconds : 0;
    const double cpu = median(cpuSeconds[k]);
    f.medianCpuRate = cpu > 0 ? double(translations) / cpu : 0;
    section.figures.push_back(f);
  }
  section.ept2DRate = section.figures[1].medianRate;
  section.ept2DCpuRate = section.figures[1].medianCpuRate;
  return section;
}

void printMmuConsole(const MmuBenchSection &s) {
  if (!s.ran)
    return;
  std::cout << "\nmemory models (" << s.translations
            << " translations per repetition over a 4096-page 4-level guest address space; "
               "median)\n";
  for (const MmuFigure &f : s.figures) {
    if (!f.error.empty()) {
      std::printf("%-22s failed: %s\n", f.name.c_str(), f.error.c_str());
      continue;
    }
    std::printf("%-22s %10.2f ms %12s/s %12s/s  %s\n", f.name.c_str(), f.medianSeconds * 1e3,
                si(f.medianRate).c_str(), si(f.medianCpuRate).c_str(), f.what.c_str());
  }
  std::cout << "(rates in translations per second of wall-clock time, then per second of this "
               "thread's CPU time)\n";
  std::cout << "\ntarget 2-D walk (≥ 5 M translations/s): " << si(s.ept2DRate) << "/s wall, "
            << si(s.ept2DCpuRate) << "/s CPU — "
            << (s.ept2DRate >= kEpt2DWalkTarget ? "met" : "below target") << "\n";
}

nlohmann::ordered_json mmuJson(const MmuBenchSection &s) {
  nlohmann::ordered_json j;
  j["ran"] = s.ran;
  if (!s.ran)
    return j;
  j["translations"] = s.translations;
  j["benchmarks"] = nlohmann::ordered_json::array();
  for (const MmuFigure &f : s.figures) {
    nlohmann::ordered_json b;
    b["name"] = f.name;
    b["what"] = f.what;
    b["repetitions"] = f.repetitions;
    b["median_seconds"] = f.medianSeconds;
    b["median_rate"] = f.medianRate;
    b["median_cpu_rate"] = f.medianCpuRate;
    b["unit"] = "translations/s";
    b["memory_refs"] = f.refs;
    if (!f.error.empty())
      b["error"] = f.error;
    j["benchmarks"].push_back(b);
  }
  j["targets"] = {{"ept_2d_walks_per_second",
                   {{"target", kEpt2DWalkTarget},
                    {"value", s.ept2DRate},
                    {"cpu_value", s.ept2DCpuRate},
                    {"met", s.ept2DRate >= kEpt2DWalkTarget}}}};
  return j;
}

} // namespace ringside::cli
