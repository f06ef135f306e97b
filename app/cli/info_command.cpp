#include "info_command.h"

#include "kvm_host.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace ringside::cli {
namespace {

struct ShownFlag {
  const char *key;
  const char *label;
  bool Capabilities::*flag;
};

// What the views can show on this host, in the order people read it.
constexpr ShownFlag kShown[] = {
    {"realExitReasons", "real hardware exit reasons", &Capabilities::realExitReasons},
    {"paging32", "32-bit guest paging", &Capabilities::paging32},
    {"canSingleStep", "single-step", &Capabilities::canSingleStep},
    {"guestPageWalks", "guest page-walk events", &Capabilities::guestPageWalks},
    {"exactInstructionCount", "exact instruction count", &Capabilities::exactInstructionCount},
    {"deterministic", "deterministic traces", &Capabilities::deterministic},
    {"snapshots", "snapshots", &Capabilities::snapshots},
    {"dirtyLog", "dirty-page log (live migration)", &Capabilities::dirtyLog},
};

nlohmann::ordered_json probeJson(const kvm::HostProbe &p, const Capabilities &caps) {
  nlohmann::ordered_json j;
  j["kvm"] = {{"status", kvm::hostStatusName(p.status)},
              {"usable", p.usable()},
              {"reason", p.reason},
              {"flavour", kvm::flavourId(p.flavour)},
              {"flavour_name", kvm::flavourName(p.flavour)},
              {"api_version", p.apiVersion}};
  nlohmann::ordered_json capsJson = nlohmann::ordered_json::object();
  for (const auto &c : p.caps)
    capsJson[c.name] = c.value;
  j["kvm"]["caps"] = capsJson;
  j["kvm"]["tracefs"] = {{"kvm_exit", p.kvmExitTraceReadable},
                         {"kvm_mmu_paging_element", p.mmuWalkTraceReadable}};
  nlohmann::ordered_json shown;
  for (const auto &s : kShown)
    shown[s.key] = caps.*s.flag;
  shown["description"] = caps.description;
  j["kvm"]["capabilities"] = shown;
  j["emu"] = {{"usable", true}};
  j["auto"] = p.usable() ? "kvm" : "emu";
  return j;
}

void printHuman(const kvm::HostProbe &p, const Capabilities &caps) {
  std::cout << "backends: emu available; kvm ";
  if (!p.usable()) {
    std::cout << "not available: " << p.reason << "\n";
    std::cout << "--backend auto uses: emu\n";
    return;
  }
  std::cout << "available\n";
  std::cout << "kvm flavour: " << kvm::flavourName(p.flavour) << "\n";
  std::cout << "kvm API version: " << p.apiVersion << "\n";
  std::cout << "kvm capabilities:";
  for (const auto &c : p.caps)
    std::cout << " " << c.name << "=" << c.value;
  std::cout << "\ncan show on kvm:\n";
  for (const auto &s : kShown)
    std::cout << "  " << s.label << ": " << (caps.*s.flag ? "yes" : "no") << "\n";
  std::cout << "tracefs: kvm:kvm_exit " << (p.kvmExitTraceReadable ? "readable" : "not readable")
            << ", kvmmmu:kvm_mmu_paging_element "
            << (p.mmuWalkTraceReadable ? "readable" : "not readable") << "\n";
  std::cout << "note: " << caps.description << "\n";
  std::cout << "--backend auto uses: kvm\n";
}

} // namespace

void addInfoCommand(CLI::App &app, InfoOptions &o) {
  auto *info = app.add_subcommand("info", "Show what this host can run: KVM flavour and abilities");
  info->add_flag("--json", o.json, "print one JSON object");
}

int infoCommand(const InfoOptions &o) {
  kvm::HostProbe probe = kvm::probeHost();
  Capabilities caps = kvm::capabilitiesFor(probe);
  if (o.json)
    std::cout << probeJson(probe, caps).dump() << "\n";
  else
    printHuman(probe, caps);
  return 0;
}

} // namespace ringside::cli
