#pragma once
// `; diff: skip-on=pvm reason="…"` lines in a corpus guest: the KVM host flavours that cannot
// run it, and why. The differential test and `ringside diff` print the reason and skip.
#include <optional>
#include <string>
#include <vector>

namespace ringside::diff {

struct SkipMark {
  std::vector<std::string> flavours; ///< "pvm", "vmx", "svm"
  std::string reason;
  int line = 0;
};

/// Parses every `; diff:` line of an assembly source. Throws InputError naming `path:line` for
/// an unknown key, an unknown flavour, or a mark without a reason.
std::vector<SkipMark> parseSkipMarks(const std::string &source, const std::string &path);

/// The same, reading the file; a non-.asm file has no marks.
std::vector<SkipMark> readSkipMarks(const std::string &path);

/// The mark that applies on `flavour`, if any.
std::optional<SkipMark> skipFor(const std::vector<SkipMark> &marks, const std::string &flavour);

/// Which KVM implementation this host's /dev/kvm is: "pvm", "vmx", "svm", or "" when no KVM
/// module is loaded. Read from /sys/module (the notes in shared/notes/kvm.md §0).
std::string kvmHostFlavour();

} // namespace ringside::diff
