#pragma once
// The class summary of a batch: one CSV row per student (score, status, points per check) and
// a per-check pass-rate table, in the spec's check order.
#include "grading/grade_result.h"
#include "grading/lab_spec.h"

#include <string>
#include <vector>

namespace ringside::grading {

std::string classSummaryCsv(const LabSpec &spec, const std::vector<SubmissionResult> &results);
/// CSV: case, check, passed, graded, pass_rate.
std::string passRateCsv(const LabSpec &spec, const std::vector<SubmissionResult> &results);
/// The same as an aligned table for a terminal.
std::string passRateTable(const LabSpec &spec, const std::vector<SubmissionResult> &results);

/// A CSV field: quoted when needed; a leading = + - @ is defused for spreadsheets.
std::string csvField(const std::string &text);

} // namespace ringside::grading
