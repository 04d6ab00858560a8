#include "troupe/sim/sim_scheduler.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

TimePoint at(Duration d) {
  return TimePoint{} + d;
}

TEST(SimScheduler, TimersFireInDueOrderWithTiesInInsertionOrder) {
  SimScheduler s;
  std::vector<std::string> order;
  s.after(20ms, [&] { order.push_back("b@20"); });
  s.after(10ms, [&] { order.push_back("a@10"); });
  s.after(20ms, [&] { order.push_back("c@20"); });
  const auto cancelled = s.after(15ms, [&] { order.push_back("never"); });
  EXPECT_TRUE(s.cancel(cancelled));
  while (s.step()) {
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a@10", "b@20", "c@20"}));
  EXPECT_EQ(s.now(), at(20ms));  // the clock jumped from timer to timer
}

// The engine keeps 0 for "no timer" (an ask's timeout, a cell's timers): a
// first timer numbered 0 was never cancelled and kept its system alive.
TEST(SimScheduler, NeverIssuesTimerIdZeroWhichTheEngineReadsAsNoTimer) {
  SimScheduler s;
  const TimerId first = s.after(1ms, [] {});
  EXPECT_NE(first, TimerId{0});
  EXPECT_TRUE(s.cancel(first));
  EXPECT_FALSE(s.cancel(TimerId{0}));
}

TEST(SimScheduler, ACancelFromAnotherThreadTouchesNothingAndIsCountedAsForeign) {
  SimScheduler s;
  int fired = 0;
  const TimerId id = s.after(1s, [&] { ++fired; });
  bool cancelled = true;
  std::thread other([&] { cancelled = s.cancel(id); });
  other.join();
  EXPECT_FALSE(cancelled);
  EXPECT_EQ(s.foreign_calls(), 1u);
  EXPECT_EQ(s.first_foreign_call(), "cancel timer " + std::to_string(id));
  while (s.step()) {
  }
  EXPECT_EQ(fired, 1) << "the timer was left alone";
  EXPECT_TRUE(s.cancel(s.after(1s, [&] { ++fired; })));  // the owner's cancel still works
}

TEST(SimScheduler, WaitUntilStopsTheClockExactlyAtTheDeadline) {
  SimScheduler s;
  s.after(1s, [] {});
  EXPECT_FALSE(s.wait_until([] { return false; }, at(300ms)));
  EXPECT_EQ(s.now(), at(300ms));
}

TEST(SimScheduler, RejectsInvalidSettingsClearly) {
  SimSettings pct{.strategy = Strategy::pct, .pct = {.depth = 0}};
  EXPECT_THROW(SimScheduler{pct}, std::invalid_argument);
  EXPECT_THROW(SimScheduler{SimSettings{.max_steps = 0}}, std::invalid_argument);
  EXPECT_THROW(ServiceTime::fixed(-1ms), std::invalid_argument);
  EXPECT_THROW(ServiceTime::uniform(5ms, 1ms), std::invalid_argument);
  EXPECT_EQ(parse_strategy("pct"), Strategy::pct);
  EXPECT_EQ(parse_strategy("lifo"), std::nullopt);
}

/// Records (actor, virtual time) for each message handled.
struct Timeline {
  std::vector<std::pair<std::string, Duration>> entries;
  Props<int> props(std::string kind = {}) {
    return Props<int>::from_function([this](Context<int>& ctx, int&) {
             entries.emplace_back(ctx.name(), ctx.now().time_since_epoch());
           })
        .kind(std::move(kind));
  }
};

TEST(SimScheduler, ServiceTimeKeepsAnActorBusyWhileOthersRun) {
  Timeline t;
  Simulation sim{{.service_time = ServiceTime::per_kind({{"slow", ServiceTime::fixed(10ms)}},
                                                        ServiceTime::zero())}};
  auto slow = sim.system().spawn("slow", t.props("slow")).value();
  auto fast = sim.system().spawn("fast", t.props()).value();
  for (int i = 0; i < 3; ++i) {
    (void)slow.tell(i);
    (void)fast.tell(i);
  }
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  std::vector<Duration> slow_times, fast_times;
  for (const auto& [name, time] : t.entries) {
    (name == "slow" ? slow_times : fast_times).push_back(time);
  }
  // Each handler runs when its message's service time ends.
  EXPECT_EQ(slow_times, (std::vector<Duration>{10ms, 20ms, 30ms}));
  EXPECT_EQ(fast_times, (std::vector<Duration>{0ms, 0ms, 0ms}));
}

TEST(SimScheduler, FifoRunsActorsInTheOrderTheyBecameRunnable) {
  Timeline t;
  Simulation sim{{.strategy = Strategy::fifo}};
  std::vector<ActorRef<int>> refs;
  for (int i = 0; i < 4; ++i)
    refs.push_back(
        sim.system().spawn(std::string("a").append(std::to_string(i)), t.props()).value());
  sim.run();
  for (int i = 3; i >= 0; --i) (void)refs[static_cast<std::size_t>(i)].tell(0);
  sim.run();
  std::vector<std::string> names;
  for (const auto& e : t.entries) names.push_back(e.first);
  EXPECT_EQ(names, (std::vector<std::string>{"a3", "a2", "a1", "a0"}));
}

/// Eight senders each send 20 messages to a shared sink; the sink's arrival
/// order is the schedule.
std::vector<int> interleaving(Strategy strategy, std::uint64_t seed) {
  std::vector<int> order;
  Simulation sim{{.seed = seed, .strategy = strategy}};
  auto sink =
      sim.system()
          .spawn("sink",
                 Props<int>::from_function([&](Context<int>&, int& v) { order.push_back(v); }))
          .value();
  std::vector<ActorRef<int>> senders;
  for (int s = 0; s < 8; ++s) {
    senders.push_back(sim.system()
                          .spawn(std::string("s").append(std::to_string(s)),
                                 Props<int>::from_function([sink, s](Context<int>& ctx, int& n) {
                                   (void)sink.tell(s);
                                   if (n > 1) (void)ctx.self().tell(n - 1);
                                 }))
                          .value());
  }
  for (auto& s : senders) (void)s.tell(20);
  EXPECT_EQ(sim.run().outcome, Outcome::completed);
  return order;
}

TEST(SimScheduler, RandomAndPctSchedulesDependOnTheSeedAndOnlyOnIt) {
  for (const auto strategy : {Strategy::random, Strategy::pct}) {
    EXPECT_EQ(interleaving(strategy, 1), interleaving(strategy, 1)) << to_string(strategy);
    EXPECT_NE(interleaving(strategy, 1), interleaving(strategy, 2)) << to_string(strategy);
  }
}

TEST(SimScheduler, PctRunsTheHighestPriorityActorUntilAChangePoint) {
  // With depth 1 there are no change points: one sender runs all its
  // messages before any other gets a turn, unlike random scheduling.
  SimSettings settings{.seed = 5, .strategy = Strategy::pct, .pct = {.depth = 1}};
  std::vector<int> order;
  Simulation sim{settings};
  auto sink =
      sim.system()
          .spawn("sink",
                 Props<int>::from_function([&](Context<int>&, int& v) { order.push_back(v); }))
          .value();
  auto a = sim.system()
               .spawn("a", Props<int>::from_function([sink](Context<int>& ctx, int& n) {
                        (void)sink.tell(1);
                        if (n > 1) (void)ctx.self().tell(n - 1);
                      }))
               .value();
  auto b = sim.system()
               .spawn("b", Props<int>::from_function([sink](Context<int>& ctx, int& n) {
                        (void)sink.tell(2);
                        if (n > 1) (void)ctx.self().tell(n - 1);
                      }))
               .value();
  (void)a.tell(10);
  (void)b.tell(10);
  sim.run();
  ASSERT_EQ(order.size(), 20u);
  int switches = 0;
  for (std::size_t i = 1; i < order.size(); ++i) switches += order[i] != order[i - 1] ? 1 : 0;
  EXPECT_LE(switches, 1);
}

TEST(SimScheduler, InjectedCrashHitsTheNamedActorOnItsKthMessage) {
  FaultPlan plan;
  plan.crash_on_message("/w", 3);
  Simulation sim{{}, plan};
  int handled = 0;
  auto w = sim.system()
               .spawn("w", Props<int>::from_function([&](Context<int>&, int&) { ++handled; }))
               .value();
  for (int i = 0; i < 5; ++i) (void)w.tell(i);
  const auto r = sim.run();
  EXPECT_EQ(handled, 4);
  EXPECT_EQ(r.faults, 1u);
  EXPECT_EQ(r.stats.dead_letters(DeadLetterReason::handler_failed), 1u);
  std::vector<std::string> failures;
  for (const auto& e : sim.recorder().events()) {
    if (e.kind == EventKind::failed) failures.push_back(e.path + "#" + std::to_string(e.value));
  }
  EXPECT_EQ(failures, std::vector<std::string>{"/w#3"});
}

TEST(SimScheduler, ARestartAfterBackoffHappensAtExactlyFailurePlusBackoff) {
  FaultPlan plan;
  plan.crash_on_message("/w", 2);
  Simulation sim{{.service_time = ServiceTime::fixed(7ms)}, plan};
  auto w = sim.system()
               .spawn("w", Props<int>::from_function([](Context<int>&, int&) {
                           }).backoff({.min = 100ms, .max = 1s}))
               .value();
  (void)w.tell(1);
  (void)w.tell(2);
  (void)w.tell(3);
  sim.run();
  TimePoint failed_at{}, restarted_at{};
  for (const auto& e : sim.recorder().events()) {
    if (e.kind == EventKind::failed) failed_at = e.time;
    if (e.kind == EventKind::restarted) restarted_at = e.time;
  }
  // Message 2's service starts when message 1's ends; it fails at its end.
  EXPECT_EQ(failed_at, at(14ms));
  EXPECT_EQ(restarted_at, failed_at + 100ms);
}

TEST(SimScheduler, RandomCrashesAreDrawnFromTheSeed) {
  auto run = [](std::uint64_t seed) {
    FaultPlan plan;
    plan.crash_with_probability(0.2);
    Simulation sim{{.seed = seed}, plan};
    auto w = sim.system()
                 .spawn("w", Props<int>::from_function([](Context<int>&, int&) {
                             }).restart({.max_restarts = 1000, .within = 1s}))
                 .value();
    for (int i = 0; i < 200; ++i) (void)w.tell(i);
    return sim.run();
  };
  const auto a = run(11), b = run(11), c = run(12);
  EXPECT_EQ(a.faults, b.faults);
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_NE(a.hash, c.hash);
  EXPECT_GT(a.faults, 20u);
  EXPECT_LT(a.faults, 70u);
  EXPECT_TRUE(a.stats.balanced());
}

TEST(SimScheduler, StallsDelaysAndSlowdownsShiftVirtualTime) {
  Timeline t;
  FaultPlan plan;
  plan.stall("/a", at(0ms), 50ms).slow("/b", 3.0);
  Simulation sim{{.service_time = ServiceTime::fixed(10ms)}, plan};
  auto a = sim.system().spawn("a", t.props()).value();
  auto b = sim.system().spawn("b", t.props()).value();
  (void)a.tell(1);
  (void)b.tell(1);
  (void)b.tell(2);
  sim.run();
  // b: 10 ms slowed 3 times per message; a: stalled until 50 ms, then 10 ms.
  std::vector<std::pair<std::string, Duration>> expected{{"b", 30ms}, {"b", 60ms}, {"a", 60ms}};
  EXPECT_EQ(t.entries, expected);
}

TEST(SimScheduler, AFaultNamingAnUnknownActorIsAClearError) {
  FaultPlan plan;
  plan.crash_on_message("/nobody", 1);
  Simulation sim{{}, plan};
  sim.system().spawn("somebody", Props<int>::from_function([](Context<int>&, int&) {})).value();
  try {
    sim.run();
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/nobody"), std::string::npos);
  }
  EXPECT_THROW(plan.crash_on_message("relative", 1), std::invalid_argument);
  EXPECT_THROW(plan.crash_with_probability(1.5), std::invalid_argument);
  EXPECT_THROW(plan.delay_deliveries(0.5, -1ms), std::invalid_argument);
  EXPECT_THROW(plan.slow("/x", 0.5), std::invalid_argument);
}

// A stopping actor leaves its parent's table in its last activation: when
// nobody else holds it, that activation frees it, and the simulator must not
// look at it afterwards (this crashed, or was a use-after-free under ASan).
TEST(SimScheduler, ActorsFreedInTheirLastActivationAreNotTouchedAfterIt) {
  for (const auto strategy : {Strategy::fifo, Strategy::random, Strategy::pct}) {
    Simulation sim{{.seed = 3, .strategy = strategy}, {}, 0};
    std::uint64_t handled = 0;
    const auto props = Props<int>::from_function([&](Context<int>& ctx, int& v) {
      ++handled;
      if (v == 3) ctx.stop();
    });
    for (int i = 0; i < 300; ++i) {
      auto ref = sim.system().spawn(std::string("a").append(std::to_string(i)), props).value();
      for (int m = 1; m <= 4; ++m) (void)ref.tell(m);
    }  // the refs are gone: the table holds the actors, and then nobody
    EXPECT_TRUE(sim.system().await_quiescence(10s));
    EXPECT_EQ(handled, 300u * 3) << "each handles 1..3, stops, and 4 is a dead letter";
    const auto stats = sim.system().stats();
    EXPECT_EQ(stats.dead_letters(), 300u);
    EXPECT_TRUE(stats.balanced());
    EXPECT_TRUE(sim.system().shutdown(10s).deadline_met);
  }
}

TEST(SimScheduler, AShutdownDeadlineAbandonsExactlyWhatTheClockImplies) {
  // 10 ms per message, each handled when its service ends: by the 95 ms
  // deadline the handlers of 10..90 ms ran (nine); the tenth's service would
  // end at 100 ms, so it is abandoned with the 90 behind it.
  Simulation sim{{.service_time = ServiceTime::fixed(10ms)}};
  auto w = sim.system().spawn("w", Props<int>::from_function([](Context<int>&, int&) {})).value();
  for (int i = 0; i < 100; ++i) (void)w.tell(i);
  const auto report = sim.system().shutdown(95ms);
  EXPECT_FALSE(report.deadline_met);
  // The abandoned tenth is the message the actor is busy with: it takes the
  // stop when that service ends.
  EXPECT_EQ(report.elapsed, Duration(100ms));
  EXPECT_EQ(report.drained, 9u);
  EXPECT_EQ(report.abandoned, 91u);
  EXPECT_EQ(sim.system().stats().dead_letters(DeadLetterReason::shutdown_abandoned), 91u);
  EXPECT_TRUE(sim.system().stats().balanced());
}

TEST(FaultPlan, SwarmKeepsARandomSubsetOfKindsPerSeed) {
  FaultPlan all;
  all.crash_on_message("/a", 1).crash_with_probability(0.1).delay_deliveries(0.1, 1ms);
  all.stall("/a", TimePoint{}, 1ms).slow("/a", 2.0);
  auto kinds = [&](std::uint64_t seed) {
    Prng p{seed};
    const FaultPlan s = all.swarm(p);
    return std::vector<bool>{!s.crashes().empty(), !s.random_crashes().empty(), !s.delays().empty(),
                             !s.stalls().empty(), !s.slowdowns().empty()};
  };
  EXPECT_EQ(kinds(1), kinds(1));
  std::set<std::vector<bool>> subsets;
  for (std::uint64_t seed = 0; seed < 64; ++seed) subsets.insert(kinds(seed));
  EXPECT_GT(subsets.size(), 10u);  // many different mixes, not all or nothing
}

TEST(Simulation, RunUntilStopsAtATimeOrACondition) {
  Simulation sim;
  int handled = 0;
  auto w = sim.system()
               .spawn("w", Props<int>::from_function([&](Context<int>&, int&) { ++handled; }))
               .value();
  sim.add(Workload::to<int>(w, Arrivals::constant(10ms, 10), [](std::uint64_t) { return 0; }));
  sim.run_until(at(35ms));
  EXPECT_EQ(handled, 3);
  sim.run_until([&] { return handled == 7; });
  EXPECT_EQ(handled, 7);
  EXPECT_EQ(sim.scheduler().now(), at(70ms));
  const auto r = sim.run();
  EXPECT_EQ(handled, 10);
  EXPECT_EQ(r.events.size(), sim.recorder().events().size());
  EXPECT_EQ(sim.recorder().running_hashes().back(), r.hash);
}

TEST(Simulation, RunForMovesTheClockThroughIdleTime) {
  Simulation sim;
  int fired = 0;
  sim.scheduler().after(1s, [&] { ++fired; });
  for (int i = 0; i < 3; ++i) sim.run_for(300ms);  // idle stretches still pass
  EXPECT_EQ(sim.scheduler().now(), at(900ms));
  EXPECT_EQ(fired, 0);
  sim.run_for(300ms);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(sim.scheduler().now(), at(1200ms));
}

TEST(Simulation, RunForDurationMaxMeansUntilIdleNotAWrappedDeadline) {
  Simulation sim;
  int fired = 0;
  sim.scheduler().after(1s, [&] { ++fired; });
  sim.run_for(300ms);  // off the epoch, so now + Duration::max() would wrap
  const auto r = sim.run_for(Duration::max());
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(sim.scheduler().now(), at(1s));
}

TEST(SimScheduler, AServiceTimeBeyondTheClockKeepsTheActorBusyForever) {
  // 10^4 s slowed down 10^6 times is past the clock's range: the product
  // saturates (busy until the end of time), not wraps into the past.
  Timeline t;
  FaultPlan plan;
  plan.slow("/slow", 1e6);
  Simulation sim{{.service_time = ServiceTime::fixed(std::chrono::seconds(10000))}, plan};
  auto slow = sim.system().spawn("slow", t.props("slow")).value();
  (void)slow.tell(1);
  (void)slow.tell(2);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::budget_exceeded) << r.reason;
  EXPECT_TRUE(t.entries.empty());  // the first's service never ends
}

TEST(SimScheduler, ADurationMaxServiceTimeSaturates) {
  Timeline t;
  Simulation sim{{.service_time = ServiceTime::fixed(Duration::max())}};
  auto slow = sim.system().spawn("slow", t.props("slow")).value();
  (void)slow.tell(1);
  (void)slow.tell(2);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::budget_exceeded) << r.reason;
  EXPECT_TRUE(t.entries.empty());
}

TEST(SimScheduler, ALivelockEndsWithBudgetExceededNotAHang) {
  Simulation sim{{.max_steps = 10000}};
  auto spinner = sim.system()
                     .spawn("spinner", Props<int>::from_function([](Context<int>& ctx, int& v) {
                              (void)ctx.self().tell(v);
                            }))
                     .value();
  (void)spinner.tell(1);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::budget_exceeded);
  EXPECT_NE(r.reason.find("step budget"), std::string::npos);
  ASSERT_EQ(r.holders.size(), 1u);
  EXPECT_EQ(r.holders[0].path, "/spinner");
  // Shutdown still ends: the drain gives up after the budget, the rest is abandoned.
  const auto report = sim.system().shutdown(1s);
  EXPECT_FALSE(report.deadline_met);
  EXPECT_TRUE(sim.system().stats().balanced());
}

TEST(SimScheduler, AStallPastTheTimeBudgetEndsWithBudgetExceeded) {
  FaultPlan plan;
  plan.stall("/a", at(0ms), std::chrono::hours(1000));
  Simulation sim{{.max_time = std::chrono::hours(1)}, plan};
  auto a = sim.system().spawn("a", Props<int>::from_function([](Context<int>&, int&) {})).value();
  (void)a.tell(1);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::budget_exceeded);
  EXPECT_NE(r.reason.find("virtual time"), std::string::npos);
}

}  // namespace
}  // namespace troupe::sim
