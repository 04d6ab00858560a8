#include "troupe/sim/fault_plan.hpp"

#include <cmath>
#include <stdexcept>

namespace troupe::sim {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("fault plan: " + message);
}

void require_path(const std::string& path, const char* field) {
  require(!path.empty() && path.front() == '/',
          std::string(field) + " must be an actor path starting with '/', got '" + path + "'");
}

void require_probability(double p) {
  require(std::isfinite(p) && p >= 0.0 && p <= 1.0, "probability must be within [0, 1]");
}

}  // namespace

FaultPlan& FaultPlan::crash_on_message(std::string path, std::uint64_t message) {
  require_path(path, "crash_on_message.path");
  require(message >= 1, "crash_on_message.message is 1-based and must be >= 1");
  crashes_.push_back({std::move(path), message});
  return *this;
}

FaultPlan& FaultPlan::crash_with_probability(double probability, std::string path_prefix) {
  require_probability(probability);
  if (!path_prefix.empty()) require_path(path_prefix, "crash_with_probability.path_prefix");
  random_crashes_.push_back({probability, std::move(path_prefix)});
  return *this;
}

FaultPlan& FaultPlan::delay_deliveries(double probability, Duration delay) {
  require_probability(probability);
  require(delay >= Duration::zero(), "delay_deliveries.delay must not be negative");
  // Delays add up on one wake-up, so their sum is what must stay bounded.
  Duration total = delay;
  for (const auto& d : delays_) total += d.delay;  // each <= kMaxFaultTime: no overflow
  require(delay <= kMaxFaultTime && total <= kMaxFaultTime,
          "delay_deliveries.delay (all delays together) must be at most a year");
  delays_.push_back({probability, delay});
  return *this;
}

FaultPlan& FaultPlan::stall(std::string path, TimePoint at, Duration duration) {
  require_path(path, "stall.path");
  require(at.time_since_epoch() >= Duration::zero(), "stall.at must not be negative");
  require(duration > Duration::zero(), "stall.duration must be positive");
  require(at.time_since_epoch() <= kMaxFaultTime && duration <= kMaxFaultTime,
          "stall.at and stall.duration must each be at most a year");
  stalls_.push_back({std::move(path), at, duration});
  return *this;
}

FaultPlan& FaultPlan::slow(std::string path_prefix, double factor) {
  require_path(path_prefix, "slow.path_prefix");
  require(std::isfinite(factor) && factor >= 1.0, "slow.factor must be a finite number >= 1");
  // Slowdowns multiply where prefixes overlap: bound the product.
  double product = factor;
  for (const auto& s : slowdowns_) product *= s.factor;
  require(product <= kMaxSlowFactor, "slow.factor (all slowdowns multiplied) must be at most 1e6");
  slowdowns_.push_back({std::move(path_prefix), factor});
  return *this;
}

FaultPlan FaultPlan::swarm(Prng& prng) const {
  FaultPlan out;
  // One draw per kind, in a fixed order, whether or not the kind is present:
  // the same seed keeps the same kinds for any plan.
  if (prng.bernoulli(0.5)) out.crashes_ = crashes_;
  if (prng.bernoulli(0.5)) out.random_crashes_ = random_crashes_;
  if (prng.bernoulli(0.5)) out.delays_ = delays_;
  if (prng.bernoulli(0.5)) out.stalls_ = stalls_;
  if (prng.bernoulli(0.5)) out.slowdowns_ = slowdowns_;
  return out;
}

bool FaultPlan::empty() const {
  return crashes_.empty() && random_crashes_.empty() && delays_.empty() && stalls_.empty() &&
         slowdowns_.empty();
}

std::vector<std::string> FaultPlan::named_paths() const {
  std::vector<std::string> out;
  for (const auto& c : crashes_) out.push_back(c.path);
  for (const auto& s : stalls_) out.push_back(s.path);
  return out;
}

}  // namespace troupe::sim
