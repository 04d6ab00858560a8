#include "explore_systematic.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.hpp"
#include "troupe/assert.hpp"
#include "troupe/sim/determinism_check.hpp"
#include "troupe/sim/replay.hpp"

namespace troupe::cli {

namespace {

/// "decision 4 took 1, decision 9 took 2": the choices that are not fifo's.
std::string describe_choices(const std::vector<std::uint32_t>& choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == 0) continue;
    out += (out.empty() ? "" : ", ") + std::string("decision ") + std::to_string(i + 1) + " took " +
           std::to_string(choices[i]);
  }
  return out.empty() ? "the default order throughout" : out;
}

std::string bound_text(const sim::SystematicSettings& s) {
  return std::string(sim::to_string(s.kind)) + " bound " + std::to_string(s.bound);
}

/// Says which schedule failed and how, and writes its trace.
void report_failure(const SystematicOptions& o, std::uint64_t seed,
                    const sim::SystematicResult& r) {
  TROUPE_ASSERT(r.failure && r.failing_choices);
  const std::string file =
      o.out + "/" + o.scenario + "-seed" + std::to_string(seed) + "-systematic.trace.jsonl";
  std::printf("seed %llu: schedule %llu failed (%s): %s\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(r.schedules),
              describe_choices(*r.failing_choices).c_str(), r.failure->footer.outcome.c_str());
  try {
    sim::write_trace_file(*r.failure, file);
    std::printf("failed: %s  %s\n", file.c_str(), r.failure->footer.outcome.c_str());
  } catch (const std::exception& e) {
    std::printf("error: seed %llu: %s; no trace: %s\n", static_cast<unsigned long long>(seed),
                r.failure->footer.outcome.c_str(), e.what());
  }
}

}  // namespace

int explore_systematically(const SystematicOptions& o) {
  TROUPE_ASSERT(!o.seeds.empty());
  std::filesystem::create_directories(o.out);
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t schedules = 0, failed = 0, checked = 0, nondeterministic = 0;
  for (std::size_t index = 0; index < o.seeds.size(); ++index) {
    const std::uint64_t seed = o.seeds[index];
    const sim::RunSpec spec{.scenario = o.scenario,
                            .params = o.params,
                            .seed = seed,
                            .strategy = sim::Strategy::systematic,
                            .swarm = o.swarm};
    const auto s = static_cast<unsigned long long>(seed);
    // The enumeration re-runs the seed from the start for every schedule:
    // if two runs of one schedule differ, "explored" would be a claim about
    // runs that never happened. Check the first schedule, then trust the rest
    // only as far as their decisions agree (sim::explore_systematic).
    if (o.check_every_seed || (!o.check_no_seed && index % 100 == 0)) {
      ++checked;
      sim::RunReport first;
      sim::record_run(spec, &first);
      const sim::DeterminismCheck verdict = sim::check_determinism(spec, first);
      if (!verdict.deterministic()) {
        ++nondeterministic;
        std::printf("nondeterministic: seed %llu\n%s\n", s, describe(verdict).c_str());
        continue;
      }
    }
    sim::SystematicResult r;
    try {
      r = sim::explore_systematic(spec, o.settings);
    } catch (const sim::SystematicDivergence& e) {
      ++nondeterministic;
      std::printf("nondeterministic: seed %llu: %s\n", s, e.what());
      continue;
    }
    schedules += r.schedules;
    const auto n = static_cast<unsigned long long>(r.schedules);
    if (r.failure) {
      ++failed;
      report_failure(o, seed, r);
    } else if (r.exhausted) {
      std::printf("seed %llu: all %llu schedules within %s explored: no failure\n", s, n,
                  bound_text(o.settings).c_str());
    } else {
      std::printf(
          "seed %llu: stopped by --max-schedules after %llu schedules, none failed; "
          "the space within %s is not exhausted\n",
          s, n, bound_text(o.settings).c_str());
    }
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "%llu schedules in %.2f s (%.0f schedules/s)\n",
               static_cast<unsigned long long>(schedules), secs,
               secs > 0 ? static_cast<double>(schedules) / secs : 0.0);
  std::printf("%llu seeds, %llu failed\n", static_cast<unsigned long long>(o.seeds.size()),
              static_cast<unsigned long long>(failed));
  if (checked > 0) {
    std::printf("determinism: %llu seeds run twice, %llu differed\n",
                static_cast<unsigned long long>(checked),
                static_cast<unsigned long long>(nondeterministic));
  }
  if (nondeterministic > 0) return kExitNondeterministic;
  return failed == 0 ? 0 : 1;
}

}  // namespace troupe::cli
