// Liveness for scenarios: the convergence phase that checks a World's
// "eventually" properties (see World::eventually). Once the workload is
// finished, faults stop and the run goes on until each property has held or
// its time is up, as in TigerBeetle VOPR's convergence phase: a system may
// stall under faults, but it must recover once they end.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "troupe/sim/scenario.hpp"
#include "troupe/sim/simulation.hpp"

namespace troupe::sim {

/// Throws std::invalid_argument naming a property without a name or a
/// `holds`, with a negative `within`, or whose name another one has.
void validate_eventually(const std::vector<Eventually>& properties);

/// Switches the simulator's faults off and runs until every property has
/// held, or one has not held by its deadline, or `stop()` holds. Returns the
/// first property found failing ("eventually:<name>"): one past its deadline,
/// one that threw, or, when the run stops, the first not yet held in
/// declaration order. A property is evaluated after every step.
std::optional<Violation> converge(Simulation& sim, const std::vector<Eventually>& properties,
                                  const std::function<bool()>& stop);

}  // namespace troupe::sim
