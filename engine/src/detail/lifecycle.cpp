#include "troupe/detail/lifecycle.hpp"

#include <cstdio>
#include <string>

#include "troupe/assert.hpp"

namespace troupe::detail {

std::string_view to_string(LifecycleState state) {
  switch (state) {
    case LifecycleState::created:
      return "created";
    case LifecycleState::running:
      return "running";
    case LifecycleState::suspended:
      return "suspended";
    case LifecycleState::restarting:
      return "restarting";
    case LifecycleState::stopping:
      return "stopping";
    case LifecycleState::stopped:
      return "stopped";
  }
  return "unknown";
}

void Lifecycle::illegal_move(LifecycleState from, LifecycleState to) {
  const std::string what = "lifecycle_allows(" + std::string(to_string(from)) + " -> " +
                           std::string(to_string(to)) + ")";
  assertion_failed(what.c_str(), __FILE__, __LINE__);
}

}  // namespace troupe::detail
