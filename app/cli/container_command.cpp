#include "container_command.h"

#include "containers/compare_vm.h"
#include "containers/container_run.h"
#include "errors.h"
#include "trace/trace_json.h"
#include "trace/trace_summary.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

namespace ringside::cli {
namespace {

using namespace ringside::containers;

volatile std::sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

// SIGINT/SIGTERM during the run: the container is killed and everything removed, then the
// command returns. The old handlers come back afterwards.
struct SignalScope {
  struct sigaction oldInt {
  }, oldTerm{};
  SignalScope() {
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigaction(SIGINT, &sa, &oldInt);
    sigaction(SIGTERM, &sa, &oldTerm);
  }
  ~SignalScope() {
    sigaction(SIGINT, &oldInt, nullptr);
    sigaction(SIGTERM, &oldTerm, nullptr);
  }
};

// inside/host observations by name: (value, detail).
using Views = std::map<std::string, std::pair<int64_t, std::string>>;

std::string shown(const Views &v, const std::string &name, bool numeric) {
  auto it = v.find(name);
  if (it == v.end())
    return "-";
  if (!numeric)
    return it->second.second;
  return std::to_string(it->second.first);
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n'))
    s.pop_back();
  return s;
}

int containerRun(const ContainerCommandOptions &o);

} // namespace

void addContainerCommand(CLI::App &app, ContainerCommandOptions &o) {
  auto *c = app.add_subcommand(
      "container", "Run a small workload in a real container (namespaces, cgroups, ptrace)");
  c->add_option("--workload", o.workload,
                "demo: views and limits; hello: a message, getpid, uname (the VM comparison's)")
      ->check(CLI::IsMember({"demo", "hello"}));
  c->add_option("--hostname", o.hostname, "the container's host name (UTS namespace)");
  c->add_flag("--no-userns", o.noUserNs, "no user namespace (root only)");
  c->add_flag("--no-limits", o.noLimits, "no cgroup");
  c->add_flag("--no-ptrace", o.noPtrace, "do not trace the workload's system calls");
  c->add_option("--pids-max", o.pidsMax, "pids.max (default 8)")->check(CLI::Range(2, 4096));
  c->add_option("--memory-max", o.memoryMiB, "memory.max in MiB (default 32)")
      ->check(CLI::Range(8, 1024));
  c->add_option("--cpu-max", o.cpuMax, "cpu.max as \"QUOTA PERIOD\" in µs (default 20000 100000)");
  c->add_option("--trace", o.trace, "write the events as JSON Lines (with --compare-vm: both)");
  c->add_flag("--compare-vm", o.compareVm,
              "run the hello workload as a container and as an emu guest, side by side");
  c->add_flag("--pod", o.pod,
              "add a sidecar that joins the container's network and IPC namespaces (a pod)");
  c->add_flag("--json", o.json, "machine-readable output");
  c->add_option("--timeout", o.timeout, "seconds before the container is killed (default 20)");
}

int containerCommand(const ContainerCommandOptions &o) {
  try {
    return containerRun(o);
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
}

namespace {

int containerRun(const ContainerCommandOptions &o) {
  ContainerOptions opt;
  opt.workload = o.compareVm || o.workload == "hello" ? Workload::Hello : Workload::Demo;
  opt.hostname = o.hostname;
  opt.userNs = !o.noUserNs;
  opt.useCgroups = !o.noLimits && opt.workload == Workload::Demo;
  opt.traceSyscalls = !o.noPtrace;
  opt.pod = o.pod;
  opt.timeoutSeconds = o.timeout;
  opt.limits.pidsMax = o.pidsMax;
  opt.limits.memoryMax = o.memoryMiB << 20;
  {
    std::istringstream in(o.cpuMax);
    if (!(in >> opt.limits.cpuQuotaUs >> opt.limits.cpuPeriodUs) || !opt.limits.cpuPeriodUs ||
        opt.limits.cpuQuotaUs < 1000)
      throw InputError("--cpu-max: expected \"QUOTA PERIOD\" in microseconds, e.g. \"20000 "
                       "100000\" (quota at least 1000)");
  }
  opt.stopRequested = &gStop;
  gStop = 0;

  Trace trace;
  ContainerResult r;
  try {
    SignalScope signals;
    r = runContainer(opt, trace);
  } catch (const ContainerUnavailable &e) {
    std::cerr << "ringside container: skipped: " << e.what() << "\n";
    return 3;
  }
  std::vector<Event> vm;
  if (o.compareVm)
    vm = runVmWorkload();
  if (!o.trace.empty()) {
    JsonlWriter out(o.trace);
    uint64_t seq = 0;
    for (const std::vector<Event> *events :
         {&trace.events(), static_cast<const std::vector<Event> *>(&vm)})
      for (Event e : *events) {
        e.seq = seq++; // one file, one numbering: the container's events, then the guest's
        out(e);
      }
    out.flush();
  }

  Views inside, host, pod;
  std::vector<const ContainerEvent *> limits, cgroups;
  for (const auto &e : trace.events()) {
    const auto &c = std::get<ContainerEvent>(e.body);
    if (c.what == "inside")
      inside[c.name] = {c.value, c.detail};
    else if (c.what == "host")
      host[c.name] = {c.value, c.detail};
    else if (c.what == "pod")
      pod[c.name] = {c.value, c.detail};
    else if (c.what == "limit")
      limits.push_back(&c);
    else if (c.what == "cgroup")
      cgroups.push_back(&c);
  }
  auto summary = summarize(trace.events());
  std::map<std::string, uint64_t> syscalls;
  for (const auto &[key, n] : summary.container)
    if (key.starts_with("syscall "))
      syscalls[key.substr(8)] = n;

  if (o.json) {
    nlohmann::ordered_json j;
    j["namespaces"] = r.namespaces;
    auto cg = nlohmann::ordered_json::array();
    for (const auto &p : r.cgroups)
      cg.push_back({{"controller", p.controller},
                    {"version", cgroupVersionName(p.version)},
                    {"why", p.why}});
    j["cgroups"] = cg;
    j["skipped"] = r.skipped;
    for (auto [name, views] :
         {std::pair{"inside", &inside}, std::pair{"host", &host}, std::pair{"pod", &pod}})
      for (const auto &[k, v] : *views)
        j[name][k] = {{"value", v.first}, {"detail", v.second}};
    for (const auto *l : limits)
      j["limits"][l->name] = {{"value", l->value}, {"detail", l->detail}, {"from", l->from}};
    j["syscalls"] = syscalls;
    j["output"] = r.output;
    j["exit_status"] = r.exitStatus;
    j["timed_out"] = r.timedOut;
    j["stopped"] = r.stopped;
    j["cleanup"] = r.cleanup.empty() ? "complete" : r.cleanup;
    if (o.compareVm) {
      auto rows = nlohmann::ordered_json::array();
      for (const auto &row : sideBySide(trace.events(), vm))
        rows.push_back({{"container", row.container}, {"vm", row.vm}});
      j["compare"] = {{"rows", rows},
                      {"container_syscalls", workloadSyscalls(trace.events())},
                      {"vm_exits", vmExits(vm)}};
    }
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return r.stopped ? 130 : 0;
  }

  std::cout << "container: new namespaces:";
  for (const auto &n : r.namespaces)
    std::cout << " " << n;
  std::cout << "\n";
  if (opt.useCgroups) {
    std::cout << "cgroups:";
    for (const auto &p : r.cgroups)
      std::cout << " " << p.controller << "=" << cgroupVersionName(p.version);
    std::cout << "  (v2 where its controllers are enabled, else v1)\n";
    for (const auto &p : r.cgroups)
      if (p.version == CgroupVersion::V1 && !p.why.empty())
        std::cout << "  " << p.controller << " not on v2: " << p.why << "\n";
  }
  for (const auto &s : r.skipped)
    std::cout << "skipped: " << s << "\n";
  std::printf("\n%-12s %-34s %s\n", "", "inside the container", "on the host");
  const std::pair<const char *, bool> rows[] = {
      {"pid", true},     {"hostname", false}, {"uid", true},    {"mounts", true},
      {"netifs", false}, {"ipc-shm", true},   {"cgroup", false}};
  for (auto [name, numeric] : rows)
    if (inside.count(name) || host.count(name))
      std::printf("%-12s %-34s %s\n", name, trimmed(shown(inside, name, numeric)).c_str(),
                  trimmed(shown(host, name, numeric)).c_str());
  for (const auto &[name, v] : pod)
    std::printf("pod %-20s %lld  %s\n", name.c_str(), static_cast<long long>(v.first),
                v.second.c_str());
  if (host.count("box-mount"))
    std::cout << "mount:       " << host["box-mount"].second << "\n";
  if (!cgroups.empty() || !limits.empty())
    std::cout << "\nlimits (from cgroupfs and the workload):\n";
  for (const auto *c : cgroups)
    if (c->name != "cgroup.procs" && c->name != "pids" && c->name != "memory" && c->name != "cpu")
      std::cout << "  set   " << c->detail << "\n";
  for (const auto *l : limits)
    std::cout << "  " << (l->from == "cgroupfs" ? "count " : "bit   ") << l->name << " = "
              << l->value << (l->detail.empty() ? "" : "  (" + l->detail + ")") << "\n";
  std::cout << "\nsystem calls (ptrace):";
  for (const auto &[name, n] : syscalls)
    std::cout << " " << name << "=" << n;
  std::cout << (syscalls.empty() ? " not traced" : "") << "\n";
  std::cout << "workload output: " << trimmed(r.output) << "\n";
  std::cout << "PID 1 "
            << (r.exitStatus >= 128 ? "killed, signal " + std::to_string(r.exitStatus - 128)
                                    : "exited " + std::to_string(r.exitStatus))
            << (r.timedOut ? " (time limit)" : "") << (r.stopped ? " (stopped by a signal)" : "")
            << "\n";
  std::cout << "clean-up: " << (r.cleanup.empty() ? "complete" : r.cleanup) << "\n";

  if (o.compareVm) {
    std::printf("\n%-40s %s\n", "container: syscalls to the shared kernel",
                "VM (emu, modelled): exits to the VMM");
    for (const auto &row : sideBySide(trace.events(), vm))
      std::printf("  %-38s   %s\n", row.container.c_str(), row.vm.c_str());
    std::printf(
        "  %-38s   %s\n",
        (std::to_string(workloadSyscalls(trace.events())) + " system calls, 0 VM exits").c_str(),
        (std::to_string(vmExits(vm)) + " VM exits").c_str());
  }
  if (!o.trace.empty())
    std::cout << "trace: " << o.trace << "\n";
  return r.stopped ? 130 : 0;
}

} // namespace
} // namespace ringside::cli
