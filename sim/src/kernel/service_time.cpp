#include "troupe/sim/service_time.hpp"

#include <algorithm>
#include <stdexcept>

namespace troupe::sim {

namespace {
void require_non_negative(Duration d, const char* what) {
  if (d < Duration::zero()) {
    throw std::invalid_argument(std::string("service time: ") + what + " must not be negative");
  }
}
}  // namespace

ServiceTime ServiceTime::zero() {
  return ServiceTime(
      [](const ResumableInfo&, const PendingMessage&, Prng&) { return Duration::zero(); }, true);
}

ServiceTime ServiceTime::fixed(Duration d) {
  require_non_negative(d, "fixed duration");
  return ServiceTime([d](const ResumableInfo&, const PendingMessage&, Prng&) { return d; },
                     d == Duration::zero());
}

ServiceTime ServiceTime::uniform(Duration lo, Duration hi) {
  require_non_negative(lo, "uniform lower bound");
  if (hi < lo) throw std::invalid_argument("service time: uniform upper bound is below the lower");
  return ServiceTime(
      [lo, hi](const ResumableInfo&, const PendingMessage&, Prng& p) { return p.uniform(lo, hi); },
      hi == Duration::zero());
}

ServiceTime ServiceTime::exponential(Duration mean) {
  require_non_negative(mean, "exponential mean");
  return ServiceTime(
      [mean](const ResumableInfo&, const PendingMessage&, Prng& p) { return p.exponential(mean); },
      mean == Duration::zero());
}

ServiceTime ServiceTime::per_kind(std::map<std::string, ServiceTime> by_kind,
                                  ServiceTime fallback) {
  const bool all_zero =
      fallback.is_zero() &&
      std::all_of(by_kind.begin(), by_kind.end(), [](const auto& e) { return e.second.is_zero(); });
  return ServiceTime(
      [by_kind = std::move(by_kind), fallback = std::move(fallback)](
          const ResumableInfo& a, const PendingMessage& m, Prng& p) {
        const auto it = by_kind.find(std::string(a.kind));
        return it == by_kind.end() ? fallback(a, m, p) : it->second(a, m, p);
      },
      all_zero);
}

ServiceTime ServiceTime::custom(ActorModel model) {
  if (!model) throw std::invalid_argument("service time: the custom model is empty");
  return per_message([model = std::move(model)](const ResumableInfo& a, const PendingMessage&,
                                                Prng& p) { return model(a, p); });
}

ServiceTime ServiceTime::per_message(Model model) {
  if (!model) throw std::invalid_argument("service time: the per-message model is empty");
  return ServiceTime(
      [model = std::move(model)](const ResumableInfo& a, const PendingMessage& m, Prng& p) {
        // A negative answer means no time, never time running backwards.
        return std::max(model(a, m, p), Duration::zero());
      },
      false);
}

Duration ServiceTime::operator()(const ResumableInfo& actor, const PendingMessage& message,
                                 Prng& prng) const {
  return model_(actor, message, prng);
}

}  // namespace troupe::sim
