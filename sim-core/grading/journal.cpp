#include "grading/journal.h"

#include "errors.h"

#include <cerrno>
#include <cstring>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ringside::grading {
namespace {

std::string readAll(int fd) {
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

} // namespace

Journal::Journal(const std::string &path) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw InputError("cannot open journal '" + path + "': " + std::strerror(errno));
  const std::string text = readAll(fd_);
  // Only whole lines count: cut a torn tail so the next append starts on a fresh line.
  const size_t end = text.rfind('\n');
  const size_t keep = end == std::string::npos ? 0 : end + 1;
  if (keep != text.size()) {
    ++dropped_;
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0)
      throw InputError("cannot repair journal '" + path + "': " + std::strerror(errno));
  }
  std::istringstream lines(text.substr(0, keep));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty())
      continue;
    try {
      SubmissionResult r = resultFromJson(nlohmann::json::parse(line));
      done_[r.submission] = std::move(r);
    } catch (const nlohmann::json::exception &) {
      ++dropped_;
    }
  }
  if (::lseek(fd_, 0, SEEK_END) < 0)
    throw InputError("cannot seek journal '" + path + "': " + std::strerror(errno));
}

Journal::~Journal() {
  if (fd_ >= 0)
    ::close(fd_);
}

void Journal::append(const SubmissionResult &result, bool sync) {
  const std::string line =
      toJson(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw InputError("cannot write journal '" + path_ + "': " + std::strerror(errno));
    written += static_cast<size_t>(n);
  }
  done_[result.submission] = result;
  dirty_ = true;
  if (sync)
    this->sync();
}

void Journal::sync() {
  if (!dirty_)
    return;
  if (::fdatasync(fd_) != 0)
    throw InputError("cannot sync journal '" + path_ + "': " + std::strerror(errno));
  dirty_ = false;
}

} // namespace ringside::grading
