// A pool's size bounds and routing policy.
#pragma once

#include <cstddef>

#include "troupe/router.hpp"

namespace troupe {

struct PoolSettings {
  std::size_t min = 1;
  std::size_t max = 1;
  Routing routing = Routing::round_robin;
};

/// The most workers one pool may have: a limit on what one pool may spawn.
inline constexpr std::size_t kMaxPoolWorkers = 4096;

/// Throws std::invalid_argument naming the offending field.
void validate(const PoolSettings& settings);

}  // namespace troupe
