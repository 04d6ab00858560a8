// PCT, probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010):
// random distinct priorities for everything that runs, plus depth - 1 change
// points spread over the first `expected_steps` steps, each lowering the
// running candidate below all others. Finds any bug of depth d with
// probability >= 1/(n k^(d-1)) for n candidates and k steps.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "troupe/sim/schedule_strategy.hpp"

namespace troupe::sim {

/// Depth is the number of change points plus one, each kept in memory.
inline constexpr std::size_t kMaxPctDepth = 10000;

struct PctSettings {
  std::size_t depth = 3;
  std::uint64_t expected_steps = 10000;
};

class PctStrategy final : public ScheduleStrategy {
 public:
  PctStrategy(PctSettings settings, Prng stream);
  std::size_t choose(const Candidates& candidates) override;
  bool sees_every_step() const override { return true; }

 private:
  std::int64_t priority_of(const Candidate& c);

  PctSettings settings_;
  Prng stream_;
  std::uint64_t steps_ = 0;
  // Keyed by actor id, or by timer id with the top bit set. Looked up, never
  // iterated in an order that matters.
  std::map<std::uint64_t, std::int64_t> priority_;
  std::vector<std::uint64_t> change_points_;  // sorted step numbers
  std::size_t next_change_ = 0;
};

}  // namespace troupe::sim
