#pragma once
// The grade report in each output format: text for people, JSON (everything), JUnit XML,
// Gradescope's results.json and GitHub Classroom's autograding result. Student-facing formats
// (text, junit, classroom) hide the checks and messages of hidden cases unless asked; Gradescope
// gets them all with visibility "hidden", JSON is for instructors and has everything.
#include "grading/grade_result.h"

#include <string>
#include <vector>

namespace ringside::grading {

struct ReportMeta {
  std::string lab;
  std::string backend;
  std::string hostKind;
  std::string version;
  std::string network; ///< how the children were cut off from the network
  bool showHidden = false;
};

enum class Format : uint8_t { Text, Json, Junit, Gradescope, Classroom };
/// "text", "json", "junit", "gradescope", "classroom"; nullopt for anything else.
std::optional<Format> formatByName(const std::string &name);
const char *formatExtension(Format format); ///< "txt", "json", "xml", "json", "json"

std::string renderReport(Format format, const std::vector<SubmissionResult> &results,
                         const ReportMeta &meta);

std::string renderText(const std::vector<SubmissionResult> &results, const ReportMeta &meta);
std::string renderJson(const std::vector<SubmissionResult> &results, const ReportMeta &meta);
std::string renderJunit(const std::vector<SubmissionResult> &results, const ReportMeta &meta);
/// One submission: Gradescope's object; several: a JSON array of them.
std::string renderGradescope(const std::vector<SubmissionResult> &results, const ReportMeta &meta);
/// One submission: the autograding runner's result; several: an array of them.
std::string renderClassroom(const std::vector<SubmissionResult> &results, const ReportMeta &meta);

/// Valid UTF-8 with XML 1.0's forbidden control characters replaced by '?'.
std::string xmlSafe(const std::string &text);

} // namespace ringside::grading
