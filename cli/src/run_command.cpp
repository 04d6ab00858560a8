// troupe run: one scenario under the simulator, printed as a timeline, with
// the run hash; optionally recorded as a trace and its metrics served.
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "timeline.hpp"
#include "troupe/http/metrics_server.hpp"
#include "troupe/sim/determinism_check.hpp"
#include "troupe/sim/replay.hpp"

namespace troupe::cli {

namespace {

struct RunOptions {
  std::string scenario = "taskpool";
  std::uint64_t seed = 7;
  std::string strategy = "random";
  std::optional<std::uint64_t> pct_depth;
  std::optional<std::uint64_t> pct_steps;
  std::vector<std::string> params;
  bool swarm = false;
  std::string record;
  bool verbose_trace = false;
  std::optional<int> metrics_port;
  int metrics_linger_s = 0;
  bool all = false;
  bool sim = false;
  bool threads = false;
  bool check_determinism = false;
};

/// On threads there are no decisions: print the run, not a trace of it.
int run_threads(const RunOptions& o, sim::RunSpec spec) {
  if (!o.record.empty()) {
    throw std::invalid_argument(
        "--record needs the simulator: a run on threads has no decisions to replay");
  }
  spec.threads = true;
  const sim::RunReport report = sim::run_scenario(spec);
  sim::Trace view;  // for the timeline printer only
  view.header = {.scenario = spec.scenario,
                 .params = report.params,
                 .seed = spec.seed,
                 .strategy = spec.strategy};
  view.events = report.result.events;
  view.footer.outcome = report.outcome();
  view.footer.detail = report.violation ? report.violation->detail : "";
  view.footer.events = report.result.event_count;
  view.footer.hash = report.result.hash;
  std::printf("(real threads: times are wall-clock, and the hash differs from run to run)\n");
  print_timeline(stdout, view, o.all ? SIZE_MAX : 40);
  return report.passed() ? 0 : 1;
}

int run(const RunOptions& o) {
  sim::RunSpec spec{.scenario = o.scenario,
                    .params = parse_params(o.params),
                    .seed = o.seed,
                    .strategy = *sim::parse_strategy(o.strategy),
                    .pct = pct_settings(o.pct_depth, o.pct_steps, o.strategy == "pct"),
                    .swarm = o.swarm};
  if (o.threads) return run_threads(o, spec);
  sim::RunReport report;
  const sim::Trace trace = sim::record_run(spec, &report);
  print_timeline(stdout, trace, o.all ? SIZE_MAX : 40);
  const auto& s = report.shutdown;
  std::printf("shutdown: %s in %.3f ms, %llu drained, %llu abandoned\n",
              s.deadline_met ? "completed" : "deadline passed",
              std::chrono::duration<double, std::milli>(s.elapsed).count(),
              static_cast<unsigned long long>(s.drained),
              static_cast<unsigned long long>(s.abandoned));
  if (!o.record.empty()) {
    sim::write_trace_file(
        trace, o.record,
        o.verbose_trace ? sim::TraceEncoding::verbose : sim::TraceEncoding::compact);
    std::printf("recorded: %s (troupe replay %s)\n", o.record.c_str(), o.record.c_str());
  }
  int exit_code = report.passed() ? 0 : 1;
  if (o.check_determinism) {
    const sim::DeterminismCheck check = sim::check_determinism(spec, report);
    std::printf("%s\n", sim::describe(check).c_str());
    if (!check.deterministic()) exit_code = kExitNondeterministic;
  }
  if (o.metrics_port) {
    const std::string text = report.metrics;
    MetricsServer server{[text] { return text; }, {.port = *o.metrics_port}};
    std::printf("metrics: serving %s for %d s (the run's metrics before shutdown)\n",
                server.url().c_str(), o.metrics_linger_s);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(o.metrics_linger_s));
  }
  return exit_code;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<RunOptions>();
  auto* cmd =
      app.add_subcommand("run", "Run a scenario under the simulator and print its timeline");
  cmd->add_option("--scenario,-s", o->scenario, "Scenario name (troupe list)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Simulator seed")->check(decimal_u64())->capture_default_str();
  cmd->add_option("--strategy", o->strategy, "fifo, random, pct or guided")
      ->check(strategy_names())
      ->capture_default_str();
  add_pct_options(*cmd, o->pct_depth, o->pct_steps);
  cmd->add_option("--param,-p", o->params, "Scenario parameter name=value (repeatable)");
  cmd->add_flag("--swarm", o->swarm, "Keep a seeded random subset of the fault kinds");
  auto* sim_flag = cmd->add_flag("--sim", o->sim, "Run under the simulator (the default)");
  cmd->add_flag("--threads", o->threads,
                "Run on real threads (no fault injection, no trace, not reproducible)")
      ->excludes(sim_flag);
  auto* record = cmd->add_option("--record", o->record, "Write the run as a trace file");
  cmd->add_flag("--verbose-trace", o->verbose_trace,
                "Write the trace one event object per line, for reading by eye or with jq")
      ->needs(record);
  cmd->add_option("--metrics-port", o->metrics_port, "Serve the run's metrics on this port")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--metrics-linger", o->metrics_linger_s, "Seconds to serve metrics after the run")
      ->check(CLI::Range(0, 3600));
  cmd->add_flag("--check-determinism", o->check_determinism,
                "Run the seed a second time from fresh state and compare the two runs; exit 3 "
                "when they differ")
      ->excludes("--threads");
  cmd->add_flag("--all", o->all, "Print every timeline line");
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace troupe::cli
