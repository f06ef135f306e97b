#pragma once
// Errors that Ringside reports to a person. InputError is for bad input (a missing file, a
// malformed guest, a bad flag value): the CLI prints its message on one line and exits with 2.
#include <stdexcept>
#include <string>

namespace ringside {

class InputError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace ringside
