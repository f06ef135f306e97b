#pragma once
// `ringside info`: what this host can run and show (the KVM host probe).
#include <CLI/CLI.hpp>

namespace ringside::cli {

struct InfoOptions {
  bool json = false;
};

void addInfoCommand(CLI::App &app, InfoOptions &options);
/// Exit status 0 (the probe itself never fails; an unusable /dev/kvm is reported, not an error).
int infoCommand(const InfoOptions &options);

} // namespace ringside::cli
