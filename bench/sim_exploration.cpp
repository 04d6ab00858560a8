// Systematic exploration's speed: schedules per wall second (items_per_second)
// for whole enumerations within a preemption bound, on the planted race's
// fixed variant (three actors, two arrivals) and on a two-item pipeline.
// Each schedule is a full run from the start, shutdown included.
#include <benchmark/benchmark.h>

#include "troupe/sim/systematic.hpp"
#include "troupe/testing/planted_races.hpp"

namespace troupe::bench {
namespace {

void explore(benchmark::State& state, const sim::RunSpec& spec) {
  const sim::SystematicSettings settings{.bound = static_cast<std::uint64_t>(state.range(0))};
  std::uint64_t schedules = 0;
  for (auto _ : state) {
    const sim::SystematicResult r = sim::explore_systematic(spec, settings);
    if (!r.exhausted) state.SkipWithError("the enumeration did not exhaust its space");
    schedules += r.schedules;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(schedules));
  state.counters["schedules"] =
      static_cast<double>(schedules) / static_cast<double>(state.iterations());
}

void BM_SystematicRaceFixed(benchmark::State& state) {
  sim::planted::register_race_scenarios();
  explore(state, {.scenario = "test-sys-race", .params = {{"fixed", 1}}});
}
BENCHMARK(BM_SystematicRaceFixed)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond);

void BM_SystematicPipeline(benchmark::State& state) {
  explore(state, {.scenario = "pipeline", .params = {{"items", 2}}});
}
BENCHMARK(BM_SystematicPipeline)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
