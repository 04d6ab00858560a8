// troupe replay, shrink and show: the commands that read a trace file.
#include <fstream>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "output_files.hpp"
#include "perfetto_export.hpp"
#include "text_escape.hpp"
#include "timeline.hpp"
#include "troupe/sim/shrink.hpp"

namespace troupe::cli {

namespace {

int replay(const std::string& file, bool verbose, bool continue_past_tape) {
  const sim::Trace trace = sim::read_trace_file(file);
  const sim::ReplayResult r = sim::replay_trace(trace, {.continue_past_tape = continue_past_tape});
  if (verbose) {
    for (std::size_t i = 0; i < trace.events.size(); ++i) {
      std::printf("%6zu %s\n", i, terminal_text(sim::describe(trace.events[i])).c_str());
    }
  }
  std::printf("scenario %s, seed %llu: replayed %llu events\n",
              terminal_text(trace.header.scenario).c_str(),
              static_cast<unsigned long long>(trace.header.seed),
              static_cast<unsigned long long>(r.events));
  std::printf("outcome:  %s (recorded: %s)\nrun hash: %s (recorded: %s)\n",
              terminal_text(r.outcome).c_str(), terminal_text(trace.footer.outcome).c_str(),
              sim::hash_hex(r.hash).c_str(), sim::hash_hex(trace.footer.hash).c_str());
  if (r.divergence) {
    std::printf("DIVERGED at event %llu\n  expected: %s\n  actual:   %s\n",
                static_cast<unsigned long long>(r.divergence->index),
                terminal_text(r.divergence->expected).c_str(),
                terminal_text(r.divergence->actual).c_str());
  }
  if (r.tape_ran_out) {
    std::printf(continue_past_tape
                    ? "the recorded decisions ran out; the run went on with fresh draws from the "
                      "seed: the outcome above is what the changed code does\n"
                    : "the recorded decisions ran out: the run stopped there (--continue-past-tape "
                      "goes on with fresh draws from the seed)\n");
  }
  std::printf("%s\n", r.matches ? "replay matches the recording" : "replay does NOT match");
  return r.matches ? 0 : 1;
}

int shrink(const std::string& file, const std::string& out, std::size_t max_runs) {
  const sim::Trace failing = sim::read_trace_file(file);
  const sim::ShrinkResult r = sim::shrink_trace(failing, max_runs);
  sim::write_trace_file(r.trace, out);
  std::printf("failure kept: %s\n", terminal_text(r.trace.footer.outcome).c_str());
  std::printf(
      "shrunk: events %llu -> %llu, preemptions %llu -> %llu, faults %zu -> %zu (%zu runs)\n",
      static_cast<unsigned long long>(r.events_before),
      static_cast<unsigned long long>(r.events_after),
      static_cast<unsigned long long>(r.preemptions_before),
      static_cast<unsigned long long>(r.preemptions_after), r.faults_before, r.faults_after,
      r.runs);
  for (const auto& [name, value] : failing.header.params) {
    const double now = r.trace.header.params.at(name);
    if (now != value) std::printf("param %s: %g -> %g\n", terminal_text(name).c_str(), value, now);
  }
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

int show(const std::string& file, const std::optional<std::string>& html,
         const std::optional<std::string>& perfetto, bool all) {
  // An empty file name is a mistake, not a request for text.
  if (html && html->empty()) throw std::invalid_argument("--html needs a file name, got ''");
  if (perfetto && perfetto->empty()) {
    throw std::invalid_argument("--perfetto needs a file name, got ''");
  }
  std::vector<NamedPath> outputs;
  if (html) outputs.push_back({"the page (--html)", *html});
  if (perfetto) outputs.push_back({"the Perfetto file (--perfetto)", *perfetto});
  const sim::Trace trace = sim::read_trace_file(file);
  check_outputs({"the trace", file}, outputs);
  if (html) write_file(*html, html_report(trace));
  if (perfetto) write_file(*perfetto, perfetto_json(trace));
  if (html || perfetto) return 0;
  print_timeline(stdout, trace, all ? SIZE_MAX : 60);
  return 0;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto verbose = std::make_shared<bool>(false);
  auto past_tape = std::make_shared<bool>(false);
  auto* cmd =
      app.add_subcommand("replay", "Re-run a trace from its decisions and compare every event");
  cmd->add_option("file", *file, "Trace file")->required();
  cmd->add_flag("--verbose,-v", *verbose, "Print every recorded event");
  cmd->add_flag("--continue-past-tape", *past_tape,
                "When the recorded decisions run out, go on with fresh draws from the seed");
  cmd->callback([=, &exit_code] { exit_code = replay(*file, *verbose, *past_tape); });
}

void add_shrink_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto max_runs = std::make_shared<std::size_t>(400);
  auto* cmd =
      app.add_subcommand("shrink", "Minimise a failing trace (faults, workload and schedule)");
  cmd->add_option("file", *file, "Failing trace file")->required();
  cmd->add_option("-o,--out", *out, "Where to write the smaller trace")->required();
  cmd->add_option("--max-runs", *max_runs, "Candidate runs at most")
      ->check(decimal_u64())
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->callback([=, &exit_code] { exit_code = shrink(*file, *out, *max_runs); });
}

void add_show_command(CLI::App& app, int& exit_code) {
  auto file = std::make_shared<std::string>();
  auto html = std::make_shared<std::optional<std::string>>();
  auto perfetto = std::make_shared<std::optional<std::string>>();
  auto all = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "show", "Print a trace's timeline, draw it as an HTML page, or export it for Perfetto");
  cmd->add_option("file", *file, "Trace file")->required();
  cmd->add_option(
      "--html", *html,
      "Write a self-contained HTML page here: actor lanes, message arrows, the failure");
  cmd->add_option("--perfetto", *perfetto,
                  "Write the Chrome trace event format (JSON) here, for Perfetto or "
                  "chrome://tracing");
  cmd->add_flag("--all", *all, "Print every timeline line");
  cmd->callback([=, &exit_code] { exit_code = show(*file, *html, *perfetto, *all); });
}

void add_list_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("list", "The scenarios and their parameters");
  cmd->callback([&exit_code] {
    for (const sim::Scenario* s : sim::scenarios()) {
      std::printf("%s\n  %s\n", s->name.c_str(), s->description.c_str());
      for (const auto& p : s->params) {
        std::printf("    %-18s %-10g [%g, %g]  %s%s\n", p.name.c_str(), p.default_value, p.min,
                    p.max, p.help.c_str(), p.workload ? " (workload)" : "");
      }
    }
    exit_code = 0;
  });
}

}  // namespace troupe::cli
