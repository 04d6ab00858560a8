// Events due at one instant are scheduling choices: two arrivals at 1 ms can
// overlap, and every choice among two or more candidates is recorded, so a
// replay takes the same path and a tape that does not fit is a divergence.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

/// Two requests arrive at 1 ms; each goes front -> back. The log says
/// whether the second request reached the front before the first reached
/// the back (the two cascades overlapped).
struct TwoArrivals {
  std::vector<std::string> log;

  bool overlapped() const { return log.size() == 4 && log[0] == "front" && log[1] == "front"; }

  SimResult run(SimSettings settings) {
    Simulation sim{std::move(settings)};
    auto back = sim.system()
                    .spawn("back", Props<int>::from_function(
                                       [this](Context<int>&, int&) { log.push_back("back"); }))
                    .value();
    auto front = sim.system()
                     .spawn("front", Props<int>::from_function([this, back](Context<int>&, int& m) {
                              log.push_back("front");
                              (void)back.tell(m);
                            }))
                     .value();
    for (int i = 0; i < 2; ++i) sim.scheduler().after(1ms, [front, i] { (void)front.tell(i); });
    return sim.run();
  }
};

TEST(SameInstant, TwoArrivalsAtOneInstantOverlapUnderRandomButNotUnderFifo) {
  int overlapped = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    TwoArrivals fifo;
    fifo.run({.seed = seed, .strategy = Strategy::fifo});
    EXPECT_FALSE(fifo.overlapped()) << seed;
    TwoArrivals random;
    const auto r = random.run({.seed = seed, .strategy = Strategy::random});
    EXPECT_EQ(r.outcome, Outcome::completed);
    overlapped += random.overlapped() ? 1 : 0;
  }
  // Whether the second arrival fires before the first one's back: 1 in 2
  // when the front is handled first (roughly a quarter to a half overall).
  EXPECT_GT(overlapped, 20);
  EXPECT_LT(overlapped, 180);
}

TEST(SameInstant, PctAlsoInterleavesArrivals) {
  int overlapped = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    TwoArrivals pct;
    pct.run({.seed = seed, .strategy = Strategy::pct, .pct = {.depth = 2, .expected_steps = 8}});
    overlapped += pct.overlapped() ? 1 : 0;
  }
  EXPECT_GT(overlapped, 0);
}

TEST(ChoiceTape, AReplayTakesTheRecordedChoicesWhateverItsOwnStrategy) {
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    DecisionTape recorded;
    TwoArrivals original;
    const auto a = original.run({.seed = seed, .strategy = Strategy::random, .tape = &recorded});
    // The replay's own strategy is fifo: the tape's choices override it.
    DecisionTape replay = DecisionTape::replaying(recorded.streams());
    TwoArrivals again;
    const auto b = again.run({.seed = seed, .strategy = Strategy::fifo, .tape = &replay});
    EXPECT_EQ(a.hash, b.hash) << seed;
    EXPECT_EQ(original.log, again.log) << seed;
    EXPECT_FALSE(replay.exhausted()) << seed;
  }
}

TEST(ChoiceTape, ARecordedChoiceOutsideTheCandidatesIsADivergenceNotACrash) {
  DecisionTape::Streams streams;
  streams[kChoiceStream] = {7, 7, 7, 7, 7, 7, 7, 7};
  DecisionTape replay = DecisionTape::replaying(streams);
  TwoArrivals run;
  const auto r = run.run({.seed = 1, .strategy = Strategy::random, .tape = &replay});
  EXPECT_EQ(r.outcome, Outcome::completed);
  ASSERT_TRUE(replay.exhausted());
  EXPECT_NE(replay.exhausted()->what.find("not among the"), std::string::npos);
}

TEST(ChoiceTape, TheDecisionLogCountsCandidatesAndPreemptions) {
  Simulation sim{{.seed = 3, .strategy = Strategy::random, .log_decisions = true}};
  auto sink =
      sim.system().spawn("s", Props<int>::from_function([](Context<int>&, int&) {})).value();
  for (int i = 0; i < 20; ++i) sim.scheduler().after(1ms, [sink, i] { (void)sink.tell(i); });
  sim.run();
  const auto& log = sim.scheduler().decisions();
  ASSERT_FALSE(log.empty());
  std::uint64_t preemptions = 0;
  for (const auto& d : log) {
    EXPECT_GE(d.candidates, 2u);
    EXPECT_LT(d.chosen, d.candidates);
    preemptions += d.chosen != 0 ? 1 : 0;
  }
  EXPECT_EQ(preemptions, sim.scheduler().preemptions());
  EXPECT_GT(preemptions, 0u);
}

TEST(ChoiceTape, ABurstOfTimersAtOneInstantAllFireAndStayInDueOrderUnderFifo) {
  Simulation sim{{.strategy = Strategy::fifo}};
  std::vector<int> order;
  for (int i = 0; i < 1000; ++i) sim.scheduler().after(1ms, [&order, i] { order.push_back(i); });
  sim.run();
  ASSERT_EQ(order.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
}

}  // namespace
}  // namespace troupe::sim
