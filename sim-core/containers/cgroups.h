#pragma once
// The container's control groups: where this host offers the pids, memory and cpu controllers
// (cgroup v2 where they are enabled, else a cgroup v1 hierarchy), one box cgroup per run with
// its limits, and its removal — always, also after errors (the destructor).
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ringside::containers {

enum class CgroupVersion { None, V1, V2 };
const char *cgroupVersionName(CgroupVersion v); ///< "none", "v1", "v2"

/// Where one controller lives here.
struct ControllerPlace {
  std::string controller; ///< pids, memory, cpu
  CgroupVersion version = CgroupVersion::None;
  std::string parentDir; ///< this process's cgroup in that hierarchy: the box goes below it
  std::string why;       ///< for None (and for a v1 fallback): why not v2 / not at all
};

/// Reads /proc/self/mountinfo and /proc/self/cgroup. May enable a v2 controller in this
/// process's cgroup.subtree_control when the kernel allows it.
std::vector<ControllerPlace> planCgroups(bool mayEnable = true);

/// Removes box cgroups that Ringside processes killed with SIGKILL left behind (their PID is
/// gone), in every hierarchy a box could be in.
void removeStaleBoxes();

struct Limits {
  uint64_t pidsMax = 8;
  uint64_t memoryMax = 32ull << 20;                  ///< bytes
  uint64_t cpuQuotaUs = 20000, cpuPeriodUs = 100000; ///< cpu.max "20000 100000": 20 %
};

/// A file written under the box, and how it went.
struct CgroupWrite {
  std::string controller, path, value;
  CgroupVersion version = CgroupVersion::None;
  int err = 0; ///< errno, 0 when it worked
};

struct CgroupCounter {
  std::string controller, file, key;
  int64_t value = 0;
};

class CgroupBox {
public:
  /// Makes `name` below each place's parent (removing boxes left by dead Ringside processes).
  CgroupBox(std::vector<ControllerPlace> places, const std::string &name);
  ~CgroupBox();
  CgroupBox(const CgroupBox &) = delete;
  CgroupBox &operator=(const CgroupBox &) = delete;

  /// The places, with version None (and why) where the box directory could not be made.
  const std::vector<ControllerPlace> &places() const { return places_; }
  bool has(const std::string &controller) const;
  std::vector<CgroupWrite> setLimits(const Limits &limits);
  std::vector<CgroupWrite> attach(pid_t pid);
  std::vector<CgroupCounter> counters() const;
  std::string dirOf(const std::string &controller) const;
  /// Kills what is left inside and removes the directories; "" or what could not be removed.
  std::string destroy();

private:
  std::vector<ControllerPlace> places_;
  std::vector<std::string> dirs_; ///< per place ("" where none)
  std::string name_;
};

} // namespace ringside::containers
