#include "troupe/sim/guided.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "troupe/sim/replay.hpp"
#include "troupe/sim/state_hash.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

// A combination lock: three senders each send their number to the lock a few
// times, all at one instant, so the order of arrival is the schedule's. The
// lock advances on the next number of its combination and starts over on any
// other; it opens (the planted bug) only when the whole combination arrives in
// a row. Random schedules rarely line up ten arrivals; with the lock's
// progress as its state, guidance keeps every schedule that got one further.
constexpr std::array<std::uint64_t, 10> kCombination{2, 0, 1, 1, 2, 0, 2, 1, 0, 1};
constexpr std::uint64_t kSenders = 3;
constexpr std::uint64_t kSendsEach = 8;

struct LockState {
  std::size_t progress = 0;
  bool opened = false;
};

Props<std::uint64_t> lock_props(std::shared_ptr<LockState> state) {
  return Props<std::uint64_t>::from_function([state](Context<std::uint64_t>&, std::uint64_t& n) {
    if (n == kCombination.at(state->progress)) {
      ++state->progress;
    } else {
      state->progress = n == kCombination.front() ? 1 : 0;
    }
    if (state->progress == kCombination.size()) {
      state->opened = true;
      state->progress = 0;
    }
  });
}

/// Sends its number to the lock, then asks itself to go on, kSendsEach times.
Props<std::uint64_t> sender_props(ActorRef<std::uint64_t> lock, std::uint64_t number,
                                  std::shared_ptr<std::uint64_t> delivered) {
  return Props<std::uint64_t>::from_function(
      [lock, number, delivered, left = kSendsEach](Context<std::uint64_t>& ctx,
                                                   std::uint64_t&) mutable {
        (void)lock.tell(number);
        ++*delivered;
        if (--left > 0) (void)ctx.self().tell(0);
      });
}

World build_lock(Stage& stage, const Params& params) {
  auto state = std::make_shared<LockState>();
  auto delivered = std::make_shared<std::uint64_t>(0);
  auto lock = stage.system().spawn("lock", lock_props(state)).value();
  std::vector<ActorRef<std::uint64_t>> senders;
  for (std::uint64_t i = 0; i < kSenders; ++i) {
    senders.push_back(stage.system()
                          .spawn(std::string("sender").append(std::to_string(i)),
                                 sender_props(lock, i, delivered))
                          .value());
  }
  stage.add(Workload{Arrivals::constant(1ms, 1), [senders](std::uint64_t) {
                       for (const auto& s : senders) (void)s.tell(0);
                       return SendResult::accepted;
                     }});
  World world;
  world.finished = [&stage, delivered] {
    return *delivered == kSenders * kSendsEach && stage.system().quiescent();
  };
  world.checks.push_back([state](const SystemStats&, const std::vector<RecordedEvent>&) {
    return state->opened ? std::optional<Violation>(Violation{"lock_opened", "lock", "combination"})
                         : std::nullopt;
  });
  const double hash = params.at("hash");
  if (hash == 1) world.state_hash = [state] { return std::uint64_t{state->progress}; };
  if (hash == 2) world.state_hash = [] { return std::uint64_t{42}; };
  if (hash == 3) {
    world.state_hash = []() -> std::uint64_t { throw std::runtime_error("no state today"); };
  }
  return world;
}

void register_lock() {
  static const bool done = [] {
    register_scenario(
        {.name = "test-combination-lock",
         .description = "opens only when three senders' numbers arrive in one order",
         .params = {{"hash", 1, 0, 3,
                     "state hash: 0 mailbox shapes, 1 the lock's progress, 2 constant, 3 throws",
                     false, true}},
         .faults = [](const Params&) { return FaultPlan{}; },
         .settings = [](const Params&) { return SimSettings{}; },
         .build = build_lock});
    return true;
  }();
  (void)done;
}

constexpr std::uint64_t kSeeds = 2000;

std::vector<std::uint64_t> seeds_from_1(std::uint64_t count) {
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t s = 1; s <= count; ++s) seeds.push_back(s);
  return seeds;
}

struct Tally {
  std::optional<std::uint64_t> first_failure;  // runs until it, counted from 1
  std::uint64_t failures = 0;
  std::vector<std::size_t> coverage;  // after each batch
};

Tally run_random(std::uint64_t seeds, double hash = 1) {
  register_lock();
  Tally t;
  for (std::uint64_t s = 1; s <= seeds; ++s) {
    const RunReport r = run_scenario({.scenario = "test-combination-lock",
                                      .params = {{"hash", hash}},
                                      .seed = s,
                                      .strategy = Strategy::random,
                                      .event_capacity = 0});
    if (!r.passed()) {
      ++t.failures;
      if (!t.first_failure) t.first_failure = s;
    }
  }
  return t;
}

Tally run_guided(std::uint64_t seeds, double hash = 1, GuidedSettings settings = {}) {
  register_lock();
  Tally t;
  GuidedExplorer explorer(settings);
  explorer.explore(seeds_from_1(seeds), [&](const auto& batch, const auto& choosers) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      RunSpec spec{.scenario = "test-combination-lock",
                   .params = {{"hash", hash}},
                   .seed = batch[i],
                   .event_capacity = 0};
      guide(spec, choosers[i]);
      if (!run_scenario(spec).passed()) {
        ++t.failures;
        if (!t.first_failure) t.first_failure = batch[i];
      }
    }
    t.coverage.push_back(explorer.coverage());
  });
  return t;
}

std::string tally_text(const Tally& t) {
  return (t.first_failure ? "first failure at run " + std::to_string(*t.first_failure)
                          : std::string("no failure")) +
         ", " + std::to_string(t.failures) + " failures";
}

TEST(Guided, FindsACombinationLockInFewerRunsThanRandom) {
  const Tally random = run_random(kSeeds);
  const Tally guided = run_guided(kSeeds);
  std::printf("over %llu seeds: random %s; guided %s\n", static_cast<unsigned long long>(kSeeds),
              tally_text(random).c_str(), tally_text(guided).c_str());
  ASSERT_TRUE(guided.first_failure.has_value());
  if (random.first_failure) {
    EXPECT_LT(*guided.first_failure, *random.first_failure);
  }
  EXPECT_GT(guided.failures, 2 * random.failures);
}

TEST(Guided, CoverageNeverShrinks) {
  for (const double hash : {0.0, 1.0}) {
    const Tally t = run_guided(400, hash);
    ASSERT_FALSE(t.coverage.empty());
    for (std::size_t i = 1; i < t.coverage.size(); ++i) {
      EXPECT_LE(t.coverage[i - 1], t.coverage[i]) << "batch " << i;
    }
    EXPECT_GT(t.coverage.back(), t.coverage.front()) << "hash " << hash;
  }
}

TEST(Guided, TheSameSeedsGiveTheSameResult) {
  const Tally a = run_guided(300, 0);
  const Tally b = run_guided(300, 0);
  EXPECT_EQ(a.first_failure, b.first_failure);
  EXPECT_EQ(a.failures, b.failures);
  EXPECT_EQ(a.coverage, b.coverage);
}

TEST(Guided, TheOrderOfRunsInABatchDoesNotChangeTheResult) {
  // What --jobs changes: the order in which a batch's runs finish.
  register_lock();
  std::vector<std::uint64_t> hashes_in_order, hashes_reversed;
  for (const bool reversed : {false, true}) {
    GuidedExplorer explorer;
    auto& hashes = reversed ? hashes_reversed : hashes_in_order;
    hashes.resize(200);
    explorer.explore(seeds_from_1(200), [&](const auto& batch, const auto& choosers) {
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const std::size_t i = reversed ? batch.size() - 1 - k : k;
        RunSpec spec{.scenario = "test-combination-lock",
                     .params = {{"hash", 0}},
                     .seed = batch[i],
                     .event_capacity = 0};
        guide(spec, choosers[i]);
        hashes.at(batch[i] - 1) = run_scenario(spec).result.hash;
      }
    });
  }
  EXPECT_EQ(hashes_in_order, hashes_reversed);
}

TEST(Guided, AnEmptyCorpusChoosesAsRandomDoes) {
  register_lock();
  const GuidedExplorer explorer;
  RunSpec guided{.scenario = "test-combination-lock", .seed = 7};
  guide(guided, explorer.plan(7));
  const RunReport g = run_scenario(guided);
  const RunReport r =
      run_scenario({.scenario = "test-combination-lock", .seed = 7, .strategy = Strategy::random});
  EXPECT_EQ(g.result.hash, r.result.hash);
}

TEST(Guided, AFailingRunReplaysFromItsTrace) {
  register_lock();
  GuidedExplorer explorer;
  std::optional<Trace> failing;
  explorer.explore(seeds_from_1(kSeeds), [&](const auto& batch, const auto& choosers) {
    for (std::size_t i = 0; i < batch.size() && !failing; ++i) {
      RunSpec spec{.scenario = "test-combination-lock", .seed = batch[i]};
      guide(spec, choosers[i]);
      Trace trace = record_run(spec);
      if (!trace.footer.invariant.empty()) failing = std::move(trace);
    }
  });
  ASSERT_TRUE(failing.has_value());
  EXPECT_EQ(failing->header.strategy, Strategy::guided);
  std::stringstream text;
  write_trace(*failing, text);
  const Trace reread = read_trace(text);
  const ReplayResult replay = replay_trace(reread);
  EXPECT_TRUE(replay.matches) << replay.outcome;
  EXPECT_EQ(replay.outcome, "fail: lock_opened lock");
}

TEST(Guided, AConstantStateHashStillExploresAndEnds) {
  const Tally t = run_guided(200, 2);
  // One state, so at most one key per candidate (the senders, the lock and
  // the arrival timer): a corpus of a few runs.
  EXPECT_LE(t.coverage.back(), kSenders + 2);
  EXPECT_EQ(t.coverage.size(), 200 / GuidedSettings{}.batch);
}

TEST(Guided, AStateHashThatThrowsIsAClearError) {
  register_lock();
  GuidedExplorer explorer;
  RunSpec spec{.scenario = "test-combination-lock", .params = {{"hash", 3}}, .seed = 1};
  guide(spec, explorer.plan(1));
  try {
    run_scenario(spec);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "guided exploration: the scenario's state hash threw: no state today");
  }
}

TEST(Guided, RefusesSettingsOfZero) {
  EXPECT_THROW(GuidedExplorer(GuidedSettings{.batch = 0}), std::invalid_argument);
  EXPECT_THROW(GuidedExplorer(GuidedSettings{.max_plan = 0}), std::invalid_argument);
}

TEST(Guided, KeepsTheCorpusWithinItsLimit) {
  GuidedSettings tiny{.max_corpus = 2, .max_coverage = 5};
  const Tally t = run_guided(200, 0, tiny);
  EXPECT_LE(t.coverage.back(), 5u);
}

TEST(StateHash, BucketsQueuesAndIgnoresSpawnOrder) {
  EXPECT_EQ(queue_bucket(0), 0u);
  EXPECT_EQ(queue_bucket(1), 1u);
  EXPECT_EQ(queue_bucket(3), 2u);
  EXPECT_EQ(queue_bucket(4), 3u);
  EXPECT_EQ(queue_bucket(1000), 3u);
  const auto idle = Props<int>::from_function([](Context<int>&, int&) {});
  Simulation ab, ba;
  ab.system().spawn("a", idle).value();
  ab.system().spawn("b", idle).value();
  ba.system().spawn("b", idle).value();
  auto a = ba.system().spawn("a", idle).value();
  EXPECT_EQ(mailbox_shape_hash(ab.system()), mailbox_shape_hash(ba.system()));
  (void)a.tell(1);
  EXPECT_NE(mailbox_shape_hash(ab.system()), mailbox_shape_hash(ba.system()));
}

}  // namespace
}  // namespace troupe::sim
