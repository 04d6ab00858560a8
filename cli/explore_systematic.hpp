// troupe explore --strategy systematic: for each seed, every schedule within
// a preemption (or delay) bound, depth first (sim/systematic.hpp). Says when
// the space was exhausted, or that --max-schedules stopped it first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.hpp"
#include "sim/systematic.hpp"

namespace troupe::cli {

struct SystematicOptions {
  std::string scenario;
  sim::Params params;
  std::vector<std::uint64_t> seeds;
  bool swarm = false;
  sim::SystematicSettings settings;
  std::string out;
};

/// 0 when no schedule failed, 1 when one did (its trace written to `out`).
int explore_systematically(const SystematicOptions& o);

}  // namespace troupe::cli
