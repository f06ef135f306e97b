#include "diff/differential.h"

#include "diff/diff_masks.h"
#include "platform/platform.h"

#include <cstdio>
#include <memory>
#include <vector>

namespace ringside::diff {
namespace {

RunRecord runOne(Backend &backend) {
  RunRecord record;
  record.backend = backend.name();
  // Only the collected sequences are needed: a long run must not keep every event. The trace
  // keeps its listeners, so the sink is cut once the run is over.
  backend.trace().setKeepEvents(false);
  auto sink = std::make_shared<RunRecord *>(&record);
  backend.trace().addListener([sink](const Event &e) {
    if (*sink) {
      RecordCollector collect(**sink);
      collect(e);
    }
  });
  RunResult result = backend.run();
  *sink = nullptr;
  record.stop = result.stop;
  record.regs = result.regs;
  record.console = backend.platform().console();
  return record;
}

// Points a person at the first differing byte, so a RAM difference can be read, not guessed.
std::string firstRamDifference(const Backend &a, const Backend &b, const RunRecord &ra,
                               const TablePages &tables) {
  std::vector<uint8_t> pa(4096), pb(4096);
  for (uint64_t i = 0; i < ra.ram->pageHashes.size(); ++i) {
    uint64_t addr = i * 4096;
    if (!a.readGuestPhysical(addr, pa.data(), pa.size()) ||
        !b.readGuestPhysical(addr, pb.data(), pb.size()))
      continue;
    if (auto t = tables.find(addr); t != tables.end()) {
      maskAccessedDirty(pa.data(), t->second);
      maskAccessedDirty(pb.data(), t->second);
    }
    for (size_t off = 0; off < pa.size(); ++off)
      if (pa[off] != pb[off] && !pageExcluded(addr)) {
        char buf[128];
        std::snprintf(buf, sizeof buf, "; first at 0x%llx: %s=0x%02x %s=0x%02x",
                      static_cast<unsigned long long>(addr) + off, a.name().c_str(), pa[off],
                      b.name().c_str(), pb[off]);
        return buf;
      }
  }
  return "";
}

} // namespace

DiffReport runDifferential(const GuestImage &image, const RunConfig &config,
                           const std::string &backendA, const std::string &backendB,
                           const BackendFactory &factory) {
  std::array<std::unique_ptr<Backend>, 2> backends{factory(backendA), factory(backendB)};
  for (auto &b : backends)
    b->load(image, config);

  DiffReport report;
  for (size_t i = 0; i < 2; ++i)
    report.runs[i] = runOne(*backends[i]);

  // Either run may name a table page (the emu backend reports every guest walk; KVM may not).
  TablePages tables = report.runs[0].tablePages;
  tables.insert(report.runs[1].tablePages.begin(), report.runs[1].tablePages.end());
  const uint64_t ramBytes = config.ramMiB << 20;
  for (size_t i = 0; i < 2; ++i) {
    RunRecord &r = report.runs[i];
    const Backend &b = *backends[i];
    r.ram = hashRam(
        [&b](uint64_t gpa, void *dst, size_t n) { return b.readGuestPhysical(gpa, dst, n); },
        ramBytes, tables, r.ramNote);
    if (!r.ram)
      report.notes.push_back("RAM not compared: " + r.backend + ": " + r.ramNote);
  }
  report.differences = compareRecords(report.runs[0], report.runs[1]);
  for (auto &d : report.differences)
    if (d.field == "ram")
      d.explanation += firstRamDifference(*backends[0], *backends[1], report.runs[0], tables);
  return report;
}

} // namespace ringside::diff
