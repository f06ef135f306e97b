#pragma once
// Reading and writing the kernel's small text files (/proc, /sys/fs/cgroup): the container code
// needs the errno of a refused write, not an exception.
#include <string>

namespace ringside::containers {

/// The whole file, or "" when it cannot be read.
std::string readFile(const std::string &path);
/// Writes `text` in one write(2) to an existing file: 0, or the errno that refused it.
int writeFile(const std::string &path, const std::string &text);

} // namespace ringside::containers
