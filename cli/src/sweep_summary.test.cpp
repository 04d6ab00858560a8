#include "sweep_summary.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace troupe::cli {
namespace {

SweepSummary shard_summary(std::uint64_t index, std::uint64_t count) {
  SweepSummary s{.scenario = "crash-storm",
                 .params = {{"strict", 1.0}},
                 .strategy = "random",
                 .swarm = true,
                 .from = 1,
                 .seeds = 100,
                 .shard_count = count,
                 .shards_run = {index},
                 .keep = 2};
  SignatureBook book(2);
  for (std::uint64_t seed = 1 + index; seed <= 100; seed += count) {
    ++s.seeds_run;
    if (seed % 3 != 0) continue;
    ++s.failed;
    (void)book.add(violation_signature(seed % 2 == 0 ? "even" : "odd", "/s" + std::to_string(seed)),
                   FailureExample{seed, 1000 - seed % 11, "t" + std::to_string(seed)});
  }
  s.signatures = book.by_count();
  s.elapsed_s = 1.5;
  s.runs_per_s = static_cast<double>(s.seeds_run) / 1.5;
  return s;
}

std::string refusal(const std::string& text) {
  try {
    (void)summary_from_json(text, "s.json");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SweepSummary, ReadsBackWhatItWrites) {
  const SweepSummary s = shard_summary(1, 4);
  const SweepSummary back = summary_from_json(summary_to_json(s), "s.json");
  EXPECT_TRUE(back.same_findings(s));
  EXPECT_EQ(back.signatures, s.signatures);  // trace files too
  EXPECT_EQ(back.shards_run, s.shards_run);
  EXPECT_DOUBLE_EQ(back.runs_per_s, s.runs_per_s);
}

TEST(SweepSummary, MergedShardsEqualTheSweepRunInOnePiece) {
  const SweepSummary whole = shard_summary(0, 1);
  std::vector<SweepSummary> parts;
  for (std::uint64_t i = 0; i < 4; ++i) parts.push_back(shard_summary(i, 4));
  const SweepSummary merged = merge_summaries(parts, {"a", "b", "c", "d"});
  EXPECT_TRUE(merged.same_findings(whole));
  EXPECT_EQ(merged.shards_run, (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_TRUE(missing_shards(merged).empty());
  // Three of four: counts are short, and the missing shard is named.
  parts.pop_back();
  const SweepSummary partial = merge_summaries(parts, {"a", "b", "c"});
  EXPECT_FALSE(partial.same_findings(whole));
  EXPECT_EQ(missing_shards(partial), (std::vector<std::uint64_t>{3}));
}

TEST(SweepSummary, MergeRefusesOtherSweepsAndAShardTwice) {
  const SweepSummary a = shard_summary(0, 2);
  SweepSummary other = shard_summary(1, 2);
  other.params["strict"] = 0;
  EXPECT_THROW((void)merge_summaries({a, other}, {"a", "b"}), std::invalid_argument);
  try {
    (void)merge_summaries({a, a}, {"a.json", "again.json"});
    FAIL() << "a shard twice was merged";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "shard 0 is in both a.json and again.json");
  }
}

TEST(SweepSummary, RefusesWhatNoSweepWrites) {
  const std::string good = summary_to_json(shard_summary(1, 4));
  ASSERT_EQ(refusal(good), "");
  EXPECT_NE(refusal(good.substr(0, good.size() / 2)).find("not JSON"), std::string::npos);
  EXPECT_NE(refusal("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(refusal("{}").find("troupe_summary"), std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"troupe_summary\": 1", "\"troupe_summary\": 2")).find("format"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"seeds_run\": 25", "\"seeds_run\": -25")).find("seeds_run"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"seeds_run\": 25", "\"seeds_run\": 2.5")).find("seeds_run"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"seeds_run\": 25", "\"seeds_run\": 250")).find("more than"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"failed\": 8", "\"failed\": 9")).find("sum of the signatures"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"keep\": 2", "\"keep\": 2, \"kepp\": 3")).find("unknown field"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"count\": 4", "\"count\": 0")).find("'count'"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"kind\": \"violation\"", "\"kind\": \"bad\"")).find("'kind'"),
            std::string::npos);
  EXPECT_NE(refusal(replace(good, "\"run\": [\n      1\n    ]", "\"run\": [\n      4\n    ]"))
                .find("past 'count'"),
            std::string::npos);
  // The first example's seed moved past the sweep's 100 seeds.
  std::string far = good;
  const auto seed_at = far.find("\"seed\": ") + 8;
  far.replace(seed_at, far.find(',', seed_at) - seed_at, "600");
  EXPECT_NE(refusal(far).find("outside"), std::string::npos) << refusal(far);
}

TEST(SweepSummary, RefusesASummaryThatContradictsItsShards) {
  const SweepSummary good = shard_summary(1, 4);  // seeds 2, 6, 10, ...: 25 of them
  ASSERT_EQ(seeds_in_shards(good), 25u);
  const auto refusal_of = [](SweepSummary s) { return refusal(summary_to_json(s)); };
  SweepSummary short_run = good;
  short_run.seeds_run = 20;  // fewer than its shards hold, and nothing stopped it
  EXPECT_NE(refusal_of(short_run).find("names nothing that stopped it"), std::string::npos);
  short_run.stopped_by = {"--duration"};
  EXPECT_EQ(refusal_of(short_run), "");
  SweepSummary too_many = good;
  too_many.seeds_run = 26;
  EXPECT_NE(refusal_of(too_many).find("more than its shards hold"), std::string::npos);
  SweepSummary other_shard = good;
  other_shard.signatures[0].examples[0].seed = 3;  // shard 2's seed
  EXPECT_NE(refusal_of(other_shard).find("not one of the summary's shards"), std::string::npos);
  SweepSummary twice = good;
  auto& examples = twice.signatures[0].examples;
  ASSERT_GE(examples.size(), 2u);
  examples[1].seed = examples[0].seed;
  examples[1].events = examples[0].events + 1;
  EXPECT_NE(refusal_of(twice).find("listed twice"), std::string::npos) << refusal_of(twice);
  SweepSummary nondet = good;
  nondet.determinism_checked = 1;
  nondet.nondeterministic = {999};
  EXPECT_NE(refusal_of(nondet).find("not one of the summary's shards"), std::string::npos);
  SweepSummary fast = good;
  fast.runs_per_s = 1e300;  // two such shards would sum to infinity
  EXPECT_NE(refusal_of(fast).find("'runs_per_s'"), std::string::npos);
  EXPECT_NE(refusal(std::string(100, '[') + std::string(100, ']')).find("nested deeper"),
            std::string::npos);
}

TEST(SweepSummary, JunitHasACasePerSignatureAndEscapesText) {
  SweepSummary s = shard_summary(0, 1);
  s.signatures[0].invariant = "a<b & \"c\" \xef\xbf\xbf";
  const std::string xml = summary_to_junit(s);
  EXPECT_NE(xml.find("tests=\"3\" failures=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_EQ(xml.find("a<b"), std::string::npos);
  EXPECT_EQ(xml.find("\xef\xbf\xbf"), std::string::npos);  // U+FFFF is no XML character
  SweepSummary clean = s;
  clean.signatures.clear();
  clean.failed = 0;
  const std::string ok = summary_to_junit(clean);
  EXPECT_NE(ok.find("tests=\"1\" failures=\"0\""), std::string::npos);
  EXPECT_EQ(ok.find("<failure"), std::string::npos);
}

}  // namespace
}  // namespace troupe::cli
