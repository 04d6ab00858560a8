// The classic usage on real threads: a pool "taskpool" of 2..6 workers with
// an autoscaler, 100 jobs of 20 ms each, one poisoned job whose worker is
// restarted by its supervisor, then the autoscaler stopped, a graceful
// shutdown with a 15 s deadline, and a summary of what happened.
//
//   taskpool [--metrics-port P] [--metrics-address A] [--metrics-linger SECONDS]
//            [--duration SECONDS]
//
// With --metrics-port it serves Prometheus metrics at /metrics for the whole
// run, and keeps serving for --metrics-linger seconds after it, for a scrape.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include <troupe/http/metrics_server.hpp>

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
  std::optional<int> metrics_port;
  std::string metrics_address = "127.0.0.1";
  int metrics_linger_s = 0;
  int duration_s = 0;
};

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"The task-pool example on real threads"};
  app.add_option("--metrics-port", options.metrics_port, "Serve Prometheus metrics on this port")
      ->check(CLI::Range(0, 65535));
  app.add_option("--metrics-address", options.metrics_address, "Bind address for metrics");
  app.add_option("--metrics-linger", options.metrics_linger_s,
                 "Seconds to keep serving metrics after the run")
      ->check(CLI::Range(0, 3600));
  app.add_option("--duration", options.duration_s,
                 "Keep sending jobs in waves for this many seconds (0: one batch of 100), so a "
                 "Prometheus scraping --metrics-port sees the pool grow and shrink")
      ->check(CLI::Range(0, 86400));
  CLI11_PARSE(app, argc, argv);

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
  std::unique_ptr<MetricsServer> metrics;
  if (options.metrics_port) {
    try {
      metrics = std::make_unique<MetricsServer>(
          sys,
          MetricsServerSettings{.address = options.metrics_address, .port = *options.metrics_port});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "taskpool: %s\n", e.what());
      return 2;
    }
    std::printf("metrics: serving %s\n", metrics->url().c_str());
    std::fflush(stdout);
  }
  auto pool = Pool<Task>::spawn(sys, "taskpool", props, {.min = 2, .max = 6}).value();
  pool.autoscale({.interval = 500ms,
                  .high_threshold = 6,
                  .low_threshold = 2,
                  .scale_up_step = 2,
                  .scale_down_step = 1,
                  .cooldown = 2s});

  for (int i = 0; i < 100; ++i) {
    if (i == 42) (void)pool.tell(Fail{});  // one poisoned message, one restart
    (void)pool.tell(Job{i});
  }
  // Waves: a burst every 100 ms, high for 10 s then low for 10 s, so the
  // autoscaler has something to do while a Prometheus server watches.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(options.duration_s);
  for (int tick = 0; std::chrono::steady_clock::now() < until; ++tick) {
    const int burst = (tick / 100) % 2 == 0 ? 12 : 2;
    for (int i = 0; i < burst; ++i) (void)pool.tell(Job{tick * 100 + i});
    if (tick % 300 == 299) (void)pool.tell(Fail{});  // a restart every 30 s
    std::this_thread::sleep_for(100ms);
  }
  sys.await_quiescence(15s);
  pool.stop_autoscaler();
  const ShutdownReport report = sys.shutdown(15s);
  examples::print_summary(sys.stats(), report, pool.decisions(),
                          events.events(EventKind::restarted));
  if (metrics && options.metrics_linger_s > 0) {
    std::printf("metrics: still serving %s for %d s\n", metrics->url().c_str(),
                options.metrics_linger_s);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(options.metrics_linger_s));
  }
  return sys.stats().balanced() && report.deadline_met ? 0 : 1;
}
