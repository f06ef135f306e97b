#include "vmcs_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "util/hex.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <set>

namespace ringside::cli {

void addVmcsCommand(CLI::App &app, VmcsOptions &o) {
  auto *cmd = app.add_subcommand(
      "vmcs", "Print the modelled VMCS (emu backend) at a point of the guest's trace");
  cmd->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  cmd->add_option("--at", o.at, "trace position (seq of an event); default: the end of the run");
  cmd->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  cmd->add_option("--load", o.load, "load address of .asm/.bin images");
  cmd->add_option("--mem", o.memMiB, "guest RAM in MiB")->check(CLI::Range(1, 4096));
  cmd->add_option("--max-insns", o.maxInsns, "stop after N instructions");
  cmd->add_option("--timeout", o.timeout, "stop after SECONDS")->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--vmx-profile", o.vmxProfile, "kvm-like (default) or shadow-paging");
  cmd->add_option("--vmx-set", o.vmxSet, "control or field override, e.g. cpu_based.hlt_exiting=0");
  cmd->add_option("--region", o.region,
                  "show the VMCS a guest-written hypervisor keeps at this guest-physical address");
  cmd->add_flag("--all", o.all, "also print fields that are zero");
  cmd->add_flag("--json", o.json, "print one JSON object");
}

int vmcsCommand(const VmcsOptions &o) {
  std::unique_ptr<Backend> backend;
  std::map<uint32_t, uint64_t> snapshot;
  bool taken = false;
  uint64_t takenAt = 0;
  try {
    LoadOptions load = loadOptionsFrom(o.entry, o.load);
    GuestImage image = loadGuestImage(o.guest, load);
    backend = createBackend("emu"); // only the emu backend models a VMCS (KVM keeps it hidden)
    RunConfig config;
    config.ramMiB = o.memMiB;
    config.maxInstructions = o.maxInsns;
    config.timeoutSeconds = o.timeout;
    config.vmxProfile = o.vmxProfile;
    config.vmxOverrides = o.vmxSet;
    backend->load(image, config);
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
  const Vmcs *vmcs = backend->modelVmcs();
  backend->trace().setKeepEvents(false);
  std::map<uint32_t, uint64_t> regionValues; // a guest hypervisor's VMCS, replayed from events
  std::set<uint64_t> regions;
  backend->trace().addListener([&](const Event &e) {
    if (const auto *v = std::get_if<VmcsEvent>(&e.body); v && v->region != kVmmVmcs) {
      regions.insert(v->region);
      if (o.region && v->region == *o.region && !taken)
        regionValues[v->encoding] = v->newValue;
    }
    if (!taken && o.at && e.seq == *o.at) {
      snapshot = o.region ? regionValues : vmcs->values();
      taken = true;
      takenAt = e.seq;
    }
  });
  RunResult result = backend->run();
  if (!taken) {
    if (o.at) {
      std::cerr << "ringside: the trace has only " << backend->trace().size() << " events; --at "
                << *o.at << " is past its end\n";
      return 2;
    }
    snapshot = o.region ? regionValues : vmcs->values();
    takenAt = backend->trace().size() - 1;
  }
  std::string regionList;
  for (uint64_t r : regions)
    regionList += (regionList.empty() ? "" : ", ") + hex(r);
  if (o.region && !regions.count(*o.region)) {
    std::cerr << "ringside: the guest has no VMCS region at " << hex(*o.region)
              << (regions.empty() ? std::string(" (it never used VMX instructions)")
                                  : " (regions: " + regionList + ")")
              << "\n";
    return 2;
  }

  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  if (o.json) {
    json["at"] = takenAt;
    json["stop"] = stopKindName(result.stop.kind);
    json["source"] = "model";
    if (o.region)
      json["region"] = *o.region;
    json["fields"] = nlohmann::ordered_json::array();
  } else {
    if (o.region)
      std::cout << "VMCS region at " << hex(*o.region)
                << " of the guest's hypervisor (run on the VT-x model) after event " << takenAt
                << "\n";
    else
      std::cout << "VMCS (modelled by the emu backend) after event " << takenAt << "\n";
    if (!o.region && !regions.empty())
      std::cout << "(the guest's own hypervisor has VMCS regions at " << regionList
                << ": see --region)\n";
  }
  for (VmcsGroup g : {VmcsGroup::ExecutionControls, VmcsGroup::ExitControls,
                      VmcsGroup::EntryControls, VmcsGroup::ExitInformation,
                      VmcsGroup::GuestRegister, VmcsGroup::GuestNonRegister, VmcsGroup::Host}) {
    bool header = false;
    for (const auto &f : vmcsFields()) {
      if (f.group != g || f.high)
        continue;
      auto it = snapshot.find(f.encoding);
      uint64_t value = it == snapshot.end() ? 0 : it->second;
      if (!value && !o.all)
        continue;
      if (o.json) {
        json["fields"].push_back({{"group", vmcsGroupName(g)},
                                  {"encoding", f.encoding},
                                  {"name", f.name},
                                  {"value", value}});
        continue;
      }
      if (!header) {
        std::cout << "\n" << vmcsGroupName(g) << "\n";
        header = true;
      }
      char line[128];
      std::snprintf(line, sizeof line, "  0x%04x  %-36.*s 0x%llx\n", f.encoding,
                    static_cast<int>(f.name.size()), f.name.data(),
                    static_cast<unsigned long long>(value));
      std::cout << line;
    }
  }
  if (o.json)
    std::cout << json.dump() << "\n";
  return 0;
}

} // namespace ringside::cli
