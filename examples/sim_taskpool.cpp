// The task-pool example under the simulator: the same worker code as
// examples/taskpool.cpp, on a seeded virtual clock. Jobs arrive as a Poisson
// process, each costs 1-5 ms of virtual time, job 42 is poisoned. Prints a
// timeline of what mattered and the run hash: the same seed prints the same
// hash every time, on any machine.
//
//   sim_taskpool [--seed N] [--strategy fifo|random|pct]
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/troupe.hpp"
#include "examples/task_worker.hpp"
#include "sim/simulation.hpp"

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

  sim::Simulation sim{{.seed = options.seed,
                       .strategy = options.strategy,
                       .service_time = sim::ServiceTime::uniform(1ms, 5ms)}};
  auto props = Props<Task>::of<Worker>(false)
                   .mailbox({.capacity = 64})
                   .restart({.max_restarts = 3, .within = 5s})
                   .backoff({.min = 10ms, .max = 1s, .jitter = 0.2});
  std::vector<ActorRef<Task>> workers;
  for (int i = 1; i <= 3; ++i) {
    workers.push_back(sim.system().spawn("worker-" + std::to_string(i), props).value());
  }
  sim.add(sim::Workload{sim::Arrivals::poisson(400.0, 100), [&](std::uint64_t i) {
                          auto& w = workers[i % workers.size()];
                          if (i == 42) w.tell(Fail{});
                          return w.tell(Job{static_cast<int>(i)});
                        }});
  const sim::SimResult run = sim.run();
  const ShutdownReport report = sim.system().shutdown(15s);
  const sim::SimResult end = sim.result();

  std::printf("seed %llu, strategy %s\n", static_cast<unsigned long long>(options.seed),
              std::string(sim::to_string(options.strategy)).c_str());
  std::printf("\n== timeline (virtual ms) ==\n");
  for (const auto& e : sim.recorder().events()) {
    switch (e.kind) {
      case EventKind::failed:
      case EventKind::restarted:
      case EventKind::shutdown:
        std::printf("%9.3f  %-17s %-10s %s\n", ms(e.time), std::string(to_string(e.kind)).c_str(),
                    e.path.c_str(), e.detail.c_str());
        break;
      case EventKind::restart_scheduled:
        std::printf("%9.3f  %-17s %-10s in %.3f ms\n", ms(e.time),
                    std::string(to_string(e.kind)).c_str(), e.path.c_str(),
                    static_cast<double>(e.value) / 1e6);
        break;
      default:
        break;
    }
  }
  std::printf("\n== summary ==\n");
  std::printf("outcome:      %s after %.3f virtual ms, %llu steps\n",
              std::string(sim::to_string(run.outcome)).c_str(),
              std::chrono::duration<double, std::milli>(run.elapsed).count(),
              static_cast<unsigned long long>(run.steps));
  std::printf("processed:    %llu\n", static_cast<unsigned long long>(end.stats.processed));
  std::printf("dead letters: %llu\n", static_cast<unsigned long long>(end.stats.dead_letters()));
  std::printf("shutdown:     %s, drained %llu, abandoned %llu\n",
              report.deadline_met ? "deadline met" : "DEADLINE MISSED",
              static_cast<unsigned long long>(report.drained),
              static_cast<unsigned long long>(report.abandoned));
  std::printf("conservation: %s\n", end.stats.balanced() ? "balanced" : "VIOLATED");
  std::printf("events:       %llu\n", static_cast<unsigned long long>(end.event_count));
  std::printf("run hash:     %016llx\n", static_cast<unsigned long long>(end.hash));
  return end.stats.balanced() && run.outcome == sim::Outcome::completed ? 0 : 1;
}
