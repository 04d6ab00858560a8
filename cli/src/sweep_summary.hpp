// The result of a sweep for machines: what `explore --summary FILE` writes
// and `troupe merge` reads, combines and writes again. One JSON object:
//
//   {"troupe_summary":1,"scenario":"crash-storm","params":{"strict":1},
//    "strategy":"random","swarm":true,"from":1,"seeds":3000,
//    "shards":{"count":4,"run":[0]},"keep":3,"seeds_run":750,"failed":312,
//    "elapsed_s":1.9,"runs_per_s":394.7,"stopped_by":[],
//    "signatures":[{"kind":"violation","invariant":"budget_never_exhausted",
//       "path":"/storm/s*","count":310,"examples":[{"seed":9,"events":201,
//       "trace":"out/crash-storm-seed9.trace.jsonl"}]}],
//    "determinism":{"checked":8,"nondeterministic":[]}}
//
// Reading is strict (every field, its type and range; the shard list
// within its count), so a truncated or edited summary is refused with one
// line rather than merged into a wrong verdict.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "failure_signatures.hpp"
#include "troupe/sim/scenario.hpp"

namespace troupe::cli {

inline constexpr int kSummaryFormat = 1;

struct SweepSummary {
  std::string scenario{};
  sim::Params params{};
  std::string strategy{};
  bool swarm = false;
  std::uint64_t from = 1;  ///< the sweep's seed range, before sharding
  std::uint64_t seeds = 0;
  std::uint64_t shard_count = 1;
  std::vector<std::uint64_t> shards_run{};  ///< 0-based shard indexes, ascending
  std::uint64_t keep = 3;                   ///< examples kept per signature
  std::uint64_t seeds_run = 0;
  std::uint64_t failed = 0;
  double elapsed_s = 0;
  double runs_per_s = 0;
  std::vector<std::string>
      stopped_by{};  ///< --duration or --max-failures, when one stopped a shard
  std::vector<FailureSignature> signatures{};  ///< most frequent first
  std::uint64_t determinism_checked = 0;
  std::vector<std::uint64_t> nondeterministic{};  ///< seeds whose two runs differed, ascending

  /// Everything but where and how fast it ran (trace files, times): what
  /// a merge of shards must reproduce of the sweep run in one piece.
  bool same_findings(const SweepSummary& other) const;
};

/// The summary as one line of JSON.
std::string summary_to_json(const SweepSummary& summary);
/// Throws std::invalid_argument naming `name` and the first problem.
SweepSummary summary_from_json(const std::string& text, const std::string& name);

void write_summary_file(const SweepSummary& summary, const std::string& path);
SweepSummary read_summary_file(const std::string& path);

/// The shards of one sweep combined: signatures deduplicated, counts added,
/// the kept examples the shortest of all. Throws std::invalid_argument when
/// the summaries are of different sweeps, or a shard appears twice.
SweepSummary merge_summaries(const std::vector<SweepSummary>& parts,
                             const std::vector<std::string>& names);

/// How many seeds the summary's shards hold: what seeds_run is when no
/// time box or failure limit stopped them.
std::uint64_t seeds_in_shards(const SweepSummary& summary);
/// Whether seed k of the range falls to one of the summary's shards.
bool owns_seed(const SweepSummary& summary, std::uint64_t seed);

/// How many seeds the summary's shards hold: what seeds_run is when no
/// time box or failure limit stopped them.
std::uint64_t seeds_in_shards(const SweepSummary& summary);
/// Whether `seed` is in the range and falls to one of the summary's shards.
bool owns_seed(const SweepSummary& summary, std::uint64_t seed);

/// The first 1000 shard indexes of the sweep that no part ran, ascending.
std::vector<std::uint64_t> missing_shards(const SweepSummary& summary);

/// ", 2 signatures" after the failure count, or nothing when none failed.
std::string signature_count(const SweepSummary& summary);

/// The signature table, as explore and merge print it.
void print_signatures(const SweepSummary& summary);

/// JUnit XML: one test suite for the sweep, one test case per signature
/// (a failure naming its count, seeds and traces), one for determinism, and
/// a passing case for the sweep itself so a clean run is not empty.
std::string summary_to_junit(const SweepSummary& summary);
void write_junit_file(const SweepSummary& summary, const std::string& path);

}  // namespace troupe::cli
