// Traces: a recorded run round-trips through the file format, replays event
// for event, and a damaged file is refused with a message naming the problem.
#include "troupe/sim/trace.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "troupe/sim/replay.hpp"

namespace troupe::sim {
namespace {

// The header's format field as this build writes it.
std::string current_format() {
  return "\"format\":" + std::to_string(kTraceFormat);
}

Trace small_run(std::uint64_t seed = 3) {
  return record_run({.scenario = "taskpool", .params = {{"jobs", 30}}, .seed = seed});
}

/// The verbose encoding, one object per event: these tests edit fields by
/// name. trace_compact.test.cpp covers the compact one.
std::string text_of(const Trace& t) {
  std::ostringstream os;
  write_trace(t, os, TraceEncoding::verbose);
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

TEST(Trace, ATraceWithAnEmptyDecisionStreamReadsBack) {
  // The writer leaves an empty stream out of the file; the seal must agree.
  Trace t = small_run();
  t.decisions[99];  // an empty stream, as a tool editing a tape may leave
  std::istringstream in(text_of(t));
  const Trace back = read_trace(in);
  EXPECT_EQ(back.footer.hash, t.footer.hash);
  EXPECT_EQ(back.decisions.count(99), 0u);
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
  std::string v1 = good;
  v1.replace(v1.find(current_format()), current_format().size(), "\"format\":1");
  EXPECT_NE(read_error(v1).find("format 1 is not supported"), std::string::npos) << read_error(v1);
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
  EXPECT_NE(read_error(typed).find("field 'seed' has the wrong type"), std::string::npos)
      << read_error(typed);
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

/// `good` with the first `from` replaced by `to` (which must be there).
std::string edit(std::string good, const std::string& from, const std::string& to) {
  const auto at = good.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) good.replace(at, from.size(), to);
  return good;
}

/// The error for `text`, which must be exactly one line naming the trace.
std::string one_line_error(const std::string& text) {
  const std::string error = read_error(text);
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(error.rfind("t:", 0), 0u) << error;
  return error;
}

TEST(Trace, RefusesAnEditedHeaderFieldThroughTheSeal) {
  const Trace t = record_run(
      {.scenario = "taskpool", .params = {{"jobs", 5}, {"crash_probability", 0.5}}, .seed = 1});
  const std::string good = text_of(t);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"seed\":1", "\"seed\":2"},
           {"\"jobs\":5.0", "\"jobs\":6.0"},
           {"\"probability\":0.5", "\"probability\":0.25"},
           {"\"strategy\":\"random\"", "\"strategy\":\"fifo\""},
           {"\"swarm\":false", "\"swarm\":true"},
           {"\"values\":[", "\"values\":[1,"},
       }) {
    EXPECT_NE(one_line_error(edit(good, from, to)).find("seal does not match"), std::string::npos)
        << from << " -> " << to << ": " << read_error(edit(good, from, to));
  }
}

TEST(Trace, RefusesAnEditedFooterThroughTheSeal) {
  const std::string good = text_of(small_run());
  const std::string edited = edit(good, "\"outcome\":\"pass\"", "\"outcome\":\"fail: x\"");
  EXPECT_NE(one_line_error(edited).find("seal does not match"), std::string::npos);
  const std::string unsealed = edit(good, "\"seal\":", "\"sealed\":");
  EXPECT_NE(one_line_error(unsealed).find("missing field 'seal'"), std::string::npos);
}

TEST(Trace, RefusesNumbersOfTheWrongKindWithOneLineNamingTheField) {
  const std::string good = text_of(record_run(
      {.scenario = "taskpool", .params = {{"jobs", 5}, {"crash_probability", 0.5}}, .seed = 3}));
  struct Case {
    std::string from, to, expected;
  };
  for (const auto& c : std::vector<Case>{
           {"\"seed\":3", "\"seed\":1e20", "'seed' must be a whole number"},
           {"\"seed\":3", "\"seed\":3.0", "'seed' must be a whole number"},
           {"\"seed\":3", "\"seed\":-1", "'seed' must not be negative"},
           {"\"seed\":3", "\"seed\":true", "'seed' has the wrong type"},
           {current_format(), current_format() + ".5", "'format' must be a whole number"},
           {current_format(), "\"format\":99999999999", "'format' = 99999999999 is outside"},
           {"\"jobs\":5.0", "\"jobs\":\"5\"", "'params.jobs' has the wrong type"},
           {"\"stream\":2,", "\"stream\":-1,", "'stream' must not be negative"},
           {"\"values\":[", "\"values\":[1.5,", "'values' must be a whole number"},
           {"\"values\":[", "\"values\":[-7,", "'values' must not be negative"},
           {"\"t_ns\":0", "\"t_ns\":-5000000", "'t_ns' = -5000000 is outside"},
           {"\"t_ns\":0", "\"t_ns\":1e3", "'t_ns' must be a whole number"},
           {"\"actor\":1,", "\"actor\":-1,", "'actor' must not be negative"},
           {"\"value\":0", "\"value\":18446744073709551615", "'value' = 18446744073709551615"},
           {"\"events\":", "\"events\":-", "'events' must not be negative"},
       }) {
    EXPECT_NE(one_line_error(edit(good, c.from, c.to)).find(c.expected), std::string::npos)
        << c.to << ": " << read_error(edit(good, c.from, c.to));
  }
}

TEST(Trace, RefusesEventsWhoseTimeGoesBackwards) {
  const std::string good = text_of(small_run());
  // The last event moved before the first: the order check, not the hash, speaks.
  const auto footer = good.rfind("{\"actor\":\"\"");
  const auto last = good.rfind("\"t_ns\":", footer);
  const auto end = good.find(',', last);
  std::string edited = good;
  edited.replace(last, end - last, "\"t_ns\":0");
  EXPECT_NE(one_line_error(edited).find("before the previous event"), std::string::npos)
      << read_error(edited);
}

TEST(Trace, RefusesFaultValuesThatWouldOverflowTheVirtualClock) {
  Trace t = small_run();
  std::string good = text_of(t);
  const std::string no_faults = "\"faults\":{}";
  ASSERT_NE(good.find(no_faults), std::string::npos);
  for (
      const auto& [faults, expected] : std::vector<std::pair<std::string, std::string>>{
          {R"("faults":{"delay":[{"delay_ns":9223372036854775807,"probability":0.5}]})",
           "at most a year"},
          {R"("faults":{"delay":[{"delay_ns":-1,"probability":0.5}]})", "'delay_ns' = -1"},
          {R"("faults":{"stall":[{"at_ns":9223372036854775000,"duration_ns":9223372036854775000,"path":"/a"}]})",
           "at most a year"},
          {R"("faults":{"slow":[{"factor":1e308,"path_prefix":"/a"}]})", "at most 1e6"},
          {R"("faults":{"slow":[{"factor":1000,"path_prefix":"/a"},{"factor":1000,"path_prefix":"/a"},{"factor":1000,"path_prefix":"/a"}]})",
           "at most 1e6"},
          {R"("faults":{"crash_on_message":[{"message":2.5,"path":"/a"}]})",
           "'message' must be a whole number"},
          {R"("faults":{"crash_random":[{"probability":"x","path_prefix":"/a"}]})",
           "'probability' has the wrong type"},
          {R"("faults":{"delay":[7]})", "must be an object"},
      }) {
    EXPECT_NE(one_line_error(edit(good, no_faults, faults)).find(expected), std::string::npos)
        << faults << ": " << read_error(edit(good, no_faults, faults));
  }
}

TEST(FaultPlan, RefusesDelaysThatTogetherPassAYear) {
  FaultPlan plan;
  plan.delay_deliveries(0.5, kMaxFaultTime);
  EXPECT_THROW(plan.delay_deliveries(0.5, std::chrono::nanoseconds(1)), std::invalid_argument);
  EXPECT_THROW(plan.stall("/a", TimePoint{} + kMaxFaultTime, kMaxFaultTime + kMaxFaultTime),
               std::invalid_argument);
}

/// A stream that hands out `size` copies of `fill` and counts what was read.
class EndlessBuf : public std::streambuf {
 public:
  EndlessBuf(char fill, std::uint64_t size) : left_(size) {
    std::fill(std::begin(chunk_), std::end(chunk_), fill);
  }
  std::uint64_t consumed = 0;

 protected:
  int_type underflow() override {
    if (left_ == 0) return traits_type::eof();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left_, sizeof chunk_));
    left_ -= n;
    consumed += n;
    setg(chunk_, chunk_, chunk_ + n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  char chunk_[1 << 16];
  std::uint64_t left_;
};

TEST(Trace, RefusesAnOverlongLineAsItArrivesNotAfterReadingItWhole) {
  EndlessBuf zeros('\0', std::uint64_t{1} << 32);  // 4 GiB without a newline
  std::istream in(&zeros);
  try {
    read_trace(in, "zero");
    ADD_FAILURE() << "no error";
  } catch (const TraceError& e) {
    EXPECT_NE(std::string(e.what()).find("zero:1: line longer than the limit"), std::string::npos)
        << e.what();
  }
  // The reader takes 64 KiB at a time, and the buffer under it reads ahead.
  EXPECT_LE(zeros.consumed, kTraceMaxLineBytes + (1 << 18));
}

TEST(Trace, RefusesDeepNestingAndOverlongValueListsBeforeParsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']') + "\n";
  EXPECT_NE(one_line_error(deep).find("nested deeper"), std::string::npos) << read_error(deep);
  std::string wide = "[0";
  for (std::size_t i = 0; i < kTraceMaxValuesPerLine; ++i) wide += ",0";
  wide += "]\n";
  EXPECT_NE(one_line_error(wide).find("more values on one line"), std::string::npos);
  // Brackets inside strings are text, not nesting.
  const std::string quoted = "{\"type\":\"" + std::string(50, '[') + "\\\"\"}\n";
  EXPECT_NE(read_error(quoted).find("the first line must be the header"), std::string::npos)
      << read_error(quoted);
}

TEST(Trace, RefusesMoreDecisionsThanATraceHolds) {
  std::string text = text_of(small_run());
  const auto first_event = text.find("{\"actor\"");
  std::string line = "{\"stream\":1,\"type\":\"decisions\",\"values\":[1";
  for (int i = 1; i < 60000; ++i) line += ",1";
  line += "]}\n";
  std::string many;
  for (std::uint64_t n = 0; n <= DecisionTape::kMaxDecisions / 60000; ++n) many += line;
  text.insert(first_event, many);
  EXPECT_NE(one_line_error(text).find("more decisions than a trace holds"), std::string::npos);
}

}  // namespace
}  // namespace troupe::sim
