#include "builtin.hpp"

namespace troupe::sim {

std::vector<Scenario> builtin_scenarios() {
  return {taskpool_scenario(),          crash_storm_scenario(),      shutdown_deadline_scenario(),
          pipeline_scenario(),          bug_order_2_scenario(),      bug_order_3_scenario(),
          bug_restart_state_scenario(), bug_slow_timeout_scenario(), bug_same_instant_scenario()};
}

}  // namespace troupe::sim
