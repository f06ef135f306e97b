#include "grading/grade_result.h"

#include <array>

namespace ringside::grading {

namespace {
constexpr std::array kStatusNames = {"graded", "build-error", "error"};
}

const char *statusName(Status status) { return kStatusNames[static_cast<size_t>(status)]; }

const char *ringsideVersion() { return RINGSIDE_VERSION; }

double CaseResult::score() const {
  double sum = 0;
  for (const auto &c : checks)
    sum += c.points;
  return sum;
}

double CaseResult::maxPoints() const {
  double sum = 0;
  for (const auto &c : checks)
    sum += c.maxPoints;
  return sum;
}

double SubmissionResult::score() const {
  double sum = 0;
  for (const auto &c : cases)
    sum += c.score();
  return sum;
}

double SubmissionResult::maxScore() const {
  double sum = 0;
  for (const auto &c : cases)
    sum += c.maxPoints();
  return sum;
}

bool SubmissionResult::allPassed() const {
  if (status != Status::Graded)
    return false;
  for (const auto &c : cases)
    for (const auto &k : c.checks)
      if (!k.passed)
        return false;
  return true;
}

SubmissionResult failedResult(const LabSpec &spec, const std::string &submission, Status status,
                              const std::string &reason) {
  SubmissionResult r;
  r.submission = submission;
  r.status = status;
  r.reason = reason;
  for (const auto &tc : spec.cases) {
    CaseResult cr;
    cr.name = tc.name;
    cr.hidden = tc.hidden;
    cr.stopMessage = reason;
    for (const auto &check : tc.checks)
      cr.checks.push_back({check.name, checkTypeName(check.type), 0, check.points, false,
                           std::string(statusName(status)) + ": " + reason});
    r.cases.push_back(std::move(cr));
  }
  return r;
}

nlohmann::ordered_json toJson(const SubmissionResult &r) {
  nlohmann::ordered_json j;
  j["submission"] = r.submission;
  j["status"] = statusName(r.status);
  j["reason"] = r.reason;
  j["score"] = r.score();
  j["max_score"] = r.maxScore();
  j["backend"] = r.backend;
  j["host"] = r.hostKind;
  j["version"] = r.version;
  j["seconds"] = r.seconds;
  j["cases"] = nlohmann::ordered_json::array();
  for (const auto &c : r.cases) {
    nlohmann::ordered_json cj;
    cj["name"] = c.name;
    cj["hidden"] = c.hidden;
    cj["stop"] = c.stop;
    cj["exit_code"] = c.exitCode;
    cj["stop_message"] = c.stopMessage;
    cj["instructions"] = c.instructions;
    cj["console"] = c.console;
    cj["checks"] = nlohmann::ordered_json::array();
    for (const auto &k : c.checks)
      cj["checks"].push_back({{"name", k.name},
                              {"type", k.type},
                              {"points", k.points},
                              {"max_points", k.maxPoints},
                              {"passed", k.passed},
                              {"message", k.message}});
    j["cases"].push_back(std::move(cj));
  }
  return j;
}

SubmissionResult resultFromJson(const nlohmann::json &j) {
  SubmissionResult r;
  r.submission = j.at("submission").get<std::string>();
  const std::string status = j.at("status").get<std::string>();
  for (size_t i = 0; i < kStatusNames.size(); ++i)
    if (status == kStatusNames[i])
      r.status = static_cast<Status>(i);
  r.reason = j.at("reason").get<std::string>();
  r.backend = j.value("backend", "");
  r.hostKind = j.value("host", "");
  r.version = j.value("version", "");
  r.seconds = j.value("seconds", 0.0);
  for (const auto &cj : j.at("cases")) {
    CaseResult c;
    c.name = cj.at("name").get<std::string>();
    c.hidden = cj.at("hidden").get<bool>();
    c.stop = cj.at("stop").get<std::string>();
    c.exitCode = cj.at("exit_code").get<int64_t>();
    c.stopMessage = cj.at("stop_message").get<std::string>();
    c.instructions = cj.at("instructions").get<uint64_t>();
    c.console = cj.at("console").get<std::string>();
    for (const auto &k : cj.at("checks"))
      c.checks.push_back({k.at("name").get<std::string>(), k.at("type").get<std::string>(),
                          k.at("points").get<double>(), k.at("max_points").get<double>(),
                          k.at("passed").get<bool>(), k.at("message").get<std::string>()});
    r.cases.push_back(std::move(c));
  }
  return r;
}

} // namespace ringside::grading
