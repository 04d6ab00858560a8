// What every property suite shares: generators for the simulator's settings,
// a planted-defect check, and how a failing world names its seed.
#pragma once

#include <rapidcheck.h>

#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::props {

using namespace std::chrono_literals;

inline rc::Gen<sim::Strategy> gen_strategy() {
  return rc::gen::element(sim::Strategy::fifo, sim::Strategy::random, sim::Strategy::pct);
}

/// Seeds shrink towards 0, which keeps a minimal counterexample readable.
inline rc::Gen<std::uint64_t> gen_seed() {
  return rc::gen::inRange<std::uint64_t>(0, 1u << 20);
}

inline Duration ms(int n) {
  return std::chrono::milliseconds(n);
}

/// A container of at most `most` elements. (gen::resize would also shrink
/// the elements' own size, and so their ranges.)
template <class Container, class Gen>
rc::Gen<Container> gen_up_to(std::size_t most, Gen element) {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, most + 1), [element](std::size_t n) {
    return rc::gen::container<Container>(n, element);
  });
}

/// Settings for a simulated world with a seed and a strategy; printed with
/// every counterexample so `sim_taskpool`-style runs can be reproduced.
struct SimWorld {
  std::uint64_t seed = 0;
  sim::Strategy strategy = sim::Strategy::fifo;
};

inline std::ostream& operator<<(std::ostream& os, const SimWorld& w) {
  return os << "seed=" << w.seed << " strategy=" << sim::to_string(w.strategy);
}

inline rc::Gen<SimWorld> gen_sim_world() {
  return rc::gen::build<SimWorld>(rc::gen::set(&SimWorld::seed, gen_seed()),
                                  rc::gen::set(&SimWorld::strategy, gen_strategy()));
}

/// Runs `property` through RapidCheck with a fixed seed and returns the
/// failure, if any: how the "finds bugs" tests show a property can fail.
template <class Property>
std::optional<rc::detail::FailureResult> find_failure(Property property, int cases = 300) {
  rc::detail::TestParams params;
  params.seed = 12345;
  params.maxSuccess = cases;
  params.maxSize = 100;
  rc::detail::TestMetadata metadata;
  // No id: a planted failure is expected, not something to reproduce later.
  metadata.description = "planted defect";
  const auto result = rc::detail::checkTestable(property, metadata, params);
  if (result.template is<rc::detail::FailureResult>()) {
    return result.template get<rc::detail::FailureResult>();
  }
  rc::detail::printResultMessage(result, std::cerr);  // why it did not fail
  std::cerr << "\n";
  return std::nullopt;
}

}  // namespace troupe::props
