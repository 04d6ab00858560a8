// The planted-bug suite as the simulator's yardstick: for each bug and each
// exploration strategy, the share of 1000 runs that find it and how many
// runs it takes to find it the first time. Each runs the buggy variant
// (fixed=0) of one built-in bug-* scenario; the fixed variants are checked
// to pass in sim/src/lab/planted_bugs.test.cpp. The README's table comes from here:
//   build/bench/bench_planted_bugs --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "troupe/sim/guided.hpp"
#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/systematic.hpp"

namespace troupe::bench {
namespace {

constexpr std::uint64_t kRuns = 1000;

const std::vector<std::string> kBugs{"bug-order-2", "bug-order-3", "bug-restart-state",
                                     "bug-slow-timeout", "bug-same-instant"};

/// Runs run(i) for i = 1..kRuns: true when run i found the bug.
void hunt(benchmark::State& state, const std::function<bool(std::uint64_t)>& run) {
  std::uint64_t found = 0;
  std::uint64_t first = 0;
  for (auto _ : state) {
    found = 0;
    first = 0;
    for (std::uint64_t i = 1; i <= kRuns; ++i) {
      if (!run(i)) continue;
      ++found;
      if (first == 0) first = i;
    }
  }
  state.counters["failure_rate"] = static_cast<double>(found) / static_cast<double>(kRuns);
  state.counters["runs_to_first"] = static_cast<double>(first);  // 0: never found
  state.counters["runs_per_s"] =
      benchmark::Counter(static_cast<double>(kRuns) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
  state.SetLabel(first == 0 ? "never found" : "found");
}

/// One seed per run with a built-in strategy.
void seeded(benchmark::State& state, const std::string& bug, sim::Strategy strategy,
            sim::PctSettings pct = {}) {
  hunt(state, [&](std::uint64_t seed) {
    sim::RunSpec spec{.scenario = bug, .seed = seed, .strategy = strategy};
    spec.pct = pct;
    return !sim::run_scenario(spec).passed();
  });
}

/// The portfolio's arms by run number, as `troupe explore --strategy
/// portfolio` gives them: random, pct d=2, pct d=3, random with swarm.
void portfolio(benchmark::State& state, const std::string& bug) {
  hunt(state, [&](std::uint64_t seed) {
    sim::RunSpec spec{.scenario = bug, .seed = seed};
    switch ((seed - 1) % 4) {
      case 0:
        spec.strategy = sim::Strategy::random;
        break;
      case 1:
      case 2:
        spec.strategy = sim::Strategy::pct;
        spec.pct.depth = (seed - 1) % 4 + 1;
        break;
      default:
        spec.strategy = sim::Strategy::random;
        spec.swarm = true;
        break;
    }
    return !sim::run_scenario(spec).passed();
  });
}

/// Guided runs, planned batch by batch from what earlier runs covered.
void guided(benchmark::State& state, const std::string& bug) {
  std::uint64_t found = 0;
  std::uint64_t first = 0;
  for (auto _ : state) {
    found = 0;
    first = 0;
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t i = 1; i <= kRuns; ++i) seeds.push_back(i);
    sim::GuidedExplorer explorer;
    explorer.explore(seeds, [&](const std::vector<std::uint64_t>& batch,
                                const std::vector<std::shared_ptr<sim::GuidedChooser>>& choosers) {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        sim::RunSpec spec{.scenario = bug, .seed = batch[i]};
        sim::guide(spec, choosers[i]);
        if (sim::run_scenario(spec).passed()) continue;
        ++found;
        if (first == 0 || batch[i] < first) first = batch[i];
      }
    });
  }
  state.counters["failure_rate"] = static_cast<double>(found) / static_cast<double>(kRuns);
  state.counters["runs_to_first"] = static_cast<double>(first);
  state.SetLabel(first == 0 ? "never found" : "found");
}

/// Depth-first enumeration of seed 1's schedules within a preemption bound
/// of 3 (the deepest planted race needs three), up to 10 kRuns schedules:
/// it stops at the first failure, so there is no rate, only the schedules it
/// took (or "exhausted").
void systematic(benchmark::State& state, const std::string& bug) {
  sim::SystematicResult result;
  for (auto _ : state) {
    result = sim::explore_systematic({.scenario = bug, .seed = 1},
                                     {.bound = 3, .max_schedules = 10 * kRuns});
  }
  state.counters["runs_to_first"] = result.failure ? static_cast<double>(result.schedules) : 0.0;
  state.counters["schedules"] = static_cast<double>(result.schedules);
  state.SetLabel(result.failure     ? "found"
                 : result.exhausted ? "exhausted: no failure within the bound"
                                    : "never found");
}

void register_all() {
  for (const auto& bug : kBugs) {
    benchmark::RegisterBenchmark(
        (bug + "/fifo").c_str(),
        [bug](benchmark::State& s) { seeded(s, bug, sim::Strategy::fifo); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(
        (bug + "/random").c_str(),
        [bug](benchmark::State& s) { seeded(s, bug, sim::Strategy::random); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((bug + "/pct").c_str(),
                                 [bug](benchmark::State& s) { seeded(s, bug, sim::Strategy::pct); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((bug + "/portfolio").c_str(),
                                 [bug](benchmark::State& s) { portfolio(s, bug); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((bug + "/guided").c_str(),
                                 [bug](benchmark::State& s) { guided(s, bug); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((bug + "/systematic").c_str(),
                                 [bug](benchmark::State& s) { systematic(s, bug); })
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace troupe::bench

int main(int argc, char** argv) {
  troupe::bench::register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
