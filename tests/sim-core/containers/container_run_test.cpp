// A real container on this host: PID 1 and the host name inside against outside, the pids.max
// and memory.max limits biting, the workload's system calls from ptrace, and the clean-up (also
// after a timeout or a stop request). Where the host forbids namespaces or cgroups, the tests
// skip and say why.
#include "containers/container_run.h"
#include "containers/namespaces.h"
#include "containers/syscall_names.h"
#include "containers/vm_workload.h"
#include "grading/event_query.h"
#include "test_paths.h"
#include "trace/trace_summary.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unistd.h>

namespace ringside::containers {
namespace {

namespace fs = std::filesystem;

struct Ran {
  ContainerResult result;
  std::vector<Event> events;
  std::string unavailable; ///< why no container could be made here
};

Ran runOnce(const ContainerOptions &options) {
  Ran ran;
  Trace trace;
  try {
    ran.result = runContainer(options, trace);
  } catch (const ContainerUnavailable &e) {
    ran.unavailable = e.what();
  }
  ran.events = trace.events();
  return ran;
}

// The demo runs once for the whole suite (about a second: it forks, allocates and spins).
const Ran &demo() {
  static const Ran ran = runOnce(ContainerOptions{});
  return ran;
}

std::vector<ContainerEvent> all(const Ran &ran, const std::string &what,
                                const std::string &name = "") {
  std::vector<ContainerEvent> out;
  for (const auto &e : ran.events)
    if (const auto *c = std::get_if<ContainerEvent>(&e.body))
      if (c->what == what && (name.empty() || c->name == name))
        out.push_back(*c);
  return out;
}

std::optional<ContainerEvent> first(const Ran &ran, const std::string &what,
                                    const std::string &name) {
  auto v = all(ran, what, name);
  return v.empty() ? std::nullopt : std::optional(v.front());
}

#define SKIP_WITHOUT_CONTAINERS(ran)                                                               \
  if (!(ran).unavailable.empty())                                                                  \
  GTEST_SKIP() << (ran).unavailable

std::string skipReason(const Ran &ran, const std::string &controller) {
  for (const auto &s : ran.result.skipped)
    if (s.starts_with("cgroup " + controller))
      return s;
  return "no " + controller + " cgroup here";
}

bool hasLimit(const Ran &ran, const std::string &controller) {
  for (const auto &p : ran.result.cgroups)
    if (p.controller == controller && p.version != CgroupVersion::None)
      return skipReason(ran, controller).starts_with("no ");
  return false;
}

TEST(ContainerRun, PidOneInsideAnotherPidOutside) {
  SKIP_WITHOUT_CONTAINERS(demo());
  auto inside = first(demo(), "inside", "pid");
  auto host = first(demo(), "host", "pid");
  ASSERT_TRUE(inside && host);
  EXPECT_EQ(inside->value, 1);
  EXPECT_GT(host->value, 1);
  EXPECT_NE(host->value, getpid());
  // The kernel's own answer, read by ptrace at the getpid syscall's return.
  auto call = first(demo(), "syscall", "getpid");
  ASSERT_TRUE(call) << "no getpid syscall traced";
  EXPECT_EQ(call->value, 1);
  EXPECT_EQ(call->pid, static_cast<uint32_t>(host->value));
}

TEST(ContainerRun, HostnameInsideIsTheContainersOwn) {
  SKIP_WITHOUT_CONTAINERS(demo());
  char mine[256] = {};
  gethostname(mine, sizeof mine - 1);
  auto inside = first(demo(), "inside", "hostname");
  auto host = first(demo(), "host", "hostname");
  ASSERT_TRUE(inside && host);
  EXPECT_EQ(inside->detail, "ringside-box");
  EXPECT_EQ(host->detail, mine);
  EXPECT_NE(std::string(mine), "ringside-box"); // the host's name never changed
}

TEST(ContainerRun, NamespacesAreNewAndTheNetworkIsOnlyLoopback) {
  SKIP_WITHOUT_CONTAINERS(demo());
  for (const char *ns : {"pid", "uts", "mnt"}) {
    auto e = first(demo(), "namespace", ns);
    ASSERT_TRUE(e) << ns;
    EXPECT_NE(static_cast<unsigned long>(e->value), namespaceInode("self", ns)) << ns;
  }
  if (auto net = first(demo(), "inside", "netifs")) {
    EXPECT_EQ(net->detail, "lo ");
  }
  auto mount = first(demo(), "host", "box-mount");
  ASSERT_TRUE(mount);
  EXPECT_EQ(mount->value, 0) << mount->detail; // the container's tmpfs is not the host's
}

TEST(ContainerRun, TheWorkloadsSyscallsComeFromPtrace) {
  SKIP_WITHOUT_CONTAINERS(demo());
  auto write = all(demo(), "syscall", "write");
  if (write.empty())
    GTEST_SKIP() << "no syscalls traced here";
  EXPECT_EQ(write.front().value, 19); // "hello from the box\n"
  EXPECT_EQ(write.front().from, "ptrace");
  EXPECT_EQ(all(demo(), "syscall", "uname").size(), 1u);
  EXPECT_EQ(all(demo(), "syscall", "exit_group").size(), 1u);
  EXPECT_EQ(demo().result.output, "hello from the box\n");
  EXPECT_EQ(demo().result.exitStatus, 0);
}

TEST(ContainerRun, ForkFailsWithEagainAtPidsMax) {
  SKIP_WITHOUT_CONTAINERS(demo());
  if (!hasLimit(demo(), "pids"))
    GTEST_SKIP() << skipReason(demo(), "pids");
  auto limit = first(demo(), "limit", "fork");
  ASSERT_TRUE(limit);
  EXPECT_EQ(limit->value, -EAGAIN) << limit->detail;
  // pids.max = 8 counts PID 1: seven children, then the eighth clone() fails.
  auto clones = all(demo(), "syscall", "clone");
  ASSERT_GE(clones.size(), 8u);
  EXPECT_EQ(clones[6].value, 8);
  EXPECT_EQ(clones[7].value, -EAGAIN);
  EXPECT_EQ(clones[7].detail, "EAGAIN");
  auto counter = first(demo(), "limit", "pids.events:max");
  ASSERT_TRUE(counter);
  EXPECT_GE(counter->value, 1);
}

TEST(ContainerRun, MemoryMaxEndsInAnOomKill) {
  SKIP_WITHOUT_CONTAINERS(demo());
  if (!hasLimit(demo(), "memory"))
    GTEST_SKIP() << skipReason(demo(), "memory");
  auto oom = first(demo(), "limit", "oom");
  ASSERT_TRUE(oom);
  EXPECT_EQ(oom->value, SIGKILL) << oom->detail;
  int64_t kills = 0;
  for (const auto &c : all(demo(), "limit"))
    if (c.name.ends_with(":oom_kill"))
      kills += c.value;
  EXPECT_GE(kills, 1);
}

// Every path the run made on the host is gone afterwards.
void expectCleanedUp(const Ran &ran) {
  EXPECT_EQ(ran.result.cleanup, "");
  for (const auto &c : all(ran, "cgroup"))
    if (c.name == "cgroup.procs") {
      auto dir = fs::path(c.detail.substr(0, c.detail.find(' '))).parent_path();
      EXPECT_FALSE(fs::exists(dir)) << dir;
    }
  auto mount = first(ran, "host", "box-mount");
  if (mount) {
    auto dir = mount->detail.substr(mount->detail.find("/tmp/"));
    dir = dir.substr(0, dir.find(' '));
    EXPECT_FALSE(fs::exists(dir)) << dir;
  }
  auto cleanup = first(ran, "cleanup", "all");
  ASSERT_TRUE(cleanup);
  EXPECT_EQ(cleanup->value, 0) << cleanup->detail;
}

TEST(ContainerRun, CleansUpAfterItself) {
  SKIP_WITHOUT_CONTAINERS(demo());
  expectCleanedUp(demo());
}

TEST(ContainerRun, CleansUpAfterATimeout) {
  ContainerOptions o;
  o.timeoutSeconds = 0.05; // the demo spins 0.3 s alone
  auto ran = runOnce(o);
  SKIP_WITHOUT_CONTAINERS(ran);
  EXPECT_TRUE(ran.result.timedOut);
  EXPECT_EQ(ran.result.exitStatus, 128 + SIGKILL);
  expectCleanedUp(ran);
}

TEST(ContainerRun, CleansUpWhenAStopIsRequested) {
  static volatile std::sig_atomic_t stop = 1; // as a signal handler would have set it
  ContainerOptions o;
  o.stopRequested = &stop;
  auto ran = runOnce(o);
  SKIP_WITHOUT_CONTAINERS(ran);
  EXPECT_TRUE(ran.result.stopped);
  expectCleanedUp(ran);
}

TEST(ContainerRun, APodsSidecarSharesNetworkAndIpcButNotUts) {
  ContainerOptions o;
  o.workload = Workload::Hello;
  o.useCgroups = false;
  o.pod = true;
  auto ran = runOnce(o);
  SKIP_WITHOUT_CONTAINERS(ran);
  for (const auto &s : ran.result.skipped)
    if (s.starts_with("pod sidecar") || s.starts_with("net ") || s.starts_with("ipc "))
      GTEST_SKIP() << s;
  auto net = first(ran, "pod", "net-shared"), ipc = first(ran, "pod", "ipc-shared"),
       uts = first(ran, "pod", "uts-shared"), pid = first(ran, "pod", "sidecar-pid");
  ASSERT_TRUE(net && ipc && uts && pid);
  EXPECT_EQ(net->value, 1) << net->detail;
  EXPECT_EQ(ipc->value, 1) << ipc->detail;
  EXPECT_EQ(uts->value, 0) << uts->detail; // its own host name
  EXPECT_EQ(pid->value, 1);                // and its own PID namespace
  expectCleanedUp(ran);
}

TEST(ContainerNames, SyscallAndErrnoTables) {
  EXPECT_EQ(syscallName(39), "getpid");
  EXPECT_EQ(syscallName(63), "uname");
  EXPECT_EQ(syscallName(100000), "syscall_100000");
  EXPECT_EQ(errnoName(EAGAIN), "EAGAIN");
}

TEST(ContainerCgroups, EveryControllerHasAPlaceOrAReason) {
  auto plan = planCgroups();
  ASSERT_EQ(plan.size(), 3u);
  for (const auto &p : plan)
    EXPECT_TRUE(p.version != CgroupVersion::None || !p.why.empty()) << p.controller;
}

TEST(ContainerEvents, SelectorsAndSummaryReadTheirFields) {
  Event fail{0, 7, ContainerEvent{"syscall", "clone", -EAGAIN, "EAGAIN", 4242, "ptrace"}};
  Event pid{1, 7, ContainerEvent{"inside", "pid", 1, "", 4242, "workload"}};
  EXPECT_TRUE(matches(parseEventQuery("container[what=syscall,name=clone,detail=EAGAIN]"), fail));
  EXPECT_FALSE(matches(parseEventQuery("container[what=syscall,name=getpid]"), fail));
  EXPECT_TRUE(matches(parseEventQuery("container[name=pid,value=1,pid=4242,from=workload]"), pid));
  EXPECT_FALSE(matches(parseEventQuery("container[value=1]"), fail));
  EXPECT_THROW(parseEventQuery("container[nr=56]"), InputError);
  auto summary = summarize({fail, pid, fail});
  EXPECT_EQ(summary.kinds["container"], 3u);
  EXPECT_EQ(summary.container["syscall clone"], 2u);
  EXPECT_EQ(summary.container["inside pid"], 1u);
}

TEST(ContainerCompare, TheLessonsGuestIsTheBuiltInOne) {
  std::ifstream in(test::sourceDir() / "lessons" / "16-containers" / "vm_workload.asm");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), kVmWorkloadAsm);
}

} // namespace
} // namespace ringside::containers
