// The journal (append, reopen, torn tail) and every output format's shape.
#include "grading/class_summary.h"
#include "grading/journal.h"
#include "grading/report_formats.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

namespace ringside::grading {
namespace {

namespace fs = std::filesystem;

SubmissionResult sample(const std::string &name, bool pass, bool hidden = false) {
  SubmissionResult r;
  r.submission = name;
  r.backend = "emu";
  r.version = ringsideVersion();
  CaseResult c;
  c.name = "case <1>";
  c.hidden = hidden;
  c.stop = "hlt";
  c.console = std::string("bad \x01 bytes \xff & <xml>");
  c.checks.push_back({"prints", "console", pass ? 2.0 : 0.0, 2, pass, pass ? "ok" : "got \"x\""});
  c.checks.push_back({"memory", "memory", 1.5, 3, false, "half right"});
  r.cases.push_back(c);
  return r;
}

std::string slurp(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Journal, AppendsReopensAndCutsATornTail) {
  const fs::path dir = test::scratchDir("journal");
  const std::string path = (dir / "journal.jsonl").string();
  {
    Journal j(path);
    EXPECT_TRUE(j.done().empty());
    j.append(sample("alice", true));
    j.append(sample("bob", false));
  }
  // A kill in the middle of a write leaves half a line.
  std::ofstream(path, std::ios::app) << R"({"submission":"carol","status":"gra)";
  {
    Journal j(path);
    EXPECT_EQ(j.done().size(), 2u);
    EXPECT_EQ(j.droppedLines(), 1u);
    EXPECT_DOUBLE_EQ(j.done().at("alice").score(), 3.5);
    EXPECT_EQ(j.done().at("bob").cases.at(0).checks.at(0).message, "got \"x\"");
    j.append(sample("carol", true));
  }
  Journal j(path);
  EXPECT_EQ(j.done().size(), 3u);
  EXPECT_EQ(j.droppedLines(), 0u);
  const std::string text = slurp(path);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

TEST(Journal, GroupCommitKeepsEveryLineAcrossAReopen) {
  const fs::path dir = test::scratchDir("journal-group");
  const std::string path = (dir / "journal.jsonl").string();
  {
    Journal j(path);
    j.append(sample("a", true), /*sync=*/false);
    j.append(sample("b", true), /*sync=*/false);
    j.sync();
    j.append(sample("c", true), /*sync=*/false); // a kill now keeps it: it was written
  }
  Journal j(path);
  EXPECT_EQ(j.done().size(), 3u);
  EXPECT_EQ(j.droppedLines(), 0u);
}

TEST(Reports, EveryFormatHasItsRequiredShape) {
  const std::vector<SubmissionResult> one = {sample("alice", false, true)};
  ReportMeta meta{"lab", "emu", "linux, kvm none", ringsideVersion(), "isolated", false};

  const auto gs = nlohmann::json::parse(renderGradescope(one, meta));
  for (const char *key : {"score", "max_score", "tests", "output", "visibility"})
    EXPECT_TRUE(gs.contains(key)) << key;
  ASSERT_EQ(gs["tests"].size(), 2u);
  for (const auto &t : gs["tests"])
    for (const char *key : {"name", "score", "max_score", "output", "visibility"})
      EXPECT_TRUE(t.contains(key)) << key;
  EXPECT_EQ(gs["tests"][0]["visibility"], "hidden");
  EXPECT_DOUBLE_EQ(gs["score"].get<double>(), 1.5);

  const auto cl = nlohmann::json::parse(renderClassroom(one, meta));
  EXPECT_EQ(cl["status"], "fail");
  EXPECT_DOUBLE_EQ(cl["max_score"].get<double>(), 5);
  for (const auto &t : cl["tests"]) {
    EXPECT_TRUE(t.contains("name") && t.contains("status") && t.contains("score") &&
                t.contains("message"));
    // A hidden case's messages are not shown to students.
    EXPECT_EQ(t["message"].get<std::string>().find("half right"), std::string::npos);
  }

  const std::string text = renderText(one, meta);
  EXPECT_EQ(text.find("half right"), std::string::npos);
  meta.showHidden = true;
  EXPECT_NE(renderText(one, meta).find("half right"), std::string::npos);

  const std::string xml = renderJunit(one, meta);
  EXPECT_NE(xml.find("<testsuites"), std::string::npos);
  EXPECT_NE(xml.find("case &lt;1&gt;"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xmlSafe("a\x01\xff\xc3\xa9"), "a??\xc3\xa9");

  const auto js = nlohmann::json::parse(renderJson(one, meta));
  EXPECT_EQ(js["submissions"][0]["cases"][0]["hidden"], true);
  EXPECT_EQ(js["version"], ringsideVersion());
}

TEST(ClassSummary, CsvRowsAndPassRates) {
  LabSpec spec;
  TestCase tc;
  tc.name = "case <1>";
  tc.checks.resize(2);
  tc.checks[0].name = "prints";
  tc.checks[1].name = "memory";
  spec.cases.push_back(tc);
  const std::vector<SubmissionResult> all = {sample("=alice, the first", true),
                                             sample("bob", false)};
  const std::string csv = classSummaryCsv(spec, all);
  EXPECT_NE(csv.find("\"'=alice, the first\",graded,3.5,5,,2,1.5\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("bob,graded,1.5,5,,0,1.5\n"), std::string::npos) << csv;
  const std::string rates = passRateCsv(spec, all);
  EXPECT_NE(rates.find("case <1>,prints,1,2,0.5\n"), std::string::npos) << rates;
  EXPECT_NE(rates.find("case <1>,memory,0,2,0\n"), std::string::npos) << rates;
}

} // namespace
} // namespace ringside::grading
