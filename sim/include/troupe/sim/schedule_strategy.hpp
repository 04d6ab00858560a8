// How the simulator picks what runs next. At every step the candidates are
// the runnable actors (oldest first) followed by the timers due now (in due
// order); a strategy returns the index of one. Index 0 is the default order
// (fifo): any other pick is a preemption, which is what shrinking minimises
// and what bounded systematic exploration counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "troupe/sim/prng.hpp"
#include "troupe/time.hpp"

namespace troupe::sim {

/// One thing that could run next.
struct Candidate {
  std::uint64_t actor = 0;  ///< the actor's id, or 0 for a timer
  TimerId timer = 0;        ///< the timer's id, for a timer
  std::string_view path;    ///< the actor's path (empty for a timer)
};

/// The candidates of one step, computed on demand: most strategies look at
/// the count only.
class Candidates {
 public:
  virtual std::size_t size() const = 0;
  virtual Candidate at(std::size_t index) const = 0;

 protected:
  ~Candidates() = default;
};

class ScheduleStrategy {
 public:
  virtual ~ScheduleStrategy() = default;
  /// The index of the candidate to run, < candidates.size(). Asked when
  /// there are two or more, and also with one if sees_every_step().
  virtual std::size_t choose(const Candidates& candidates) = 0;
  /// Whether the strategy must see steps that have a single candidate
  /// (PCT counts them towards its change points).
  /// Asked once, when the scheduler is made.
  virtual bool sees_every_step() const { return false; }
};

/// The oldest runnable first: timers due now wait until no actor is runnable.
std::unique_ptr<ScheduleStrategy> make_fifo_strategy();
/// A uniformly random candidate, drawn from `stream`.
std::unique_ptr<ScheduleStrategy> make_random_strategy(Prng stream);

}  // namespace troupe::sim
