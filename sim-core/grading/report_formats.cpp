#include "grading/report_formats.h"

#include <array>
#include <cstdio>
#include <sstream>

namespace ringside::grading {
namespace {

using ojson = nlohmann::ordered_json;

constexpr std::array kFormats = {"text", "json", "junit", "gradescope", "classroom"};
constexpr std::array kExtensions = {"txt", "json", "xml", "json", "json"};

std::string points(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", p);
  return text;
}

std::string dump(const ojson &j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

/// Length of a valid UTF-8 sequence at text[i], 0 when it is not one.
size_t utf8Length(const std::string &text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > text.size() || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4))
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) >> 6) != 2)
      return 0;
  return n;
}

std::string xmlEscape(const std::string &text) {
  std::string out;
  for (char c : xmlSafe(text)) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&apos;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

bool masked(const CaseResult &c, const ReportMeta &meta) { return c.hidden && !meta.showHidden; }

} // namespace

std::optional<Format> formatByName(const std::string &name) {
  for (size_t i = 0; i < kFormats.size(); ++i)
    if (name == kFormats[i])
      return static_cast<Format>(i);
  return std::nullopt;
}

const char *formatExtension(Format format) { return kExtensions[static_cast<size_t>(format)]; }

std::string xmlSafe(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8Length(text, i);
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (n == 0 || (n == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      out += '?';
      i += n ? n : 1;
      continue;
    }
    out.append(text, i, n);
    i += n;
  }
  return out;
}

std::string renderText(const std::vector<SubmissionResult> &results, const ReportMeta &meta) {
  std::ostringstream out;
  out << "ringside grade: " << meta.lab << " (backend " << meta.backend << ", host "
      << meta.hostKind << ", ringside " << meta.version << ")\n";
  for (const auto &r : results) {
    out << "\n== " << r.submission << ": " << points(r.score()) << "/" << points(r.maxScore());
    if (r.status != Status::Graded)
      out << " [" << statusName(r.status) << ": " << r.reason << "]";
    out << "\n";
    for (const auto &c : r.cases) {
      if (masked(c, meta)) {
        out << "  case (hidden): " << points(c.score()) << "/" << points(c.maxPoints()) << "\n";
        continue;
      }
      out << "  case " << c.name << ": " << points(c.score()) << "/" << points(c.maxPoints());
      if (!c.stop.empty())
        out << "  (stop " << c.stop << ", " << c.instructions << " instructions)";
      out << "\n";
      for (const auto &k : c.checks) {
        out << "    "
            << (k.passed       ? "PASS"
                : k.points > 0 ? "PART"
                               : "FAIL")
            << " " << k.name << " [" << points(k.points) << "/" << points(k.maxPoints) << "]";
        if (!k.passed)
          out << ": " << k.message;
        out << "\n";
      }
    }
  }
  return out.str();
}

std::string renderJson(const std::vector<SubmissionResult> &results, const ReportMeta &meta) {
  ojson j;
  j["lab"] = meta.lab;
  j["backend"] = meta.backend;
  j["host"] = meta.hostKind;
  j["version"] = meta.version;
  j["network"] = meta.network;
  j["submissions"] = ojson::array();
  for (const auto &r : results)
    j["submissions"].push_back(toJson(r));
  return dump(j);
}

std::string renderJunit(const std::vector<SubmissionResult> &results, const ReportMeta &meta) {
  size_t tests = 0, failures = 0, errors = 0;
  std::ostringstream suites;
  for (const auto &r : results) {
    size_t sTests = 0, sFailures = 0, sErrors = 0;
    std::ostringstream cases;
    for (const auto &c : r.cases) {
      for (size_t i = 0; i < c.checks.size(); ++i) {
        const auto &k = c.checks[i];
        const std::string name =
            masked(c, meta) ? "hidden check " + std::to_string(i + 1) : c.name + ": " + k.name;
        ++sTests;
        cases << "    <testcase name=\"" << xmlEscape(name) << "\" classname=\""
              << xmlEscape(r.submission) << "\" time=\"0\">\n";
        if (!k.passed) {
          const std::string message = masked(c, meta) ? "hidden check failed"
                                                      : k.message + " (" + points(k.points) + "/" +
                                                            points(k.maxPoints) + ")";
          const bool error = r.status != Status::Graded;
          (error ? sErrors : sFailures)++;
          cases << "      <" << (error ? "error" : "failure") << " message=\"" << xmlEscape(message)
                << "\"/>\n";
        }
        cases << "    </testcase>\n";
      }
    }
    tests += sTests, failures += sFailures, errors += sErrors;
    suites << "  <testsuite name=\"" << xmlEscape(r.submission) << "\" tests=\"" << sTests
           << "\" failures=\"" << sFailures << "\" errors=\"" << sErrors << "\" time=\""
           << r.seconds << "\">\n"
           << "    <properties>\n"
           << "      <property name=\"score\" value=\"" << points(r.score()) << "\"/>\n"
           << "      <property name=\"max_score\" value=\"" << points(r.maxScore()) << "\"/>\n"
           << "      <property name=\"status\" value=\"" << statusName(r.status) << "\"/>\n"
           << "      <property name=\"backend\" value=\"" << xmlEscape(meta.backend) << "\"/>\n"
           << "      <property name=\"host\" value=\"" << xmlEscape(meta.hostKind) << "\"/>\n"
           << "      <property name=\"ringside_version\" value=\"" << xmlEscape(meta.version)
           << "\"/>\n"
           << "    </properties>\n"
           << cases.str() << "  </testsuite>\n";
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"" << xmlEscape(meta.lab) << "\" tests=\"" << tests << "\" failures=\""
      << failures << "\" errors=\"" << errors << "\">\n"
      << suites.str() << "</testsuites>\n";
  return out.str();
}

namespace {

ojson gradescopeOne(const SubmissionResult &r, const ReportMeta &meta) {
  ojson j;
  j["score"] = r.score();
  j["max_score"] = r.maxScore();
  std::string output = "Graded by ringside " + meta.version + " on the " + meta.backend +
                       " backend (host " + meta.hostKind + ").";
  if (r.status != Status::Graded)
    output += std::string(" ") + statusName(r.status) + ": " + r.reason;
  j["output"] = output;
  j["visibility"] = "visible";
  j["stdout_visibility"] = "hidden";
  j["extra_data"] = {{"backend", meta.backend},
                     {"host", meta.hostKind},
                     {"ringside_version", meta.version},
                     {"status", statusName(r.status)}};
  j["tests"] = ojson::array();
  for (const auto &c : r.cases)
    for (const auto &k : c.checks)
      j["tests"].push_back({{"name", c.name + ": " + k.name},
                            {"score", k.points},
                            {"max_score", k.maxPoints},
                            {"status", k.passed ? "passed" : "failed"},
                            {"output", k.message},
                            {"visibility", c.hidden ? "hidden" : "visible"}});
  return j;
}

ojson classroomOne(const SubmissionResult &r, const ReportMeta &meta) {
  ojson j;
  j["version"] = 1;
  j["status"] = r.status != Status::Graded ? "error" : r.allPassed() ? "pass" : "fail";
  j["max_score"] = r.maxScore();
  j["tests"] = ojson::array();
  for (const auto &c : r.cases)
    for (size_t i = 0; i < c.checks.size(); ++i) {
      const auto &k = c.checks[i];
      const bool hide = masked(c, meta);
      j["tests"].push_back(
          {{"name", hide ? "hidden check " + std::to_string(i + 1) : c.name + ": " + k.name},
           {"status", r.status != Status::Graded ? "error"
                      : k.passed                 ? "pass"
                                                 : "fail"},
           {"score", k.points},
           {"max_score", k.maxPoints},
           {"message", hide ? std::string(k.passed ? "passed" : "failed") : k.message}});
    }
  return j;
}

template <typename One>
std::string oneOrArray(const std::vector<SubmissionResult> &results, const ReportMeta &meta,
                       One one) {
  if (results.size() == 1)
    return dump(one(results[0], meta));
  ojson all = ojson::array();
  for (const auto &r : results)
    all.push_back(one(r, meta));
  return dump(all);
}

} // namespace

std::string renderGradescope(const std::vector<SubmissionResult> &results, const ReportMeta &meta) {
  return oneOrArray(results, meta, gradescopeOne);
}

std::string renderClassroom(const std::vector<SubmissionResult> &results, const ReportMeta &meta) {
  return oneOrArray(results, meta, classroomOne);
}

std::string renderReport(Format format, const std::vector<SubmissionResult> &results,
                         const ReportMeta &meta) {
  switch (format) {
  case Format::Text:
    return renderText(results, meta);
  case Format::Json:
    return renderJson(results, meta);
  case Format::Junit:
    return renderJunit(results, meta);
  case Format::Gradescope:
    return renderGradescope(results, meta);
  case Format::Classroom:
    return renderClassroom(results, meta);
  }
  return "";
}

} // namespace ringside::grading
