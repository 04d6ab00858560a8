// The classic usage: a few workers that print the jobs they process and fail
// on a poisoned one, restarted by their supervisor (up to 3 times in 5 s);
// 100 jobs; a graceful shutdown with a 15 s deadline; and a summary.
#include <cstdio>
#include <string>
#include <vector>

#include "engine/troupe.hpp"
#include "examples/task_worker.hpp"

using namespace troupe;
using namespace std::chrono_literals;

using examples::Fail;
using examples::Job;
using examples::Task;
using examples::Worker;

int main() {
  EventLog events;
  System sys{std::make_unique<ThreadScheduler>(), {.events = &events}};
  auto props = Props<Task>::of<Worker>(true)
                   .mailbox({.capacity = 64})
                   .restart({.max_restarts = 3, .within = 5s});

  std::vector<ActorRef<Task>> workers;
  for (int i = 1; i <= 3; ++i) {
    workers.push_back(sys.spawn("worker-" + std::to_string(i), props).value());
  }
  for (int i = 0; i < 100; ++i) {
    auto& worker = workers[static_cast<std::size_t>(i) % workers.size()];
    if (i == 42) worker.tell(Fail{});  // one poisoned message, one restart
    worker.tell(Job{i});
  }

  const ShutdownReport report = sys.shutdown(15s);
  const SystemStats stats = sys.stats();

  std::printf("\n== summary ==\n");
  std::printf("processed:    %llu\n", static_cast<unsigned long long>(stats.processed));
  for (const auto& e : events.events(EventKind::restarted)) {
    std::printf("restarted:    %s after \"%s\"\n", e.path.c_str(), e.detail.c_str());
  }
  std::printf(
      "dead letters: %llu (handler_failed %llu)\n",
      static_cast<unsigned long long>(stats.dead_letters()),
      static_cast<unsigned long long>(stats.dead_letters(DeadLetterReason::handler_failed)));
  std::printf("shutdown:     %s in %.3f ms, drained %llu, abandoned %llu\n",
              report.deadline_met ? "deadline met" : "DEADLINE MISSED",
              std::chrono::duration<double, std::milli>(report.elapsed).count(),
              static_cast<unsigned long long>(report.drained),
              static_cast<unsigned long long>(report.abandoned));
  for (const auto& a : report.actors) {
    std::printf("  %-10s drained %3llu abandoned %llu\n", a.path.c_str(),
                static_cast<unsigned long long>(a.drained),
                static_cast<unsigned long long>(a.abandoned));
  }
  std::printf("conservation: %s (sent %llu = processed + dead letters + queued)\n",
              stats.balanced() ? "balanced" : "VIOLATED",
              static_cast<unsigned long long>(stats.sent));
  return stats.balanced() && report.deadline_met ? 0 : 1;
}
