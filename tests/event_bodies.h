#pragma once
// The bodies of one event kind in a trace, in order: what most tests check first.
#include "trace/events.h"

#include <span>
#include <variant>
#include <vector>

namespace ringside::test {

template <typename T> std::vector<T> bodiesOf(std::span<const Event> events) {
  std::vector<T> out;
  for (const auto &e : events)
    if (const auto *body = std::get_if<T>(&e.body))
      out.push_back(*body);
  return out;
}

} // namespace ringside::test
