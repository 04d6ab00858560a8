// Traces: a recorded run round-trips through the file format, replays event
// for event, and a damaged file is refused with a message naming the problem.
#include "sim/trace.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sim/replay.hpp"

namespace troupe::sim {
namespace {

Trace small_run(std::uint64_t seed = 3) {
  return record_run({.scenario = "taskpool", .params = {{"jobs", 30}}, .seed = seed});
}

std::string text_of(const Trace& t) {
  std::ostringstream os;
  write_trace(t, os);
  return os.str();
}

std::string read_error(const std::string& text) {
  std::istringstream in(text);
  try {
    read_trace(in, "t");
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Trace, RoundTripsThroughTheFileFormat) {
  const Trace t = small_run();
  ASSERT_GT(t.events.size(), 10u);
  ASSERT_FALSE(t.decisions.empty());
  std::istringstream in(text_of(t));
  const Trace back = read_trace(in);
  EXPECT_EQ(back.header.scenario, "taskpool");
  EXPECT_EQ(back.header.params.at("jobs"), 30);
  EXPECT_EQ(back.header.seed, 3u);
  EXPECT_EQ(back.decisions, t.decisions);
  EXPECT_EQ(back.events.size(), t.events.size());
  EXPECT_EQ(back.footer.hash, t.footer.hash);
  EXPECT_EQ(text_of(back), text_of(t));
}

TEST(Trace, ReplayMatchesTheRecordingEventForEvent) {
  for (const auto strategy : {Strategy::fifo, Strategy::random, Strategy::pct}) {
    const Trace t = record_run({.scenario = "crash-storm",
                                .params = {{"messages", 80}},
                                .seed = 11,
                                .strategy = strategy});
    const ReplayResult r = replay_trace(t);
    EXPECT_TRUE(r.matches) << to_string(strategy)
                           << (r.divergence ? " at " + r.divergence->actual : std::string());
    EXPECT_EQ(r.hash, t.footer.hash);
  }
}

TEST(Trace, ReplayUsesTheRecordedDecisionsNotTheSeed) {
  Trace t = small_run(5);
  t.header.seed = 999;  // the seed is informational once decisions exist
  EXPECT_TRUE(replay_trace(t).matches);
}

TEST(Trace, ReplayReportsTheFirstDivergence) {
  Trace t = small_run();
  // A decision changed: the schedule or a service time differs from there on.
  auto& schedule = t.decisions.begin()->second;
  ASSERT_GT(schedule.size(), 3u);
  for (auto& v : schedule) v ^= 0x5555555555555555ULL;
  const ReplayResult r = replay_trace(t);
  EXPECT_FALSE(r.matches);
  ASSERT_TRUE(r.divergence.has_value());
}

TEST(Trace, ReplayReportsMissingDecisions) {
  Trace t = small_run();
  t.decisions.clear();
  const ReplayResult r = replay_trace(t);
  EXPECT_FALSE(r.matches);
  ASSERT_TRUE(r.divergence.has_value());
  EXPECT_NE(r.divergence->actual.find("does not hold"), std::string::npos) << r.divergence->actual;
}

TEST(Trace, RefusesTruncatedCorruptAndEditedFiles) {
  const std::string good = text_of(small_run());
  EXPECT_EQ(read_error(good), "(no error)");
  EXPECT_NE(read_error("").find("empty file"), std::string::npos);
  // Truncated: the footer is gone.
  const std::string cut = good.substr(0, good.rfind('\n', good.size() - 2) + 1);
  EXPECT_NE(read_error(cut).find("truncated"), std::string::npos) << read_error(cut);
  // Cut mid-line.
  EXPECT_NE(read_error(good.substr(0, good.size() / 2)).find("t:"), std::string::npos);
  // Not JSON.
  EXPECT_NE(read_error("garbage\n").find("t:1: not a JSON object"), std::string::npos);
  // Wrong version.
  std::string v2 = good;
  v2.replace(v2.find("\"format\":1"), 10, "\"format\":2");
  EXPECT_NE(read_error(v2).find("format 2 is not supported"), std::string::npos) << read_error(v2);
  // An event edited by hand no longer matches its hash.
  std::string edited = good;
  const auto at = edited.find("\"kind\":\"sent\"");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 13, "\"kind\":\"received\"");
  EXPECT_NE(read_error(edited).find("running hash"), std::string::npos) << read_error(edited);
  // An unknown event kind.
  std::string unknown = good;
  unknown.replace(unknown.find("\"kind\":\"sent\""), 13, "\"kind\":\"teleported\"");
  EXPECT_NE(read_error(unknown).find("unknown event kind 'teleported'"), std::string::npos);
  // A field of the wrong type.
  std::string typed = good;
  typed.replace(typed.find("\"seed\":3"), 8, "\"seed\":\"3\"");
  EXPECT_NE(read_error(typed).find("field 'seed' has the wrong type"), std::string::npos);
  // Lines after the footer.
  EXPECT_NE(read_error(good + good).find("after the footer"), std::string::npos);
}

TEST(Trace, RefusesAnInvalidFaultPlan) {
  std::string text = text_of(record_run(
      {.scenario = "taskpool", .params = {{"jobs", 5}, {"crash_probability", 0.5}}, .seed = 1}));
  const auto at = text.find("\"probability\":0.5");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "\"probability\":7.5");
  EXPECT_NE(read_error(text).find("invalid fault"), std::string::npos) << read_error(text);
}

}  // namespace
}  // namespace troupe::sim
