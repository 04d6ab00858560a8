// troupe explore: many seeds of one scenario, in parallel, writing every
// failing run as a trace. --shard I/N (or --shards N, the index from a job
// runner: shard.hpp) takes every N-th seed of the range, so
// a sweep spreads over machines with no coordination.
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "commands.hpp"
#include "explore_systematic.hpp"
#include "output_files.hpp"
#include "shard.hpp"
#include "sweep_summary.hpp"
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
  std::uint64_t keep_traces = 3;  // traces kept per failure signature
  std::string summary;            // --summary FILE: JSON for machines
  std::string junit;              // --junit FILE: for CI systems
  bool gzip = false;              // traces written gzipped
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

std::string format_eta(double seconds) {
  const auto s = static_cast<unsigned long long>(seconds + 0.5);
  char buf[48];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lluh%02llum", s / 3600, s / 60 % 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%llum%02llus", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%llus", s);
  }
  return buf;
}

/// The progress bar on stderr, with the rate and an ETA (the time box's end
/// when that comes first). Not thread-safe: the caller locks.
class Progress {
 public:
  Progress(std::uint64_t total, std::optional<std::chrono::steady_clock::time_point> deadline)
      : total_(total), deadline_(deadline), tty_(isatty(2) != 0) {}
  void update(std::uint64_t done, std::uint64_t failures) {
    // On a terminal: redraw often. In a log: a line every tenth.
    if (!tty_ && done != total_ && done * 10 / total_ == (done - 1) * 10 / total_) return;
    draw(done, failures, done == total_);
  }
  /// The last line, also when a time box or failure limit stopped early.
  void finish(std::uint64_t done, std::uint64_t failures) {
    if (done != total_) draw(done, failures, true);  // the last seed drew it otherwise
  }
  /// Clears a bar drawn on the terminal, so a line printed now stands alone.
  void clear() {
    if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
  }
  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  void draw(std::uint64_t done, std::uint64_t failures, bool last) {
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    std::string eta;
    if (!last && rate > 0) {
      double left = static_cast<double>(total_ - done) / rate;
      if (deadline_) left = std::min(left, std::chrono::duration<double>(*deadline_ - now).count());
      eta = std::string("  ETA ").append(format_eta(std::max(left, 0.0)));
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / total_);
    std::fprintf(stderr, "%s[%.*s%*s] %llu/%llu seeds  %.0f runs/s  %llu failures%s%s",
                 tty_ ? "\r\033[K" : "", filled, "==============================", kWidth - filled,
                 "", static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                 rate, static_cast<unsigned long long>(failures), eta.c_str(),
                 tty_ && !last ? "" : "\n");
    drawn_ = tty_ && !last;
  }
  std::uint64_t total_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  bool tty_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

/// The seeds one shard runs, without holding them: the i-th is
/// first + i * stride (a sweep of 10^8 seeds costs no memory).
struct ShardSeeds {
  std::uint64_t first = 0;
  std::uint64_t stride = 1;
  std::uint64_t count = 0;
  std::uint64_t at(std::uint64_t i) const { return first + i * stride; }
};

ShardSeeds seeds_of(const Shard& shard, std::uint64_t from, std::uint64_t seeds) {
  if (shard.index >= seeds) return {from, shard.count, 0};
  return {from + shard.index, shard.count, (seeds - shard.index - 1) / shard.count + 1};
}

/// Each seed allocates and frees a whole run. glibc hands the top of its
/// main heap back to the kernel after such frees and faults the pages in
/// again for the next run, which cost more than the runs themselves on one
/// job (3000 crash-storm seeds: 5.8 s, 1.9 s with the heap padded).
void keep_the_heap_between_runs() {
#if defined(__GLIBC__)
  mallopt(M_TOP_PAD, 64 << 20);
#endif
}

/// Where a failing seed's trace goes.
std::string trace_file(const ExploreOptions& o, std::uint64_t seed) {
  std::string file = o.out;
  return file.append("/")
      .append(o.scenario)
      .append("-seed")
      .append(std::to_string(seed))
      .append(o.gzip ? ".trace.jsonl.gz" : ".trace.jsonl");
}

int explore(const ExploreOptions& o) {
  const Shard shard =
      o.shards_from_env != 0 ? shard_from_env(o.shards_from_env) : parse_shard(o.shard);
  check_seed_range(o.from, o.seeds);
  const sim::Params params = parse_params(o.params);
  if (sim::find_scenario(o.scenario) == nullptr) {
    throw std::invalid_argument("unknown scenario '" + o.scenario + "' (troupe list)");
  }
  sim::resolve_params(*sim::find_scenario(o.scenario), params);  // fail before any thread starts
  const ShardSeeds seeds = seeds_of(shard, o.from, o.seeds);
  const sim::SystematicSettings systematic = systematic_settings(o);
  if (o.strategy == "systematic" && (o.max_failures != 0 || o.duration_s != 0)) {
    throw std::invalid_argument(
        "--max-failures and --duration apply to seed sweeps; systematic is bounded by "
        "--max-schedules");
  }
  if (o.strategy == "systematic" && (!o.summary.empty() || !o.junit.empty())) {
    throw std::invalid_argument(
        "--summary and --junit apply to seed sweeps; systematic prints its verdict per seed");
  }
  const bool portfolio = o.strategy == "portfolio";
  if (portfolio && o.pct_depth) {
    throw std::invalid_argument("--pct-depth: the portfolio runs pct at depths 2 and 3");
  }
  SweepSummary summary;
  summary.scenario = o.scenario;
  summary.params = params;
  summary.strategy = o.strategy;
  summary.swarm = o.swarm;
  summary.from = o.from;
  summary.seeds = o.seeds;
  summary.shard_count = shard.count;
  summary.shards_run = {shard.index};
  summary.keep = o.keep_traces;
  if (seeds.count == 0) {
    // More shards than seeds: this one has nothing to do, which is no failure
    // (a job runner would otherwise retry or fail the whole sweep).
    std::printf("shard %s: no seeds among the %llu from %llu: nothing to run\n",
                shard.name().c_str(), static_cast<unsigned long long>(o.seeds),
                static_cast<unsigned long long>(o.from));
    if (!o.summary.empty()) write_summary_file(summary, o.summary);
    if (!o.junit.empty()) write_junit_file(summary, o.junit);
    return 0;
  }
  if (o.strategy == "systematic") {
    std::vector<std::uint64_t> list;
    for (std::uint64_t i = 0; i < seeds.count; ++i) list.push_back(seeds.at(i));
    return explore_systematically({.scenario = o.scenario,
                                   .params = params,
                                   .seeds = list,
                                   .swarm = o.swarm,
                                   .settings = systematic,
                                   .out = o.out,
                                   .check_every_seed = o.check_every_seed,
                                   .check_no_seed = o.check_no_seed});
  }
  const sim::PctSettings pct =
      pct_settings(o.pct_depth, o.pct_steps, o.strategy == "pct" || portfolio);
  std::vector<std::uint64_t> arm_runs(kArms), arm_failures(kArms);
  std::filesystem::create_directories(o.out);
  // A report that cannot be written is found now, not after an hour of seeds.
  check_outputs({}, {{"the summary", o.summary}, {"the JUnit report", o.junit}});
  keep_the_heap_between_runs();
  std::mutex mu;  // guards everything below that is not atomic
  std::atomic<std::uint64_t> done{0}, failures{0};
  SignatureBook book(o.keep_traces);
  std::vector<std::pair<std::uint64_t, std::string>> unwritten;         // (seed, why): no trace
  std::vector<std::pair<std::uint64_t, std::string>> nondeterministic;  // (seed, how)
  std::uint64_t checked = 0;
  std::optional<std::chrono::steady_clock::time_point> time_box_end;
  if (o.duration_s != 0) {
    time_box_end = std::chrono::steady_clock::now() + std::chrono::seconds(o.duration_s);
  }
  Progress progress(seeds.count, time_box_end);
  // The time box and the failure limit stop new seeds; runs under way end.
  std::atomic<bool> stopping{false};
  const char* stopped_by = nullptr;                  // under mu
  const auto count_failure = [&](std::size_t arm) {  // under mu
    ++failures;
    ++arm_failures[arm];
    if (o.max_failures != 0 && failures >= o.max_failures && !stopping.exchange(true)) {
      stopped_by = "--max-failures";
    }
  };
  // Counts a failure under its signature; says so when it is the first of
  // its kind. True when its trace is to be kept.
  const auto admit = [&](const FailureSignature& signature, FailureExample example) {
    const std::uint64_t seed = example.seed;
    const auto admission = book.add(signature, std::move(example));
    if (admission.new_signature) {
      progress.clear();
      std::printf("new failure signature: %s (seed %llu)\n", signature.key().c_str(),
                  static_cast<unsigned long long>(seed));
      std::fflush(stdout);
    }
    return admission.keep_trace;
  };
  const auto run_seed = [&](std::uint64_t index,
                            const std::shared_ptr<sim::GuidedChooser>& chooser) {
    const std::uint64_t seed = seeds.at(index);
    sim::RunSpec spec = spec_for(o, params, seed, pct);
    spec.keep_metrics = false;
    if (chooser) sim::guide(spec, chooser);
    const std::size_t arm = portfolio ? arm_of(o, seed) : 0;
    std::optional<sim::Trace> trace;
    std::optional<sim::DeterminismCheck> verdict;
    std::string error;
    try {
      const bool check = checks_determinism(o, index);
      sim::RunReport report;
      trace.emplace(sim::record_run(spec, check ? &report : nullptr));
      if (check) {
        sim::RunSpec again = spec;
        if (chooser) {
          // A guided run's chooser learns as it goes: the same spec again is
          // another schedule. The second run takes the first one's choices.
          const auto it = trace->decisions.find(sim::kChoiceStream);
          again.on_built = nullptr;  // the guided chooser watches only its own run
          again.chooser = std::make_shared<RecordedChoices>(
              it == trace->decisions.end() ? std::vector<std::uint64_t>{} : it->second);
        }
        verdict = sim::check_determinism(again, report);
      }
    } catch (const std::exception& e) {
      error = e.what();
      trace.reset();
    }
    const bool failed = !error.empty() || !trace->footer.invariant.empty();
    const FailureSignature signature =
        !error.empty() ? error_signature(error)
        : failed       ? violation_signature(trace->footer.invariant, trace->footer.actor)
                       : FailureSignature{};
    const std::string file = failed && error.empty() ? trace_file(o, seed) : std::string();
    bool write = false;
    {
      std::lock_guard lock(mu);
      ++arm_runs[arm];
      if (verdict) {
        ++checked;
        if (!verdict->deterministic()) nondeterministic.emplace_back(seed, describe(*verdict));
      }
      if (failed) {
        count_failure(arm);
        write = admit(signature, FailureExample{seed, trace ? trace->footer.events : 0, file});
      }
      if (!write) progress.update(++done, failures);
    }
    if (!write) return;
    // Written outside the lock: other jobs go on running and counting.
    std::string why;
    try {
      sim::write_trace_file(*trace, file);
    } catch (const std::exception& e) {
      why = e.what();
    }
    std::lock_guard lock(mu);
    if (!why.empty()) {
      book.forget_example(signature, seed);
      unwritten.emplace_back(seed, trace->footer.outcome + "; no trace: " + why);
    }
    progress.update(++done, failures);
  };
  // Runs `count` seeds on o.jobs threads; seed i is index_of(i) of the
  // shard's seeds; `choosers` is empty or one per seed.
  const auto run_batch = [&](std::uint64_t count, const auto& index_of,
                             const std::vector<std::shared_ptr<sim::GuidedChooser>>& choosers) {
    std::atomic<std::uint64_t> next{0};
    const auto work = [&] {
      for (std::uint64_t i = next++; i < count; i = next++) {
        if (time_box_end && std::chrono::steady_clock::now() >= *time_box_end &&
            !stopping.exchange(true)) {
          std::lock_guard lock(mu);
          stopped_by = "--duration";
        }
        if (stopping) break;
        run_seed(index_of(i), choosers.empty() ? nullptr : choosers[i]);
      }
    };
    std::vector<std::thread> workers;
    for (unsigned j = 1; j < o.jobs && j < count; ++j) workers.emplace_back(work);
    work();
    for (auto& w : workers) w.join();
  };
  std::optional<sim::GuidedExplorer> guided;
  if (o.strategy == "guided") {
    // Batch by batch, learnt in seed order: the same seeds give the same
    // corpus, and so the same runs, whatever --jobs is. The guided explorer
    // plans batches from a list, so only here are the seeds held.
    std::vector<std::uint64_t> list;
    for (std::uint64_t i = 0; i < seeds.count; ++i) list.push_back(seeds.at(i));
    std::map<std::uint64_t, std::uint64_t> index_of_seed;
    for (std::uint64_t i = 0; i < seeds.count; ++i) index_of_seed[list[i]] = i;
    guided.emplace();
    guided->explore(list, [&](const std::vector<std::uint64_t>& batch,
                              const std::vector<std::shared_ptr<sim::GuidedChooser>>& choosers) {
      run_batch(
          batch.size(), [&](std::uint64_t i) { return index_of_seed.at(batch[i]); }, choosers);
    });
  } else {
    run_batch(seeds.count, [](std::uint64_t i) { return i; }, {});
  }
  progress.finish(done, failures);
  // Every writer has finished: the traces pushed out by shorter runs go.
  for (const auto& file : book.displaced()) {
    std::error_code ignored;
    std::filesystem::remove(file, ignored);
  }
  summary.seeds_run = done;
  summary.failed = failures;
  summary.elapsed_s = progress.elapsed_s();
  summary.runs_per_s = summary.elapsed_s > 0 ? static_cast<double>(done) / summary.elapsed_s : 0.0;
  if (stopped_by != nullptr) summary.stopped_by.push_back(stopped_by);
  summary.signatures = book.by_count();
  summary.determinism_checked = checked;
  std::sort(nondeterministic.begin(), nondeterministic.end());
  for (const auto& [seed, how] : nondeterministic) summary.nondeterministic.push_back(seed);

  print_signatures(summary);
  std::sort(unwritten.begin(), unwritten.end());
  for (const auto& [seed, what] : unwritten) {
    std::printf("error: seed %llu: %s\n", static_cast<unsigned long long>(seed), what.c_str());
  }
  for (const auto& [seed, how] : nondeterministic) {
    std::printf("nondeterministic: seed %llu\n%s\n", static_cast<unsigned long long>(seed),
                how.c_str());
  }
  if (portfolio) print_portfolio(arm_runs, arm_failures);
  if (stopped_by != nullptr) {
    std::printf("stopped by %s after %llu of %llu seeds\n", stopped_by,
                static_cast<unsigned long long>(done.load()),
                static_cast<unsigned long long>(seeds.count));
  }
  std::printf("%llu seeds, %llu failed%s\n", static_cast<unsigned long long>(done.load()),
              static_cast<unsigned long long>(failures.load()), signature_count(summary).c_str());
  if (guided) {
    std::printf("guided: %zu states covered, %zu schedules in the corpus\n", guided->coverage(),
                guided->corpus_size());
  }
  if (checked > 0) {
    std::printf("determinism: %llu seeds run twice, %zu differed\n",
                static_cast<unsigned long long>(checked), nondeterministic.size());
  }
  if (!o.summary.empty()) {
    write_summary_file(summary, o.summary);
    std::printf("summary: %s\n", o.summary.c_str());
  }
  if (!o.junit.empty()) {
    write_junit_file(summary, o.junit);
    std::printf("junit: %s\n", o.junit.c_str());
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
  cmd->add_option("--keep-traces", o->keep_traces,
                  "Traces kept per failure signature: the shortest runs (1 to 1000)")
      ->check(decimal_u64())
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--summary", o->summary,
                  "Write the sweep's result as JSON (signatures, counts, seeds, traces); "
                  "troupe merge combines shards' summaries");
  cmd->add_option("--junit", o->junit, "Write a JUnit XML report: one test case per signature");
  cmd->add_flag("--gzip", o->gzip, "Write the kept traces gzipped (.trace.jsonl.gz)");
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
