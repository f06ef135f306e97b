#include "diff_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "diff/differential.h"
#include "diff/skip_marks.h"
#include "errors.h"
#include "guest/image_loader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace ringside::cli {
namespace {

std::vector<std::string> splitBackends(const std::string &text) {
  std::vector<std::string> names;
  std::stringstream in(text);
  for (std::string name; std::getline(in, name, ',');)
    names.push_back(name);
  if (names.size() != 2 || names[0].empty() || names[1].empty())
    throw InputError("--backends needs two names separated by a comma (e.g. emu,kvm), got '" +
                     text + "'");
  return names;
}

// A guest marked for this host's KVM flavour cannot give a meaningful comparison here.
void checkSkipMarks(const std::string &guest, const std::vector<std::string> &backends) {
  if (std::find(backends.begin(), backends.end(), "kvm") == backends.end())
    return;
  std::string flavour = diff::kvmHostFlavour();
  if (auto mark = skipFor(diff::readSkipMarks(guest), flavour))
    throw InputError(guest + " cannot run on kvm on this " + flavour + " host: " + mark->reason);
}

void printJson(const diff::DiffReport &report) {
  nlohmann::ordered_json j;
  j["same"] = report.same();
  j["backends"] = {report.runs[0].backend, report.runs[1].backend};
  auto &stops = j["stops"] = nlohmann::ordered_json::array();
  for (const auto &r : report.runs)
    stops.push_back({{"backend", r.backend},
                     {"kind", stopKindName(r.stop.kind)},
                     {"code", r.stop.code},
                     {"message", r.stop.message}});
  auto &diffs = j["differences"] = nlohmann::ordered_json::array();
  for (const auto &d : report.differences)
    diffs.push_back({{"field", d.field}, {"a", d.a}, {"b", d.b}, {"explanation", d.explanation}});
  j["notes"] = report.notes;
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

void printText(const diff::DiffReport &report) {
  const auto &a = report.runs[0].backend, &b = report.runs[1].backend;
  if (report.same()) {
    std::cout << "same\n";
  } else {
    std::cout << report.differences.size() << " difference(s) between " << a << " and " << b
              << ":\n";
    for (const auto &d : report.differences)
      std::cout << "  " << d.field << ": " << a << "=" << d.a << " " << b << "=" << d.b << " — "
                << d.explanation << "\n";
  }
  for (const auto &note : report.notes)
    std::cout << "note: " << note << "\n";
}

} // namespace

void addDiffCommand(CLI::App &app, DiffOptions &o) {
  auto *cmd = app.add_subcommand("diff", "Run a guest on two backends and compare the results");
  cmd->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  cmd->add_option("--backends", o.backends, "two backends to compare (default emu,kvm)");
  cmd->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  cmd->add_option("--load", o.load, "load address of .asm/.bin images (default 0x7c00)");
  cmd->add_option("--mem", o.memMiB, "guest RAM in MiB (default 16)")->check(CLI::Range(1, 4096));
  cmd->add_option("--timeout", o.timeout, "seconds of wall time per run (default 10; 0: none)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_flag("--json", o.json, "print one JSON object");
}

int diffCommand(const DiffOptions &o) {
  try {
    auto names = splitBackends(o.backends);
    LoadOptions load = loadOptionsFrom(o.entry, o.load);
    GuestImage image = loadGuestImage(o.guest, load);
    checkSkipMarks(o.guest, names);
    RunConfig config;
    config.ramMiB = o.memMiB;
    config.timeoutSeconds = o.timeout;
    auto report = diff::runDifferential(image, config, names[0], names[1], createBackend);
    if (o.json)
      printJson(report);
    else
      printText(report);
    return report.same() ? 0 : 1;
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  } catch (const std::exception &e) {
    // A backend that fails while setting up the machine cannot run the guest here either.
    std::cerr << "ringside: cannot compare: " << e.what() << "\n";
    return 2;
  }
}

} // namespace ringside::cli
