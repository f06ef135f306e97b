// The differential corpus: every tests/differential/corpus/*.asm guest (a) runs on emu to a
// clean stop with console output and gives the same result twice, and (b) gives the same
// result on emu and kvm where this host can run the kvm backend. Skips always say why.
#include "backend/backend.h"
#include "diff/differential.h"
#include "diff/skip_marks.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "platform/platform.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace ringside::diff {
namespace {

namespace fs = std::filesystem;

fs::path corpusDir() { return fs::path(RINGSIDE_SOURCE_DIR) / "tests/differential/corpus"; }

std::vector<std::string> corpusGuests() {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(corpusDir()))
    if (entry.path().extension() == ".asm")
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string describeRun(const RunRecord &r) {
  return r.backend + " stopped with " + stopKindName(r.stop.kind) + " code " +
         std::to_string(r.stop.code) + " (" + r.stop.message + ")";
}

std::string describeDifferences(const DiffReport &report) {
  std::string text;
  for (const auto &d : report.differences)
    text += "\n  " + d.field + ": " + d.a + " vs " + d.b + " — " + d.explanation;
  return text;
}

class Corpus : public ::testing::TestWithParam<std::string> {
protected:
  std::string path() const { return (corpusDir() / (GetParam() + ".asm")).string(); }
};

TEST(CorpusSize, AtLeastThirtyGuests) { EXPECT_GE(corpusGuests().size(), 30u); }

TEST_P(Corpus, RunsOnEmuToACleanStopTheSameTwice) {
  auto image = loadGuestImage(path());
  auto report = runDifferential(image, RunConfig{}, "emu", "emu", createBackend);
  const RunRecord &run = report.runs[0];
  bool clean =
      run.stop.kind == StopKind::Hlt || (run.stop.kind == StopKind::ExitPort && run.stop.code == 0);
  EXPECT_TRUE(clean) << describeRun(run);
  EXPECT_FALSE(run.console.empty()) << "every corpus guest prints something";
  EXPECT_TRUE(run.ram.has_value()) << run.ramNote;
  EXPECT_TRUE(report.same()) << "emu is not deterministic:" << describeDifferences(report);
}

TEST_P(Corpus, SameOnEmuAndKvm) {
  auto marks = readSkipMarks(path());
  std::string flavour = kvmHostFlavour();
  if (auto mark = skipFor(marks, flavour)) {
    std::cout << "[ SKIP REASON ] " << GetParam() << " on a " << flavour
              << " host: " << mark->reason << "\n";
    GTEST_SKIP() << GetParam() << " cannot run on a " << flavour << " host: " << mark->reason;
  }
  try {
    createBackend("kvm");
  } catch (const InputError &e) {
    std::cout << "[ SKIP REASON ] kvm backend unavailable: " << e.what() << "\n";
    GTEST_SKIP() << "kvm backend unavailable: " << e.what();
  }
  RunConfig config;
  config.timeoutSeconds = 30; // CPL0 code is emulated instruction by instruction on PVM
  auto report = runDifferential(loadGuestImage(path()), config, "emu", "kvm", createBackend);
  for (const auto &note : report.notes)
    std::cout << "[ NOTE ] " << GetParam() << ": " << note << "\n";
  EXPECT_TRUE(report.same()) << describeRun(report.runs[0]) << "; " << describeRun(report.runs[1])
                             << describeDifferences(report);
}

INSTANTIATE_TEST_SUITE_P(Differential, Corpus, ::testing::ValuesIn(corpusGuests()),
                         [](const auto &info) { return info.param; });

} // namespace
} // namespace ringside::diff
