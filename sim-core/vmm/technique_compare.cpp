#include "vmm/technique_compare.h"

namespace ringside {

uint64_t TechniqueRun::exitCount() const {
  uint64_t n = 0;
  for (const auto &[name, count] : summary.exits)
    n += count;
  return n;
}

std::vector<std::string> builtTechniqueNames() {
  std::vector<std::string> names;
  for (const auto &t : techniques())
    if (t.built)
      names.emplace_back(t.name);
  return names;
}

std::vector<TechniqueRun> compareTechniques(const GuestImage &image, const CompareRequest &request,
                                            const std::function<void(Backend *)> &running) {
  const std::vector<std::string> names =
      request.virt.empty() ? builtTechniqueNames() : request.virt;
  std::vector<TechniqueRun> rows;
  for (const auto &name : names) {
    auto backend = createBackend("emu"); // techniques are modelled on the emu backend
    RunConfig config;
    config.virt = name;
    config.vmxProfile = request.vmxProfile;
    config.maxInstructions = request.maxInstructions;
    config.timeoutSeconds = request.timeoutSeconds;
    config.mmu = request.mmu;
    backend->load(image, config); // refuses unknown and unbuilt techniques by name
    TechniqueRun row{*findTechnique(name), {}, {}, {}, {}, {}};
    if (running)
      running(backend.get());
    row.result = backend->run();
    if (running)
      running(nullptr);
    const auto &events = backend->trace().events();
    row.summary = summarize(events);
    row.counts = costCounts(events, row.result.instructions);
    row.cost = estimateCost(row.counts, row.technique);
    row.mmu = backend->mmuCounters();
    rows.push_back(std::move(row));
  }
  return rows;
}

} // namespace ringside
