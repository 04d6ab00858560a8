// troupe explore --strategy systematic: for each seed, every schedule within
// a preemption (or delay) bound, depth first (troupe/sim/systematic.hpp). Says when
// the space was exhausted, or that --max-schedules stopped it first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "troupe/sim/scenario.hpp"
#include "troupe/sim/systematic.hpp"

namespace troupe::cli {

struct SystematicOptions {
  std::string scenario;
  sim::Params params;
  std::vector<std::uint64_t> seeds;
  bool swarm = false;
  sim::SystematicSettings settings;
  std::string out;
  /// Which seeds have their first (default-order) schedule run twice and
  /// compared before the enumeration, which is sound only for a
  /// deterministic scenario: the first seed and one in 100 by default.
  bool check_every_seed = false;
  bool check_no_seed = false;
};

/// 0 when no schedule failed, 1 when one did (its trace written to `out`),
/// 3 (kExitNondeterministic) when a seed's runs were found to differ: its
/// enumeration is then not reported as exhausted.
int explore_systematically(const SystematicOptions& o);

}  // namespace troupe::cli
