#include "sim/scenarios/builtin.hpp"

namespace troupe::sim {

std::vector<Scenario> builtin_scenarios() {
  return {taskpool_scenario(), crash_storm_scenario(), shutdown_deadline_scenario(),
          pipeline_scenario()};
}

}  // namespace troupe::sim
