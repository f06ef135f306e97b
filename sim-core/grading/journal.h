#pragma once
// The batch journal: one JSON line per graded submission, appended and fsync'd before the
// submission counts as done. A batch killed at any point (Ctrl-C, kill -9, power loss) resumes
// from it: finished submissions are not regraded, none is lost or recorded twice. A torn last
// line (the kill landed mid-write) is cut off on open; its submission is graded again.
#include "grading/grade_result.h"

#include <map>
#include <string>

namespace ringside::grading {

class Journal {
public:
  /// Opens (creating) the journal and reads what it holds. Throws InputError when it cannot.
  explicit Journal(const std::string &path);
  ~Journal();
  Journal(const Journal &) = delete;
  Journal &operator=(const Journal &) = delete;

  /// Results already recorded, by submission name (the last line wins should one repeat).
  const std::map<std::string, SubmissionResult> &done() const { return done_; }
  /// Appends one result (one write) and, with `sync`, fdatasyncs it. Without, the line survives
  /// a killed process at once and a power loss after sync(): a batch commits results in groups
  /// so one fsync covers every result that finished meanwhile. Throws InputError on errors.
  void append(const SubmissionResult &result, bool sync = true);
  /// Makes every appended line durable (fdatasync), if any is not yet.
  void sync();
  /// Lines dropped on open because they were torn or not results.
  size_t droppedLines() const { return dropped_; }

private:
  std::string path_;
  int fd_ = -1;
  std::map<std::string, SubmissionResult> done_;
  size_t dropped_ = 0;
  bool dirty_ = false;
};

} // namespace ringside::grading
