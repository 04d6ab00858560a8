// Guided exploration's speed: schedules (whole scenario runs) per second on a
// small task pool, beside random runs of the same scenario, so the cost of
// the state hash taken at every scheduling choice and of the corpus shows.
#include <benchmark/benchmark.h>

#include <string>

#include "troupe/sim/guided.hpp"
#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/state_hash.hpp"

namespace troupe::bench {
namespace {

/// Arg 0: a task pool of 40 jobs; 1: crash-storm, 100 messages to 4
/// children (many more same-instant choices per run).
sim::RunSpec small_scenario(std::int64_t which, std::uint64_t seed) {
  return sim::RunSpec{
      .scenario = which == 0 ? "taskpool" : "crash-storm",
      .params = which == 0 ? sim::Params{{"jobs", 40}} : sim::Params{{"messages", 100}},
      .seed = seed,
      .strategy = sim::Strategy::random,
      .event_capacity = 0};
}

void BM_RandomSchedules(benchmark::State& state) {
  std::uint64_t seed = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(sim::run_scenario(small_scenario(state.range(0), ++seed)).result.hash);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel(state.range(0) == 0 ? "taskpool" : "crash-storm");
}
BENCHMARK(BM_RandomSchedules)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_GuidedSchedules(benchmark::State& state) {
  sim::GuidedExplorer explorer;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    const auto chooser = explorer.plan(++seed);
    sim::RunSpec spec = small_scenario(state.range(0), seed);
    sim::guide(spec, chooser);
    benchmark::DoNotOptimize(sim::run_scenario(spec).result.hash);
    explorer.learn(*chooser);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["coverage"] = static_cast<double>(explorer.coverage());
  state.counters["corpus"] = static_cast<double>(explorer.corpus_size());
  state.SetLabel(state.range(0) == 0 ? "taskpool" : "crash-storm");
}
BENCHMARK(BM_GuidedSchedules)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

/// The default state hash alone, over N live actors with a message each:
/// what every scheduling choice of a guided run pays.
void BM_MailboxShapeHash(benchmark::State& state) {
  sim::Simulation sim{{}, {}, 0};
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    (void)sim.system()
        .spawn(std::string("worker").append(std::to_string(i)),
               Props<int>::from_function([](Context<int>&, int&) {}))
        .value()
        .tell(1);
  }
  for (auto _ : state) benchmark::DoNotOptimize(sim::mailbox_shape_hash(sim.system()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetLabel("hashes");
}
BENCHMARK(BM_MailboxShapeHash)->Arg(4)->Arg(64)->Unit(benchmark::kNanosecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
