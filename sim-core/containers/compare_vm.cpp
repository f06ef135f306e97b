#include "containers/compare_vm.h"

#include "arch/exit_reasons.h"
#include "backend/backend.h"
#include "containers/vm_workload.h"
#include "errors.h"
#include "guest/image_loader.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace ringside::containers {
namespace {

namespace fs = std::filesystem;

// Consecutive equal labels fold into "label ×N".
std::vector<std::string> fold(const std::vector<std::string> &labels) {
  std::vector<std::string> out;
  for (size_t i = 0; i < labels.size();) {
    size_t j = i;
    while (j < labels.size() && labels[j] == labels[i])
      ++j;
    out.push_back(labels[i] + (j - i > 1 ? " ×" + std::to_string(j - i) : ""));
    i = j;
  }
  return out;
}

// The syscall events after the "phase workload" marker.
std::vector<const ContainerEvent *> workloadCalls(const std::vector<Event> &events) {
  std::vector<const ContainerEvent *> out;
  bool started = false;
  for (const auto &e : events)
    if (const auto *c = std::get_if<ContainerEvent>(&e.body)) {
      started |= c->what == "phase" && c->name == "workload";
      if (started && c->what == "syscall")
        out.push_back(c);
    }
  return out;
}

} // namespace

std::vector<Event> runVmWorkload() {
  char tmpl[] = "/tmp/ringside-vm-XXXXXX";
  if (!mkdtemp(tmpl))
    throw InputError("container --compare-vm: cannot make a temporary directory");
  fs::path dir = tmpl, file = dir / "vm_workload.asm";
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove{dir};
  std::ofstream(file) << kVmWorkloadAsm;
  auto backend = createBackend("emu");
  RunConfig config;
  config.maxInstructions = 100000;
  config.timeoutSeconds = 10;
  backend->load(loadGuestImage(file.string()), config);
  backend->run();
  return backend->trace().events();
}

std::vector<SideBySideRow> sideBySide(const std::vector<Event> &container,
                                      const std::vector<Event> &vm) {
  std::vector<std::string> left, right;
  for (const auto *c : workloadCalls(container)) {
    std::string label = c->name + "()";
    if (c->name == "exit_group" || c->name == "exit")
      label = c->name + "(" + std::to_string(c->value) + ")";
    else
      label += " = " + std::to_string(c->value);
    left.push_back(label);
  }
  for (const auto &e : vm)
    if (const auto *x = std::get_if<ExitEvent>(&e.body)) {
      std::string label = "VM exit " + std::string(exitReasonName(x->reason));
      if (x->reason == exit_reason::IoInstruction) { // the port: qualification bits 31:16
        char port[32];
        std::snprintf(port, sizeof port, " (OUT 0x%llX)",
                      static_cast<unsigned long long>(x->qualification >> 16));
        label += port;
      }
      right.push_back(label);
    }
  left = fold(left);
  right = fold(right);
  std::vector<SideBySideRow> rows(std::max(left.size(), right.size()));
  for (size_t i = 0; i < rows.size(); ++i)
    rows[i] = {i < left.size() ? left[i] : "", i < right.size() ? right[i] : ""};
  return rows;
}

uint64_t workloadSyscalls(const std::vector<Event> &container) {
  return workloadCalls(container).size();
}

uint64_t vmExits(const std::vector<Event> &vm) {
  uint64_t n = 0;
  for (const auto &e : vm)
    n += std::holds_alternative<ExitEvent>(e.body);
  return n;
}

} // namespace ringside::containers
