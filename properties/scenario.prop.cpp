// Scenarios over generated worlds: every built-in scenario, with generated
// parameters, seed, strategy and swarm faults, keeps the invariants every
// scenario is checked against. A failing case is written as a trace, so
// `troupe replay FILE` reproduces it exactly; the path is printed with it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>

#include "troupe/sim/replay.hpp"
#include "world.hpp"

namespace troupe::props {
namespace {

struct ScenarioWorld {
  SimWorld sim;
  std::string scenario;
  sim::Params params;
  bool swarm = false;
};

std::ostream& operator<<(std::ostream& os, const ScenarioWorld& w) {
  os << w.sim << " scenario=" << w.scenario << (w.swarm ? " swarm" : "");
  for (const auto& [name, value] : w.params) os << " " << name << "=" << value;
  return os;
}

/// Parameters drawn inside each scenario's declared ranges, with workloads
/// kept small so that many cases fit the budget. The scenario's policies
/// (strict modes, the taskpool's budget rule) are left at their defaults.
rc::Gen<sim::Params> gen_params(const sim::Scenario& s) {
  return rc::gen::exec([&s] {
    sim::Params p;
    for (const auto& spec : s.params) {
      if (spec.name == "fixed") {  // a planted bug (bug-*): its fix must always hold
        p[spec.name] = 1;
        continue;
      }
      if (spec.name == "strict" || spec.name == "max_restarts" ||
          spec.name == "crash_probability") {
        continue;
      }
      const double high =
          spec.workload ? std::min(spec.max, 60.0) : std::min(spec.max, spec.default_value * 2);
      const double low = std::max(spec.min, std::min(high, spec.default_value / 2));
      const auto n =
          *rc::gen::inRange<int>(static_cast<int>(std::ceil(low)), static_cast<int>(high) + 1);
      p[spec.name] = n;
    }
    return p;
  });
}

/// A world of any built-in scenario, or of `only` when given.
rc::Gen<ScenarioWorld> gen_scenario_world(std::string only = {}) {
  return rc::gen::exec([only] {
    ScenarioWorld w;
    w.sim = *gen_sim_world();
    std::vector<std::string> names;
    for (const auto* s : sim::scenarios()) names.push_back(s->name);
    w.scenario = only.empty() ? *rc::gen::elementOf(names) : only;
    w.params = *gen_params(*sim::find_scenario(w.scenario));
    w.swarm = *rc::gen::arbitrary<bool>();
    return w;
  });
}

std::string trace_dir() {
  const char* dir = std::getenv("TROUPE_PROPERTY_TRACES");
  return dir != nullptr
             ? dir
             : (std::filesystem::temp_directory_path() / "troupe-property-traces").string();
}

/// Runs the world; on a violation writes its trace and fails the property
/// with the path, so the failure can be replayed outside RapidCheck.
void check_world(const ScenarioWorld& w, const std::function<void(sim::RunSpec&)>& defect = {}) {
  sim::RunSpec spec{.scenario = w.scenario,
                    .params = w.params,
                    .seed = w.sim.seed,
                    .strategy = w.sim.strategy,
                    .swarm = w.swarm};
  if (defect) defect(spec);
  sim::RunReport report;
  const sim::Trace trace = sim::record_run(spec, &report);
  if (report.passed()) return;
  std::filesystem::create_directories(trace_dir());
  const std::string file =
      trace_dir() + "/" + w.scenario + "-seed" + std::to_string(w.sim.seed) + ".trace.jsonl";
  sim::write_trace_file(trace, file);
  RC_FAIL(report.outcome() + " (" + report.violation->detail + "); troupe replay " + file);
}

RC_GTEST_PROP(ScenarioProperties, EveryScenarioKeepsItsInvariants, ()) {
  check_world(*gen_scenario_world());
}

TEST(ScenarioProperties, AFailureIsWrittenAsATraceThatReplays) {
  // The planted defect: a restart budget of zero in the taskpool, whose
  // poisoned jobs then exhaust it.
  const auto failure = find_failure(
      [] {
        check_world(*gen_scenario_world("taskpool"),
                    [](sim::RunSpec& spec) { spec.params["max_restarts"] = 0; });
      },
      50);
  ASSERT_TRUE(failure.has_value());
  // The message ends with the command that reproduces it.
  const std::string& said = failure->description;
  const auto at = said.rfind("troupe replay ");
  ASSERT_NE(at, std::string::npos) << said;
  const std::string file = said.substr(at + 14, said.find_first_of("\n ", at + 14) - at - 14);
  const sim::Trace trace = sim::read_trace_file(file);
  EXPECT_EQ(trace.footer.invariant, "budget_never_exhausted");
  EXPECT_TRUE(sim::replay_trace(trace).matches);
}

}  // namespace
}  // namespace troupe::props
