// troupe explore: many seeds of one scenario, in parallel, writing every
// failing run as a trace. --shard I/N (or --shards N, the index from a job
// runner: shard.hpp) takes every N-th seed of the range, so
// a sweep spreads over machines with no coordination.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "explore_systematic.hpp"
#include "shard.hpp"
#include "troupe/assert.hpp"
#include "troupe/sim/determinism_check.hpp"
#include "troupe/sim/guided.hpp"
#include "troupe/sim/replay.hpp"

namespace troupe::cli {

namespace {

struct ExploreOptions {
  std::string scenario = "taskpool";
  std::uint64_t seeds = 100;
  std::uint64_t from = 1;
  std::string strategy = "random";
  std::optional<std::uint64_t> pct_depth;
  std::optional<std::uint64_t> pct_steps;
  std::optional<std::uint64_t> preemption_bound;
  std::optional<std::uint64_t> delay_bound;
  std::uint64_t max_schedules = 100'000;
  bool seeds_given = false;
  std::vector<std::string> params;
  bool swarm = false;
  unsigned jobs = 1;
  std::string shard = "1/1";
  std::uint64_t shards_from_env = 0;  // --shards N: the index comes from the job runner
  std::uint64_t max_failures = 0;     // 0: no limit
  std::uint64_t duration_s = 0;       // 0: no time box
  std::string out = "explore-traces";
  bool check_every_seed = false;
  bool check_no_seed = false;
};

/// By default one seed in this many (the first of each hundred, so the first
/// seed too) runs twice: a cheap determinism check on every sweep.
constexpr std::size_t kDeterminismSample = 100;

bool checks_determinism(const ExploreOptions& o, std::size_t index) {
  if (o.check_no_seed) return false;
  return o.check_every_seed || index % kDeterminismSample == 0;
}

/// Takes the given choices in order, then the first candidate: a guided
/// run's schedule, run again for the determinism check (its chooser has
/// learnt since, so the same spec again would be another schedule).
class RecordedChoices final : public sim::ScheduleStrategy {
 public:
  explicit RecordedChoices(std::vector<std::uint64_t> choices) : choices_(std::move(choices)) {}
  std::size_t choose(const sim::Candidates& candidates) override {
    const std::uint64_t wanted = next_ < choices_.size() ? choices_[next_] : 0;
    ++next_;
    return wanted < candidates.size() ? static_cast<std::size_t>(wanted) : 0;
  }

 private:
  std::vector<std::uint64_t> choices_;
  std::size_t next_ = 0;
};

/// The seeds from, from + 1, ..., from + count - 1 must all exist.
void check_seed_range(std::uint64_t from, std::uint64_t count) {
  TROUPE_ASSERT(count >= 1);
  if (count - 1 > std::numeric_limits<std::uint64_t>::max() - from) {
    throw std::invalid_argument("--from " + std::to_string(from) + " with --seeds " +
                                std::to_string(count) +
                                " passes the largest seed, 18446744073709551615");
  }
}

/// One strategy of the portfolio: seed k of the range (counted from --from,
/// before sharding, so a seed keeps its strategy on any shard) runs arm
/// k mod 4. Random finds shallow races, PCT aims at depths 2 and 3, and
/// swarm varies which fault kinds a run keeps.
struct Arm {
  const char* name;
  sim::Strategy strategy;
  std::size_t pct_depth;
  bool swarm;
};
constexpr Arm kPortfolio[] = {{"random", sim::Strategy::random, 3, false},
                              {"pct(d=2)", sim::Strategy::pct, 2, false},
                              {"pct(d=3)", sim::Strategy::pct, 3, false},
                              {"random+swarm", sim::Strategy::random, 3, true}};
constexpr std::size_t kArms = sizeof(kPortfolio) / sizeof(kPortfolio[0]);

std::size_t arm_of(const ExploreOptions& o, std::uint64_t seed) {
  return static_cast<std::size_t>((seed - o.from) % kArms);
}

/// The run of one seed: the strategy asked for, or the portfolio's arm.
sim::RunSpec spec_for(const ExploreOptions& o, const sim::Params& params, std::uint64_t seed,
                      const sim::PctSettings& pct) {
  sim::RunSpec spec{.scenario = o.scenario, .params = params, .seed = seed, .swarm = o.swarm};
  if (o.strategy != "portfolio") {
    spec.strategy = *sim::parse_strategy(o.strategy);
    spec.pct = pct;
    return spec;
  }
  const Arm& arm = kPortfolio[arm_of(o, seed)];
  spec.strategy = arm.strategy;
  spec.pct = sim::PctSettings{.depth = arm.pct_depth, .expected_steps = pct.expected_steps};
  spec.swarm = o.swarm || arm.swarm;
  return spec;
}

/// "portfolio: random 1/25 failed, pct(d=2) 0/25 failed, ...".
void print_portfolio(const std::vector<std::uint64_t>& runs,
                     const std::vector<std::uint64_t>& failed) {
  std::printf("portfolio:");
  for (std::size_t a = 0; a < kArms; ++a) {
    std::printf("%s %s %llu/%llu failed", a == 0 ? "" : ",", kPortfolio[a].name,
                static_cast<unsigned long long>(failed[a]),
                static_cast<unsigned long long>(runs[a]));
  }
  std::printf("\n");
}

/// The bound of a systematic exploration; refuses the flags elsewhere.
sim::SystematicSettings systematic_settings(const ExploreOptions& o) {
  const bool systematic = o.strategy == "systematic";
  if (!systematic && (o.preemption_bound || o.delay_bound)) {
    throw std::invalid_argument(
        std::string(o.preemption_bound ? "--preemption-bound" : "--delay-bound") +
        " needs --strategy systematic");
  }
  if (o.max_schedules == 0) throw std::invalid_argument("--max-schedules must be >= 1, got 0");
  sim::SystematicSettings s{.max_schedules = o.max_schedules};
  if (o.delay_bound) {
    s.kind = sim::BoundKind::delays;
    s.bound = *o.delay_bound;
  } else if (o.preemption_bound) {
    s.bound = *o.preemption_bound;
  }
  return s;
}

class Progress {
 public:
  explicit Progress(std::uint64_t total) : total_(total), tty_(isatty(2) != 0) {}
  void update(std::uint64_t done, std::uint64_t failures) {
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    const bool last = done == total_;
    // On a terminal: redraw often. In a log: a line every tenth.
    if (!tty_ && !last && done * 10 / total_ == (done - 1) * 10 / total_) return;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "%s[%.*s%*s] %llu/%llu seeds  %.0f runs/s  %llu failures%s",
                 tty_ ? "\r" : "", filled, "==============================", kWidth - filled, "",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 secs > 0 ? static_cast<double>(done) / secs : 0.0,
                 static_cast<unsigned long long>(failures), tty_ && !last ? "" : "\n");
  }

 private:
  std::uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

int explore(const ExploreOptions& o) {
  const Shard shard =
      o.shards_from_env != 0 ? shard_from_env(o.shards_from_env) : parse_shard(o.shard);
  check_seed_range(o.from, o.seeds);
  const sim::Params params = parse_params(o.params);
  if (sim::find_scenario(o.scenario) == nullptr) {
    throw std::invalid_argument("unknown scenario '" + o.scenario + "' (troupe list)");
  }
  sim::resolve_params(*sim::find_scenario(o.scenario), params);  // fail before any thread starts
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t k = 0; k < o.seeds; ++k) {
    if (shard.owns(k)) seeds.push_back(o.from + k);
  }
  if (seeds.empty()) {
    // More shards than seeds: this one has nothing to do, which is no failure
    // (a job runner would otherwise retry or fail the whole sweep).
    std::printf("shard %s: no seeds among the %llu from %llu: nothing to run\n",
                shard.name().c_str(), static_cast<unsigned long long>(o.seeds),
                static_cast<unsigned long long>(o.from));
    return 0;
  }
  const sim::SystematicSettings systematic = systematic_settings(o);
  if (o.strategy == "systematic" && (o.max_failures != 0 || o.duration_s != 0)) {
    throw std::invalid_argument(
        "--max-failures and --duration apply to seed sweeps; systematic is bounded by "
        "--max-schedules");
  }
  if (o.strategy == "systematic") {
    return explore_systematically({.scenario = o.scenario,
                                   .params = params,
                                   .seeds = seeds,
                                   .swarm = o.swarm,
                                   .settings = systematic,
                                   .out = o.out,
                                   .check_every_seed = o.check_every_seed,
                                   .check_no_seed = o.check_no_seed});
  }
  const bool portfolio = o.strategy == "portfolio";
  if (portfolio && o.pct_depth) {
    throw std::invalid_argument("--pct-depth: the portfolio runs pct at depths 2 and 3");
  }
  const sim::PctSettings pct =
      pct_settings(o.pct_depth, o.pct_steps, o.strategy == "pct" || portfolio);
  std::vector<std::uint64_t> arm_runs(kArms), arm_failures(kArms);
  std::filesystem::create_directories(o.out);
  std::atomic<std::uint64_t> done{0}, failures{0};
  std::mutex mu;  // progress output and the list of failures
  std::vector<std::string> failed_files;
  std::vector<std::pair<std::uint64_t, std::string>> errors;            // (seed, what), every one
  std::vector<std::pair<std::uint64_t, std::string>> nondeterministic;  // (seed, how)
  std::atomic<std::uint64_t> checked{0};
  Progress progress(seeds.size());
  const std::uint64_t stride = shard.count;
  // The time box and the failure limit stop new seeds; runs under way end.
  std::atomic<bool> stopping{false};
  const char* stopped_by = nullptr;  // under mu
  const auto time_box_end = std::chrono::steady_clock::now() + std::chrono::seconds(o.duration_s);
  const auto run_seed = [&](std::uint64_t seed,
                            const std::shared_ptr<sim::GuidedChooser>& chooser) {
    sim::RunSpec spec = spec_for(o, params, seed, pct);
    if (chooser) sim::guide(spec, chooser);
    const std::size_t arm = portfolio ? arm_of(o, seed) : 0;
    try {
      const bool check = checks_determinism(o, (seed - seeds.front()) / stride);
      sim::RunReport report;
      const sim::Trace trace = sim::record_run(spec, check ? &report : nullptr);
      std::optional<sim::DeterminismCheck> verdict;
      if (check) {
        sim::RunSpec again = spec;
        if (chooser) {
          // A guided run's chooser learns as it goes: the same spec again is
          // another schedule. The second run takes the first one's choices.
          const auto it = trace.decisions.find(sim::kChoiceStream);
          again.on_built = nullptr;  // the guided chooser watches only its own run
          again.chooser = std::make_shared<RecordedChoices>(
              it == trace.decisions.end() ? std::vector<std::uint64_t>{} : it->second);
        }
        verdict = sim::check_determinism(again, report);
      }
      std::lock_guard lock(mu);
      ++arm_runs[arm];
      if (verdict) {
        ++checked;
        if (!verdict->deterministic()) nondeterministic.emplace_back(seed, describe(*verdict));
      }
      if (!trace.footer.invariant.empty()) {
        ++failures;
        ++arm_failures[arm];
        if (o.max_failures != 0 && failures >= o.max_failures && !stopping.exchange(true)) {
          stopped_by = "--max-failures";
        }
        const std::string file =
            o.out + "/" + o.scenario + "-seed" + std::to_string(seed) + ".trace.jsonl";
        try {
          sim::write_trace_file(trace, file);
          failed_files.push_back(file + "  " + trace.footer.outcome);
        } catch (const std::exception& e) {
          errors.emplace_back(seed, trace.footer.outcome + "; no trace: " + e.what());
        }
      }
      progress.update(++done, failures);
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      ++arm_runs[arm];
      ++arm_failures[arm];
      errors.emplace_back(seed, e.what());
      ++failures;
      if (o.max_failures != 0 && failures >= o.max_failures && !stopping.exchange(true)) {
        stopped_by = "--max-failures";
      }
      progress.update(++done, failures);
    }
  };
  // Runs `batch` on o.jobs threads; `choosers` is empty or one per seed.
  const auto run_batch = [&](const std::vector<std::uint64_t>& batch,
                             const std::vector<std::shared_ptr<sim::GuidedChooser>>& choosers) {
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
      for (std::size_t i = next++; i < batch.size(); i = next++) {
        if (o.duration_s != 0 && std::chrono::steady_clock::now() >= time_box_end &&
            !stopping.exchange(true)) {
          std::lock_guard lock(mu);
          stopped_by = "--duration";
        }
        if (stopping) break;
        run_seed(batch[i], choosers.empty() ? nullptr : choosers[i]);
      }
    };
    std::vector<std::thread> workers;
    for (unsigned j = 1; j < o.jobs && j < batch.size(); ++j) workers.emplace_back(work);
    work();
    for (auto& w : workers) w.join();
  };
  std::optional<sim::GuidedExplorer> guided;
  if (o.strategy == "guided") {
    // Batch by batch, learnt in seed order: the same seeds give the same
    // corpus, and so the same runs, whatever --jobs is.
    guided.emplace();
    guided->explore(seeds, run_batch);
  } else {
    run_batch(seeds, {});
  }
  std::sort(failed_files.begin(), failed_files.end());
  for (const auto& f : failed_files) std::printf("failed: %s\n", f.c_str());
  std::sort(errors.begin(), errors.end());
  for (const auto& [seed, what] : errors) {
    std::printf("error: seed %llu: %s\n", static_cast<unsigned long long>(seed), what.c_str());
  }
  std::sort(nondeterministic.begin(), nondeterministic.end());
  for (const auto& [seed, how] : nondeterministic) {
    std::printf("nondeterministic: seed %llu\n%s\n", static_cast<unsigned long long>(seed),
                how.c_str());
  }
  if (portfolio) print_portfolio(arm_runs, arm_failures);
  if (stopped_by != nullptr) {
    std::printf("stopped by %s after %llu of %llu seeds\n", stopped_by,
                static_cast<unsigned long long>(done.load()),
                static_cast<unsigned long long>(seeds.size()));
  }
  std::printf("%llu seeds, %llu failed\n", static_cast<unsigned long long>(done.load()),
              static_cast<unsigned long long>(failures.load()));
  if (guided) {
    std::printf("guided: %zu states covered, %zu schedules in the corpus\n", guided->coverage(),
                guided->corpus_size());
  }
  if (checked > 0) {
    std::printf("determinism: %llu seeds run twice, %zu differed\n",
                static_cast<unsigned long long>(checked.load()), nondeterministic.size());
  }
  if (!nondeterministic.empty()) return kExitNondeterministic;
  return failures == 0 ? 0 : 1;
}

}  // namespace

void add_explore_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExploreOptions>();
  auto* cmd = app.add_subcommand("explore", "Run many seeds; write each failing run as a trace");
  cmd->add_option("--scenario,-s", o->scenario, "Scenario name")->capture_default_str();
  cmd->add_option("--seeds", o->seeds, "How many seeds")
      ->check(decimal_u64())
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  cmd->add_option("--from", o->from, "The first seed")->check(decimal_u64())->capture_default_str();
  cmd->add_option("--strategy", o->strategy,
                  "fifo, random, pct, guided (coverage-guided: runs in batches of 8 seeds), "
                  "systematic (every schedule within a bound, one seed unless --seeds) or "
                  "portfolio (seed k runs random, pct d=2, pct d=3, random+swarm by k mod 4)")
      ->check(CLI::IsMember({"fifo", "random", "pct", "guided", "systematic", "portfolio"}))
      ->capture_default_str();
  add_pct_options(*cmd, o->pct_depth, o->pct_steps);
  auto* preemptions = cmd->add_option("--preemption-bound", o->preemption_bound,
                                      "systematic: at most K choices other than fifo's (default 2)")
                          ->check(decimal_u64());
  cmd->add_option(
         "--delay-bound", o->delay_bound,
         "systematic: the choices' indices sum to at most K (instead of a preemption bound)")
      ->check(decimal_u64())
      ->excludes(preemptions);
  cmd->add_option("--max-schedules", o->max_schedules,
                  "systematic: schedules per seed at most (>= 1)")
      ->check(decimal_u64())
      ->capture_default_str();
  cmd->add_option("--param,-p", o->params, "Scenario parameter name=value (repeatable)");
  cmd->add_flag("--swarm", o->swarm, "Each seed keeps a random subset of the fault kinds");
  cmd->add_option("--jobs,-j", o->jobs, "Parallel runs")
      ->check(decimal_u64())
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  auto* by_hand = cmd->add_option("--shard", o->shard, "Run shard I of N (1-based), e.g. 2/4")
                      ->capture_default_str();
  cmd->add_option("--shards", o->shards_from_env,
                  "Run one of N shards, its index (0-based) from JOB_COMPLETION_INDEX "
                  "(Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm job array)")
      ->check(decimal_u64())
      ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()))
      ->excludes(by_hand);
  cmd->add_option("--max-failures", o->max_failures,
                  "Stop taking seeds once this many have failed (runs under way finish)")
      ->check(decimal_u64())
      ->check(CLI::Range(std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()));
  cmd->add_option("--duration", o->duration_s,
                  "Stop taking seeds after this many seconds (runs under way finish)")
      ->check(decimal_u64())
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{366} * 24 * 3600));
  cmd->add_option("--out", o->out, "Directory for failing traces")->capture_default_str();
  auto* every = cmd->add_flag("--check-determinism", o->check_every_seed,
                              "Run every seed twice and compare the runs (by default the first "
                              "seed and one in 100 are); exit 3 when two runs differ");
  cmd->add_flag("--no-check-determinism", o->check_no_seed, "Run every seed once")->excludes(every);
  cmd->callback([o, cmd, &exit_code] {
    // A systematic run enumerates one seed's whole space: one seed unless asked.
    if (o->strategy == "systematic" && cmd->count("--seeds") == 0) o->seeds = 1;
    exit_code = explore(*o);
  });
}

}  // namespace troupe::cli
