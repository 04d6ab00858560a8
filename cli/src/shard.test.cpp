#include "shard.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <string>

namespace troupe::cli {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    const auto found = vars.find(name);
    if (found == vars.end()) return std::nullopt;
    return found->second;
  };
}

/// The message of the std::invalid_argument `f` throws ("" if none).
template <class F>
std::string refusal(F f) {
  try {
    (void)f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Shard, TheCommandLineCountsFromOneAndEverySeedBelongsToExactlyOneShard) {
  const Shard second = parse_shard("2/4");
  EXPECT_EQ(second.index, 1u);
  EXPECT_EQ(second.count, 4u);
  EXPECT_EQ(second.name(), "2/4");
  for (std::uint64_t k = 0; k < 40; ++k) {
    int owners = 0;
    for (std::uint64_t i = 1; i <= 4; ++i) {
      owners += parse_shard(std::to_string(i) + "/4").owns(k) ? 1 : 0;
    }
    EXPECT_EQ(owners, 1) << "seed " << k;
  }
  for (const char* bad : {"0/4", "5/4", "1/0", "-1/3", "1/-3", "a/b", "2", "", "1/2/3", "0x1/2"}) {
    EXPECT_NE(refusal([&] { return parse_shard(bad); }).find("--shard must be I/N"),
              std::string::npos)
        << bad;
  }
}

TEST(Shard, AKubernetesIndexedJobCountsFromZero) {
  const Shard s = shard_from_env(4, env_of({{"JOB_COMPLETION_INDEX", "0"}}));
  EXPECT_EQ(s.index, 0u);
  EXPECT_EQ(s.name(), "1/4") << "the same shard as --shard 1/4";
  EXPECT_EQ(shard_from_env(4, env_of({{"JOB_COMPLETION_INDEX", "3"}})).index, 3u);
  // Kubernetes wins when both are set (a Slurm variable leaking into a pod).
  EXPECT_EQ(shard_from_env(4, env_of({{"JOB_COMPLETION_INDEX", "1"}, {"SLURM_ARRAY_TASK_ID", "2"}}))
                .index,
            1u);
}

TEST(Shard, ASlurmArrayCountsFromItsFirstTask) {
  EXPECT_EQ(shard_from_env(4, env_of({{"SLURM_ARRAY_TASK_ID", "2"}})).index, 2u);
  EXPECT_EQ(shard_from_env(4, env_of({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "2"}}))
                .index,
            3u);
}

TEST(Shard, AMissingOrBadIndexIsOneClearError) {
  EXPECT_NE(refusal([] { return shard_from_env(4, env_of({})); }).find("JOB_COMPLETION_INDEX"),
            std::string::npos);
  EXPECT_NE(refusal([] {
              return shard_from_env(4, env_of({{"JOB_COMPLETION_INDEX", "4"}}));
            }).find("must be below 4"),
            std::string::npos);
  for (const char* bad : {"", "-1", "1.0", "x", "18446744073709551616"}) {
    EXPECT_NE(refusal([&] {
                return shard_from_env(4, env_of({{"JOB_COMPLETION_INDEX", bad}}));
              }).find("must be a decimal number"),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(refusal([] {
              return shard_from_env(
                  4, env_of({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "2"}}));
            }).find("below SLURM_ARRAY_TASK_MIN"),
            std::string::npos);
  EXPECT_NE(refusal([] {
              return shard_from_env(0, env_of({{"JOB_COMPLETION_INDEX", "0"}}));
            }).find("at least 1"),
            std::string::npos);
}

}  // namespace
}  // namespace troupe::cli
