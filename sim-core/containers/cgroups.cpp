#include "containers/cgroups.h"
#include "containers/proc_files.h"

#include "containers/syscall_names.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace ringside::containers {
namespace {

constexpr const char *kControllers[] = {"pids", "memory", "cpu"};

struct Mount {
  std::string root, point, fstype;
  std::set<std::string> options; ///< super options: the v1 controllers
};

std::set<std::string> splitSet(const std::string &s, char sep) {
  std::set<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);)
    out.insert(item);
  return out;
}

std::vector<Mount> cgroupMounts() {
  std::vector<Mount> out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, word;
    f >> id >> parent >> dev >> root >> point;
    while (f >> word && word != "-") {
    }
    std::string fstype, source, super;
    f >> fstype >> source >> super;
    if (fstype == "cgroup" || fstype == "cgroup2")
      out.push_back({root, point, fstype, splitSet(super, ',')});
  }
  return out;
}

// "hierarchy:controllers:path" lines: controllers → path ("" = the v2 line).
std::map<std::string, std::string> ownCgroups() {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos)
      continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

std::string below(const Mount &m, const std::string &path) {
  // A mount of a sub-tree (in a container) shows paths relative to its root.
  std::string rel = path;
  if (m.root != "/" && rel.starts_with(m.root))
    rel = rel.substr(m.root.size());
  if (rel == "/")
    rel.clear();
  return m.point + rel;
}

bool hasWord(std::string text, const std::string &word) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return splitSet(text, ' ').count(word);
}

ControllerPlace placeFor(const std::string &c, const std::vector<Mount> &mounts,
                         const std::map<std::string, std::string> &own, bool mayEnable) {
  ControllerPlace p{c, CgroupVersion::None, "", ""};
  // cgroup v2 first: the controller must be offered to our cgroup and enabled for its children.
  for (const auto &m : mounts) {
    if (m.fstype != "cgroup2" || !own.count(""))
      continue;
    std::string dir = below(m, own.at(""));
    if (!hasWord(readFile(dir + "/cgroup.controllers"), c)) {
      p.why = "v2 at " + m.point + " does not offer " + c;
      continue;
    }
    if (!hasWord(readFile(dir + "/cgroup.subtree_control"), c))
      if (int err = mayEnable ? writeFile(dir + "/cgroup.subtree_control", "+" + c) : EPERM) {
        p.why = "v2: cannot enable " + c + " in " + dir +
                "/cgroup.subtree_control: " + errnoName(err) +
                (err == EBUSY ? " (processes live in that cgroup)" : "");
        continue;
      }
    p.version = CgroupVersion::V2;
    p.parentDir = dir;
    p.why.clear();
    return p;
  }
  if (p.why.empty())
    p.why = "no cgroup v2 mount";
  for (const auto &m : mounts) {
    if (m.fstype != "cgroup" || !m.options.count(c))
      continue;
    for (const auto &[controllers, path] : own)
      if (splitSet(controllers, ',').count(c)) {
        p.version = CgroupVersion::V1;
        p.parentDir = below(m, path);
        return p;
      }
  }
  p.why += "; no cgroup v1 hierarchy with " + c;
  return p;
}

std::vector<pid_t> procsOf(const std::string &dir) {
  std::vector<pid_t> out;
  std::ifstream in(dir + "/cgroup.procs");
  for (long pid; in >> pid;)
    out.push_back(static_cast<pid_t>(pid));
  return out;
}

// Empties and removes one box directory; "" or why not.
std::string removeDir(const std::string &dir) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    for (pid_t pid : procsOf(dir))
      kill(pid, SIGKILL);
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT)
      return "";
    if (errno != EBUSY)
      return "rmdir " + dir + ": " + errnoName(errno);
    // Killed processes leave the cgroup when they are reaped: give them a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "rmdir " + dir + ": still busy after 1 s";
}

// Boxes of Ringside processes that died without cleaning up (kill -9): remove them.
void removeStale(const std::string &parent) {
  DIR *d = opendir(parent.c_str());
  if (!d)
    return;
  std::vector<std::string> stale;
  while (dirent *e = readdir(d)) {
    std::string n = e->d_name;
    if (!n.starts_with("ringside-box-"))
      continue;
    long pid = std::atol(n.c_str() + 13);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      stale.push_back(parent + "/" + n);
  }
  closedir(d);
  for (const auto &dir : stale)
    removeDir(dir);
}

} // namespace

const char *cgroupVersionName(CgroupVersion v) {
  return v == CgroupVersion::V2 ? "v2" : v == CgroupVersion::V1 ? "v1" : "none";
}

std::vector<ControllerPlace> planCgroups(bool mayEnable) {
  auto mounts = cgroupMounts();
  auto own = ownCgroups();
  std::vector<ControllerPlace> out;
  for (const char *c : kControllers)
    out.push_back(placeFor(c, mounts, own, mayEnable));
  return out;
}

void removeStaleBoxes() {
  for (const auto &p : planCgroups(false))
    if (p.version != CgroupVersion::None)
      removeStale(p.parentDir);
}

CgroupBox::CgroupBox(std::vector<ControllerPlace> places, const std::string &name)
    : places_(std::move(places)), name_(name) {
  for (auto &p : places_) {
    std::string dir;
    if (p.version != CgroupVersion::None) {
      removeStale(p.parentDir);
      dir = p.parentDir + "/" + name;
      // Two controllers in one hierarchy (v2, or v1 co-mounts) share the directory.
      bool made = std::find(dirs_.begin(), dirs_.end(), dir) != dirs_.end();
      if (!made && mkdir(dir.c_str(), 0755) != 0) {
        p.why = "mkdir " + dir + ": " + errnoName(errno);
        p.version = CgroupVersion::None;
        dir.clear();
      }
    }
    dirs_.push_back(dir);
  }
}

CgroupBox::~CgroupBox() { destroy(); }

bool CgroupBox::has(const std::string &controller) const { return !dirOf(controller).empty(); }

std::string CgroupBox::dirOf(const std::string &controller) const {
  for (size_t i = 0; i < places_.size(); ++i)
    if (places_[i].controller == controller)
      return dirs_[i];
  return "";
}

std::vector<CgroupWrite> CgroupBox::setLimits(const Limits &l) {
  std::vector<CgroupWrite> out;
  auto put = [&](const ControllerPlace &p, const std::string &file, const std::string &value) {
    std::string path = dirOf(p.controller) + "/" + file;
    out.push_back({p.controller, path, value, p.version, writeFile(path, value)});
  };
  for (const auto &p : places_) {
    if (!has(p.controller))
      continue;
    bool v2 = p.version == CgroupVersion::V2;
    if (p.controller == "pids") {
      put(p, "pids.max", std::to_string(l.pidsMax));
    } else if (p.controller == "memory") {
      put(p, v2 ? "memory.max" : "memory.limit_in_bytes", std::to_string(l.memoryMax));
      // No swapping out of the limit: then the limit can only be met by the OOM killer.
      std::string swap = v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";
      if (access((dirOf("memory") + "/" + swap).c_str(), F_OK) == 0)
        put(p, swap, v2 ? "0" : std::to_string(l.memoryMax));
    } else if (p.controller == "cpu") {
      if (v2) {
        put(p, "cpu.max", std::to_string(l.cpuQuotaUs) + " " + std::to_string(l.cpuPeriodUs));
      } else {
        put(p, "cpu.cfs_period_us", std::to_string(l.cpuPeriodUs));
        put(p, "cpu.cfs_quota_us", std::to_string(l.cpuQuotaUs));
      }
    }
  }
  return out;
}

std::vector<CgroupWrite> CgroupBox::attach(pid_t pid) {
  std::vector<CgroupWrite> out;
  std::set<std::string> done;
  for (const auto &p : places_) {
    std::string dir = dirOf(p.controller);
    if (dir.empty() || !done.insert(dir).second)
      continue;
    std::string path = dir + "/cgroup.procs";
    out.push_back(
        {p.controller, path, std::to_string(pid), p.version, writeFile(path, std::to_string(pid))});
  }
  return out;
}

std::vector<CgroupCounter> CgroupBox::counters() const {
  // controller, file, keys: the counters that show a limit biting.
  struct Source {
    const char *controller, *file, *key;
  };
  static constexpr Source kSources[] = {
      {"pids", "pids.events", "max"},     {"memory", "memory.events", "oom_kill"},
      {"memory", "memory.events", "max"}, {"memory", "memory.oom_control", "oom_kill"},
      {"memory", "memory.failcnt", ""},   {"cpu", "cpu.stat", "nr_throttled"},
      {"cpu", "cpu.stat", "nr_periods"},
  };
  std::vector<CgroupCounter> out;
  for (const auto &s : kSources) {
    std::string dir = dirOf(s.controller);
    if (dir.empty())
      continue;
    std::ifstream in(dir + "/" + s.file);
    if (!in)
      continue;
    if (!*s.key) {
      int64_t v = 0;
      if (in >> v)
        out.push_back({s.controller, s.file, "", v});
      continue;
    }
    for (std::string key; in >> key;) {
      int64_t v = 0;
      if (!(in >> v))
        break;
      if (key == s.key)
        out.push_back({s.controller, s.file, key, v});
    }
  }
  return out;
}

std::string CgroupBox::destroy() {
  std::string problems;
  for (auto &dir : dirs_) {
    if (dir.empty())
      continue;
    std::string d = dir;
    for (auto &other : dirs_)
      if (other == d)
        other.clear();
    if (auto why = removeDir(d); !why.empty())
      problems += (problems.empty() ? "" : "; ") + why;
  }
  return problems;
}

} // namespace ringside::containers
