// The task-pool example under the simulator: the same pool, autoscaler and
// worker code as examples/taskpool.cpp, on a seeded virtual clock. Jobs
// arrive as a Poisson process, each costs 10-30 ms of virtual time, job 42 is
// poisoned. Prints a timeline of what mattered and the run hash: the same
// seed prints the same hash every time, on any machine.
//
//   sim_taskpool [--seed N] [--strategy fifo|random|pct]
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include <troupe/sim/simulation.hpp>
#include <troupe/troupe.hpp>
#include "summary.hpp"
#include "task_worker.hpp"

using namespace troupe;
using namespace std::chrono_literals;

using examples::Fail;
using examples::Job;
using examples::Task;
using examples::Worker;

struct Options {
  std::uint64_t seed = 7;
  sim::Strategy strategy = sim::Strategy::random;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--seed") {
      std::size_t used = 0;
      o.seed = std::stoull(value, &used);
      if (used != value.size()) throw std::invalid_argument("--seed needs a number, got " + value);
    } else if (arg == "--strategy") {
      const auto s = sim::parse_strategy(value);
      if (!s) throw std::invalid_argument("--strategy must be fifo, random or pct, got " + value);
      o.strategy = *s;
    } else {
      throw std::invalid_argument("unknown option " + arg);
    }
  }
  return o;
}

double ms(TimePoint t) {
  return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "sim_taskpool: %s\nusage: sim_taskpool [--seed N] [--strategy fifo|random|pct]\n",
                 e.what());
    return 2;
  }

  sim::Simulation sim{
      {.seed = options.seed,
       .strategy = options.strategy,
       .service_time = sim::ServiceTime::per_kind(
           {{"worker", sim::ServiceTime::uniform(10ms, 30ms)}}, sim::ServiceTime::zero())}};
  auto props = Props<Task>::of<Worker>(false, 0ms)
                   .mailbox({.capacity = 128})
                   .restart({.max_restarts = 3, .within = 5s})
                   .backoff({.min = 10ms, .max = 1s, .jitter = 0.2})
                   .kind("worker");
  auto pool = Pool<Task>::spawn(sim.system(), "taskpool", props, {.min = 2, .max = 6}).value();
  pool.autoscale({.interval = 500ms,
                  .high_threshold = 6,
                  .low_threshold = 2,
                  .scale_up_step = 2,
                  .scale_down_step = 1,
                  .cooldown = 2s});
  // 100 jobs arriving as a Poisson process at 100/s; job 42 is poisoned.
  sim.add(sim::Workload{sim::Arrivals::poisson(100.0, 100), [pool](std::uint64_t i) {
                          if (i == 42) (void)pool.tell(Fail{});
                          return pool.tell(Job{static_cast<int>(i)});
                        }});
  const sim::SimResult run = sim.run_until(
      [&] { return sim.workload_stats(0).emitted == 100 && sim.system().quiescent(); });
  pool.stop_autoscaler();
  const ShutdownReport report = sim.system().shutdown(15s);
  const sim::SimResult end = sim.result();

  std::printf("seed %llu, strategy %s\n", static_cast<unsigned long long>(options.seed),
              std::string(sim::to_string(options.strategy)).c_str());
  std::printf("\n== timeline (virtual ms) ==\n");
  std::vector<RecordedEvent> restarts;
  for (const auto& e : sim.recorder().events()) {
    if (e.kind == EventKind::restarted) restarts.push_back(e);
    switch (e.kind) {
      case EventKind::failed:
      case EventKind::restarted:
      case EventKind::scaled:
      case EventKind::shutdown:
        std::printf("%9.3f  %-17s %-18s %s\n", ms(e.time), std::string(to_string(e.kind)).c_str(),
                    e.path.c_str(), e.detail.c_str());
        break;
      case EventKind::restart_scheduled:
        std::printf("%9.3f  %-17s %-18s in %.3f ms\n", ms(e.time),
                    std::string(to_string(e.kind)).c_str(), e.path.c_str(),
                    static_cast<double>(e.value) / 1e6);
        break;
      default:
        break;
    }
  }
  examples::print_summary(end.stats, report, pool.decisions(), restarts);
  std::printf("outcome:      %s, %llu steps, %llu events\n",
              std::string(sim::to_string(run.outcome)).c_str(),
              static_cast<unsigned long long>(end.steps),
              static_cast<unsigned long long>(end.event_count));
  std::printf("run hash:     %016llx\n", static_cast<unsigned long long>(end.hash));
  return end.stats.balanced() && run.outcome == sim::Outcome::completed ? 0 : 1;
}
