#include "shard.hpp"

#include <cstdlib>
#include <stdexcept>

#include "commands.hpp"

namespace troupe::cli {

std::string Shard::name() const {
  return std::to_string(index + 1).append("/").append(std::to_string(count));
}

std::optional<std::string> process_env(const char* name) {
  const char* value =
      std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read before threads start
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto i =
      slash == std::string::npos ? std::nullopt : parse_decimal_u64(text.substr(0, slash));
  const auto n =
      slash == std::string::npos ? std::nullopt : parse_decimal_u64(text.substr(slash + 1));
  if (!i || !n || *i == 0 || *i > *n) {
    throw std::invalid_argument("--shard must be I/N with 1 <= I <= N, got '" + text + "'");
  }
  return Shard{*i - 1, *n};
}

namespace {

std::uint64_t env_number(const char* name, const std::string& value) {
  const auto n = parse_decimal_u64(value);
  if (!n) {
    // Appended, not "literal" + string: g++ 12 -O3 warns falsely (-Wrestrict).
    std::string message = "--shards: ";
    message.append(name).append(" must be a decimal number, got '").append(value).append("'");
    throw std::invalid_argument(message);
  }
  return *n;
}

}  // namespace

Shard shard_from_env(std::uint64_t count, const EnvLookup& env) {
  if (count == 0) throw std::invalid_argument("--shards must be at least 1");
  std::uint64_t index = 0;
  const char* from = nullptr;
  if (const auto k8s = env("JOB_COMPLETION_INDEX")) {
    from = "JOB_COMPLETION_INDEX";
    index = env_number(from, *k8s);
  } else if (const auto slurm = env("SLURM_ARRAY_TASK_ID")) {
    from = "SLURM_ARRAY_TASK_ID";
    index = env_number(from, *slurm);
    // An array may start anywhere (--array=1-4): count from its first task.
    if (const auto min = env("SLURM_ARRAY_TASK_MIN")) {
      const std::uint64_t first = env_number("SLURM_ARRAY_TASK_MIN", *min);
      if (first > index) {
        std::string message = "--shards: SLURM_ARRAY_TASK_ID ";
        message.append(*slurm).append(" is below SLURM_ARRAY_TASK_MIN ").append(*min);
        throw std::invalid_argument(message);
      }
      index -= first;
    }
  } else {
    throw std::invalid_argument(
        "--shards needs the shard's index from its job runner: JOB_COMPLETION_INDEX (Kubernetes "
        "Indexed Job) or SLURM_ARRAY_TASK_ID (Slurm job array) is not set; use --shard I/N "
        "elsewhere");
  }
  if (index >= count) {
    std::string message = "--shards ";
    message.append(std::to_string(count)).append(": ").append(from);
    message.append(" gives shard index ").append(std::to_string(index));
    message.append(" (0-based), which must be below ").append(std::to_string(count));
    throw std::invalid_argument(message);
  }
  return Shard{index, count};
}

}  // namespace troupe::cli
