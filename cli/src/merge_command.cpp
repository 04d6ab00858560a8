// troupe merge: the summaries of a sweep's shards (explore --summary) as
// one, as if the sweep had run in one piece: signatures deduplicated, counts
// added, the shortest examples of all kept.
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "sweep_summary.hpp"

namespace troupe::cli {

namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string junit;
  bool allow_missing = false;
};

std::uint64_t missing_count(const SweepSummary& s) {
  return s.shard_count - s.shards_run.size();
}

std::string shard_list(const std::vector<std::uint64_t>& shards) {
  std::string text;
  for (const auto s : shards) text.append(text.empty() ? "" : ", ").append(std::to_string(s));
  return text;
}

int merge(const MergeOptions& o) {
  std::vector<SweepSummary> parts;
  for (const auto& file : o.inputs) parts.push_back(read_summary_file(file));
  const SweepSummary merged = merge_summaries(parts, o.inputs);
  const auto missing = missing_shards(merged);
  if (!missing.empty() && !o.allow_missing) {
    throw std::invalid_argument(
        std::string("shards ")
            .append(shard_list(missing))
            .append(missing_count(merged) > missing.size()
                        ? std::string(" and ")
                              .append(std::to_string(missing_count(merged) - missing.size()))
                              .append(" more")
                        : std::string())
            .append(" of ")
            .append(std::to_string(merged.shard_count))
            .append(" (0-based) are missing; --allow-missing merges what is there"));
  }
  print_signatures(merged);
  std::printf("merged %zu summaries: %zu of %llu shards", parts.size(), merged.shards_run.size(),
              static_cast<unsigned long long>(merged.shard_count));
  if (!missing.empty()) std::printf(" (missing: %s)", shard_list(missing).c_str());
  std::printf("\n");
  for (const auto& by : merged.stopped_by) std::printf("a shard was stopped by %s\n", by.c_str());
  for (const auto seed : merged.nondeterministic) {
    std::printf("nondeterministic: seed %llu\n", static_cast<unsigned long long>(seed));
  }
  std::printf("%llu seeds, %llu failed%s\n", static_cast<unsigned long long>(merged.seeds_run),
              static_cast<unsigned long long>(merged.failed), signature_count(merged).c_str());
  if (!o.out.empty()) {
    write_summary_file(merged, o.out);
    std::printf("summary: %s\n", o.out.c_str());
  }
  if (!o.junit.empty()) {
    write_junit_file(merged, o.junit);
    std::printf("junit: %s\n", o.junit.c_str());
  }
  if (!merged.nondeterministic.empty()) return kExitNondeterministic;
  return merged.failed == 0 ? 0 : 1;
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<MergeOptions>();
  auto* cmd = app.add_subcommand(
      "merge", "Combine the summaries of a sweep's shards (explore --summary) into one");
  cmd->add_option("summaries", o->inputs, "Summary files, one per shard or group of shards")
      ->required();
  cmd->add_option("--out,-o", o->out, "Write the merged summary here");
  cmd->add_option("--junit", o->junit, "Write a JUnit XML report of the merged sweep");
  cmd->add_flag("--allow-missing", o->allow_missing,
                "Merge although some shards have no summary (they are named)");
  cmd->callback([o, &exit_code] { exit_code = merge(*o); });
}

}  // namespace troupe::cli
