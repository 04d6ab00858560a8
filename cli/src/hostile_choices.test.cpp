// Traces whose scheduling choices were edited (and resealed, as anyone can:
// the seal catches accidents, not forgery) fed to replay, shrink and show:
// never a crash, never "replay matches" for a run that did other things,
// and bad input is one line, exit 2.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "troupe/cli/troupe_cli.hpp"
#include "troupe/sim/replay.hpp"
#include "troupe/sim/streams.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::cli {
namespace {

struct Ran {
  int code;
  std::string out;
};

Ran troupe(std::vector<std::string> args) {
  args.insert(args.begin(), "troupe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  const int code = run_troupe(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  std::fflush(stderr);
  std::string out = testing::internal::GetCapturedStdout();
  out += testing::internal::GetCapturedStderr();
  return {code, out};
}

std::filesystem::path dir() {
  const auto d = std::filesystem::temp_directory_path() /
                 ("troupe-hostile-choices-" + std::to_string(::getpid()));
  std::filesystem::create_directories(d);
  return d;
}

/// A failing run of the same-instant race, with many scheduling choices.
sim::Trace failing_race() {
  for (std::uint64_t seed = 1; seed < 100; ++seed) {
    sim::Trace t = sim::record_run(
        {.scenario = "bug-same-instant", .seed = seed, .strategy = sim::Strategy::random});
    if (!t.footer.invariant.empty() && t.decisions.count(sim::kChoiceStream) != 0 &&
        t.decisions.at(sim::kChoiceStream).size() > 4) {
      return t;
    }
  }
  ADD_FAILURE() << "no failing seed";
  return {};
}

std::string written(const sim::Trace& t, const std::string& name) {
  const std::string path = (dir() / (name + ".trace.jsonl")).string();
  sim::write_trace_file(t, path);
  return path;
}

TEST(HostileChoices, EditedChoicesNeverReplayAsAMatchNorCrashShrinkOrShow) {
  const sim::Trace base = failing_race();
  const auto& choices = base.decisions.at(sim::kChoiceStream);
  const std::vector<std::pair<std::string, std::function<void(std::vector<std::uint64_t>&)>>>
      edits = {
          {"out-of-range", [](auto& c) { c[1] = 1000; }},
          {"huge", [](auto& c) { c[0] = std::numeric_limits<std::uint64_t>::max(); }},
          {"all-huge", [](auto& c) { std::fill(c.begin(), c.end(), std::uint64_t{1} << 63); }},
          {"truncated", [](auto& c) { c.resize(c.size() / 2); }},
          {"emptied", [](auto& c) { c.clear(); }},
          {"flipped", [](auto& c) { c[0] = c[0] == 0 ? 1 : 0; }},
      };
  for (const auto& [name, edit] : edits) {
    sim::Trace t = base;
    edit(t.decisions[sim::kChoiceStream]);
    ASSERT_NE(t.decisions[sim::kChoiceStream], choices) << name;
    const std::string file = written(t, name);
    const Ran replay = troupe({"replay", file});
    // A run that took other choices than the recording may still produce the
    // same events (an edit that happens not to matter); then it is a match.
    if (replay.code == 0) {
      EXPECT_NE(replay.out.find("replay matches the recording"), std::string::npos) << name;
      const sim::ReplayResult r = sim::replay_trace(t);
      EXPECT_TRUE(r.matches) << name;
      EXPECT_FALSE(r.tape_ran_out) << name;
    } else {
      EXPECT_EQ(replay.code, 1) << name << "\n" << replay.out;
      EXPECT_NE(replay.out.find("replay does NOT match"), std::string::npos) << name << replay.out;
    }
    const Ran shrink =
        troupe({"shrink", file, "-o", (dir() / (name + "-shrunk.trace.jsonl")).string()});
    if (replay.code == 0) {
      EXPECT_EQ(shrink.code, 0) << name << "\n" << shrink.out;
    } else {
      EXPECT_EQ(shrink.code, 2) << name << "\n" << shrink.out;
      EXPECT_NE(shrink.out.find("does not replay"), std::string::npos) << name << shrink.out;
    }
    const Ran show = troupe({"show", file});
    EXPECT_EQ(show.code, 0) << name << "\n" << show.out;
  }
}

TEST(HostileChoices, ATraceRecordedUnderEachStrategyReplaysAndItsStrategyHeaderIsKept) {
  for (const auto strategy : {sim::Strategy::fifo, sim::Strategy::random, sim::Strategy::pct,
                              sim::Strategy::guided, sim::Strategy::systematic}) {
    const sim::Trace t =
        sim::record_run({.scenario = "bug-order-2", .seed = 3, .strategy = strategy});
    const std::string file =
        written(t, std::string("strategy-") + std::string(to_string(strategy)));
    const Ran replay = troupe({"replay", file});
    EXPECT_EQ(replay.code, 0) << to_string(strategy) << "\n" << replay.out;
    EXPECT_EQ(sim::read_trace_file(file).header.strategy, strategy);
  }
}

}  // namespace
}  // namespace troupe::cli
