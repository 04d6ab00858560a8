// taskpool: the classic task pool. 2..6 workers, an autoscaler (500 ms, high
// 6, low 2, up 2, down 1, cooldown 2 s), failures restarted up to 3 times in
// 5 s, a graceful shutdown with 15 s. The pool is expected to absorb its
// failures: a worker that exhausts its restart budget is a violation.
#include <memory>
#include <stdexcept>
#include <variant>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

struct Job {
  std::uint64_t n;
};
struct Poison {};
using Task = std::variant<Job, Poison>;

/// A job's end is its worker's handler; a poisoned one ends as a
/// handler_failed dead letter.
class TaskWorker : public Actor<Task> {
 public:
  explicit TaskWorker(std::shared_ptr<ItemCounters> items) : items_(std::move(items)) {}
  void receive(Context<Task>&, Task& task) override {
    if (std::holds_alternative<Poison>(task)) throw std::runtime_error("poisoned job");
    ++done_;
    ++items_->reached_end;
  }

 private:
  std::shared_ptr<ItemCounters> items_;
  std::uint64_t done_ = 0;
};

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  auto props = Props<Task>::of<TaskWorker>(items)
                   .mailbox({.capacity = 128})
                   .restart({.max_restarts = static_cast<int>(count(p, "max_restarts")),
                             .within = millis(p, "within_ms")})
                   .backoff({.min = 10ms, .max = 1s, .jitter = 0.2})
                   .kind("worker");
  auto pool = Pool<Task>::spawn(sim.system(), "taskpool", props, {.min = 2, .max = 6}).value();
  pool.autoscale({.interval = 500ms,
                  .high_threshold = 6,
                  .low_threshold = 2,
                  .scale_up_step = 2,
                  .scale_down_step = 1,
                  .cooldown = 2s});
  const std::uint64_t jobs = count(p, "jobs");
  const std::uint64_t poison_every = count(p, "poison_every");
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), jobs),
                   [pool, poison_every, items](std::uint64_t i) {
                     if (poison_every > 0 && i % poison_every == poison_every - 1) {
                       return items->emit(pool.tell(Poison{}));
                     }
                     return items->emit(pool.tell(Job{i}));
                   }});
  World world;
  world.pools.push_back(watch_pool(pool, 2s));
  world.budgets.push_back({"/taskpool/", props.policy().budget});
  world.finished = [&sim, jobs] { return sim.emitted(0) == jobs && sim.system().quiescent(); };
  world.shutdown_deadline = 15s;
  world.forbid_budget_exhaustion = true;
  world.work = [items] { return items->ledger(); };
  return world;
}

}  // namespace

Scenario taskpool_scenario() {
  return Scenario{
      .name = "taskpool",
      .description = "a pool of 2..6 workers with an autoscaler, restarts and a graceful shutdown",
      .params = {{"jobs", 300, 1, 100000, "jobs sent", true},
                 {"rate_per_s", 250, 1, 100000, "mean arrival rate (Poisson)"},
                 {"poison_every", 43, 0, 100000, "every n-th job fails (0: none)", false, true},
                 {"crash_probability", 0, 0, 1, "chance that any worker handler crashes"},
                 {"max_restarts", 3, 0, 1000, "restart budget per worker", false, true},
                 {"within_ms", 5000, 1, 3600000, "the budget's window"}},
      .faults =
          [](const Params& p) {
            FaultPlan plan;
            if (p.at("crash_probability") > 0) {
              plan.crash_with_probability(p.at("crash_probability"), "/taskpool/");
            }
            return plan;
          },
      .settings =
          [](const Params&) {
            return SimSettings{
                .service_time = ServiceTime::per_kind(
                    {{"worker", ServiceTime::uniform(10ms, 30ms)}}, ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
