// Which part of a seed range one explore process runs. Either named on the
// command line (--shard I/N, 1-based, as people count) or, with --shards N,
// taken from the job runner that started the process, 0-based as those
// runners count: JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or
// SLURM_ARRAY_TASK_ID minus SLURM_ARRAY_TASK_MIN (a Slurm job array).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace troupe::cli {

/// Shard `index` (0-based) of `count`: seed k of the range (counted from 0)
/// belongs to it when k % count == index.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
  bool owns(std::uint64_t k) const { return k % count == index; }
  /// "2/4": 1-based, as --shard takes it.
  std::string name() const;
};

/// Reads an environment variable; empty when unset.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_env(const char* name);

/// "I/N" with 1 <= I <= N; throws std::invalid_argument otherwise.
Shard parse_shard(const std::string& text);

/// Shard of `count` whose index the job runner gives (see above); throws
/// std::invalid_argument naming the variable when it is missing, not a
/// decimal number, or not below `count`.
Shard shard_from_env(std::uint64_t count, const EnvLookup& env = process_env);

}  // namespace troupe::cli
