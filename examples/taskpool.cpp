// The classic usage on real threads: a pool "taskpool" of 2..6 workers with
// an autoscaler, 100 jobs of 20 ms each, one poisoned job whose worker is
// restarted by its supervisor, then the autoscaler stopped, a graceful
// shutdown with a 15 s deadline, and a summary of what happened.
#include <cstdio>

#include "engine/troupe.hpp"
#include "examples/summary.hpp"
#include "examples/task_worker.hpp"

using namespace troupe;
using namespace std::chrono_literals;
using examples::Fail;
using examples::Job;
using examples::Task;
using examples::Worker;

int main() {
  EventLog events;
  // The jobs block their thread for 20 ms (a stand-in for real work), so the
  // scheduler gets a thread per possible worker plus one for the pool's
  // manager, and a small quota so a busy worker yields often.
  System sys{
      std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 7, .throughput = 4}),
      {.events = &events}};
  auto props = Props<Task>::of<Worker>(true, 20ms)
                   .mailbox({.capacity = 128})
                   .restart({.max_restarts = 3, .within = 5s})
                   .kind("worker");
  auto pool = Pool<Task>::spawn(sys, "taskpool", props, {.min = 2, .max = 6}).value();
  pool.autoscale({.interval = 500ms,
                  .high_threshold = 6,
                  .low_threshold = 2,
                  .scale_up_step = 2,
                  .scale_down_step = 1,
                  .cooldown = 2s});

  for (int i = 0; i < 100; ++i) {
    if (i == 42) pool.tell(Fail{});  // one poisoned message, one restart
    pool.tell(Job{i});
  }
  sys.await_quiescence(15s);
  pool.stop_autoscaler();
  const ShutdownReport report = sys.shutdown(15s);
  examples::print_summary(sys.stats(), report, pool.decisions(),
                          events.events(EventKind::restarted));
  return sys.stats().balanced() && report.deadline_met ? 0 : 1;
}
