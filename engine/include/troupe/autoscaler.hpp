// The autoscaler's decisions, as pure functions of what it observes: easy to
// test exhaustively and identical on both schedulers. The pool ticks them on a
// scheduler timer and applies what they decide.
//
//   pool.autoscale({.interval = 500ms, .high_threshold = 6, .low_threshold = 2,
//                   .scale_up_step = 2, .scale_down_step = 1, .cooldown = 2s});
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "troupe/time.hpp"

namespace troupe {

/// Grow when the mean pending messages per worker is above `high_threshold`,
/// shrink below `low_threshold`; at most one change per `cooldown`.
struct AutoScaleSettings {
  Duration interval = std::chrono::milliseconds(500);
  double high_threshold = 6;
  double low_threshold = 2;
  std::size_t scale_up_step = 1;
  std::size_t scale_down_step = 1;
  Duration cooldown = std::chrono::seconds(2);
};

/// In the spirit of Akka's DefaultResizer: a worker is under pressure when it
/// holds at least `pressure_threshold` messages. When all are, grow by
/// ceil(rampup_rate * size); when fewer than backoff_threshold * size are,
/// shrink by floor(backoff_rate * size) (at least one).
struct PressureSettings {
  Duration interval = std::chrono::milliseconds(500);
  std::size_t pressure_threshold = 1;
  double rampup_rate = 0.2;
  double backoff_threshold = 0.3;
  double backoff_rate = 0.1;
  Duration cooldown = std::chrono::seconds(2);
};

/// Throws std::invalid_argument naming the offending field.
void validate(const AutoScaleSettings& s);
void validate(const PressureSettings& s);

/// One resize the autoscaler chose.
struct ScaleDecision {
  TimePoint time;
  double load = 0;  ///< mean pending per worker, or the fraction under pressure
  std::size_t from = 0;
  std::size_t to = 0;
  std::string reason;
};

/// What the autoscaler sees at a tick.
struct PoolLoad {
  TimePoint now;
  std::size_t workers = 0;           ///< in routing
  std::vector<std::size_t> pending;  ///< per routed worker: queued + in handler
  std::size_t min = 1;
  std::size_t max = 1;
  std::optional<TimePoint> last_change;
};

std::optional<ScaleDecision> decide(const AutoScaleSettings& s, const PoolLoad& load);
std::optional<ScaleDecision> decide(const PressureSettings& s, const PoolLoad& load);

}  // namespace troupe
