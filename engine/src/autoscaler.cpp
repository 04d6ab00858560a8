#include "troupe/autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <stdexcept>

namespace troupe {

namespace {

void require(bool ok, const char* message) {
  if (!ok) throw std::invalid_argument(message);
}

bool cooling_down(const PoolLoad& load, Duration cooldown) {
  return load.last_change && load.now - *load.last_change < cooldown;
}

/// A decision from `from` to the clamped `target`, or none if nothing changes.
std::optional<ScaleDecision> change(const PoolLoad& load, double observed, std::size_t target,
                                    const char* why) {
  const std::size_t to = std::clamp(target, load.min, load.max);
  if (to == load.workers) return std::nullopt;
  char reason[160];
  std::snprintf(reason, sizeof reason, "%s (load %.3f)", why, observed);
  return ScaleDecision{load.now, observed, load.workers, to, reason};
}

}  // namespace

void validate(const AutoScaleSettings& s) {
  require(s.interval > Duration::zero(), "autoscale.interval must be positive");
  require(s.cooldown > Duration::zero(), "autoscale.cooldown must be positive");
  require(s.scale_up_step >= 1, "autoscale.scale_up_step must be >= 1");
  require(s.scale_down_step >= 1, "autoscale.scale_down_step must be >= 1");
  require(std::isfinite(s.high_threshold) && std::isfinite(s.low_threshold),
          "autoscale thresholds must be finite");
  require(s.low_threshold >= 0, "autoscale.low_threshold must be >= 0");
  require(s.low_threshold < s.high_threshold,
          "autoscale.low_threshold must be below autoscale.high_threshold");
}

void validate(const PressureSettings& s) {
  require(s.interval > Duration::zero(), "pressure.interval must be positive");
  require(s.cooldown > Duration::zero(), "pressure.cooldown must be positive");
  require(s.pressure_threshold >= 1, "pressure.pressure_threshold must be >= 1");
  require(std::isfinite(s.rampup_rate) && s.rampup_rate > 0, "pressure.rampup_rate must be > 0");
  require(std::isfinite(s.backoff_threshold) && s.backoff_threshold >= 0 && s.backoff_threshold < 1,
          "pressure.backoff_threshold must be within [0, 1)");
  require(std::isfinite(s.backoff_rate) && s.backoff_rate > 0 && s.backoff_rate <= 1,
          "pressure.backoff_rate must be within (0, 1]");
}

std::optional<ScaleDecision> decide(const AutoScaleSettings& s, const PoolLoad& load) {
  if (load.workers == 0 || cooling_down(load, s.cooldown)) return std::nullopt;
  const double total = static_cast<double>(
      std::accumulate(load.pending.begin(), load.pending.end(), std::size_t{0}));
  const double mean = total / static_cast<double>(load.workers);
  if (mean > s.high_threshold) {
    return change(load, mean, load.workers + s.scale_up_step, "mean pending above high_threshold");
  }
  if (mean < s.low_threshold) {
    const std::size_t down = std::min(s.scale_down_step, load.workers);
    return change(load, mean, load.workers - down, "mean pending below low_threshold");
  }
  return std::nullopt;
}

std::optional<ScaleDecision> decide(const PressureSettings& s, const PoolLoad& load) {
  if (load.workers == 0 || cooling_down(load, s.cooldown)) return std::nullopt;
  const auto pressed = static_cast<std::size_t>(
      std::count_if(load.pending.begin(), load.pending.end(),
                    [&](std::size_t p) { return p >= s.pressure_threshold; }));
  const double n = static_cast<double>(load.workers);
  const double fraction = static_cast<double>(pressed) / n;
  if (pressed >= load.workers) {
    const auto up = static_cast<std::size_t>(std::ceil(s.rampup_rate * n));
    return change(load, fraction, load.workers + std::max<std::size_t>(1, up),
                  "every worker under pressure");
  }
  if (fraction < s.backoff_threshold) {
    const auto down =
        std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(s.backoff_rate * n)));
    return change(load, fraction, load.workers - std::min(down, load.workers),
                  "few workers under pressure");
  }
  return std::nullopt;
}

}  // namespace troupe
