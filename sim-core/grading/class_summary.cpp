#include "grading/class_summary.h"

#include <cstdio>
#include <sstream>

namespace ringside::grading {
namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

struct Rate {
  std::string caseName, checkName;
  size_t passed = 0, graded = 0;
};

std::vector<Rate> passRates(const LabSpec &spec, const std::vector<SubmissionResult> &results) {
  std::vector<Rate> rates;
  for (size_t ci = 0; ci < spec.cases.size(); ++ci)
    for (size_t k = 0; k < spec.cases[ci].checks.size(); ++k) {
      Rate rate{spec.cases[ci].name, spec.cases[ci].checks[k].name};
      for (const auto &r : results) {
        ++rate.graded;
        if (ci < r.cases.size() && k < r.cases[ci].checks.size() && r.cases[ci].checks[k].passed)
          ++rate.passed;
      }
      rates.push_back(rate);
    }
  return rates;
}

} // namespace

std::string csvField(const std::string &text) {
  std::string t = text;
  if (!t.empty() && (t[0] == '=' || t[0] == '+' || t[0] == '-' || t[0] == '@'))
    t = "'" + t;
  if (t.find_first_of(",\"\n\r") == std::string::npos)
    return t;
  std::string out = "\"";
  for (char c : t)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string classSummaryCsv(const LabSpec &spec, const std::vector<SubmissionResult> &results) {
  std::ostringstream out;
  out << "submission,status,score,max_score,reason";
  for (const auto &tc : spec.cases)
    for (const auto &check : tc.checks)
      out << "," << csvField(tc.name + ": " + check.name);
  out << "\n";
  for (const auto &r : results) {
    out << csvField(r.submission) << "," << statusName(r.status) << "," << number(r.score()) << ","
        << number(r.maxScore()) << "," << csvField(r.reason);
    for (size_t ci = 0; ci < spec.cases.size(); ++ci)
      for (size_t k = 0; k < spec.cases[ci].checks.size(); ++k) {
        const bool have = ci < r.cases.size() && k < r.cases[ci].checks.size();
        out << "," << (have ? number(r.cases[ci].checks[k].points) : "0");
      }
    out << "\n";
  }
  return out.str();
}

std::string passRateCsv(const LabSpec &spec, const std::vector<SubmissionResult> &results) {
  std::ostringstream out;
  out << "case,check,passed,graded,pass_rate\n";
  for (const auto &rate : passRates(spec, results))
    out << csvField(rate.caseName) << "," << csvField(rate.checkName) << "," << rate.passed << ","
        << rate.graded << ","
        << number(rate.graded ? double(rate.passed) / double(rate.graded) : 0.0) << "\n";
  return out.str();
}

std::string passRateTable(const LabSpec &spec, const std::vector<SubmissionResult> &results) {
  const auto rates = passRates(spec, results);
  size_t width = 5;
  for (const auto &rate : rates)
    width = std::max(width, rate.caseName.size() + rate.checkName.size() + 2);
  std::ostringstream out;
  out << "check" << std::string(width - 5, ' ') << "  passed  rate\n";
  for (const auto &rate : rates) {
    const std::string name = rate.caseName + ": " + rate.checkName;
    char line[64];
    std::snprintf(line, sizeof line, "  %3zu/%-3zu %5.1f%%", rate.passed, rate.graded,
                  rate.graded ? 100.0 * double(rate.passed) / double(rate.graded) : 0.0);
    out << name << std::string(width - name.size(), ' ') << line << "\n";
  }
  return out.str();
}

} // namespace ringside::grading
