// Edges of Context::work and of same-instant timers, on both schedulers
// where the behaviour is shared: work in pre_start and post_stop, a shutdown
// whose deadline falls inside declared work, thousands of timers at one
// instant cancelled and re-armed from their own callbacks.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::On;

class WorkEdges : public ::testing::TestWithParam<On> {};

TEST_P(WorkEdges, WorkInPreStartAndPostStopHoldsTheirSendsAndLosesNothing) {
  System system{testing::make_scheduler(GetParam(), 11)};
  std::atomic<int> got{0};
  auto sink =
      system.spawn("sink", Props<int>::from_function([&](Context<int>&, int&) { ++got; })).value();
  struct Busy : Actor<int> {
    ActorRef<int> sink;
    explicit Busy(ActorRef<int> s) : sink(std::move(s)) {}
    void pre_start(Context<int>& ctx) override {
      ctx.work(5ms);
      (void)sink.tell(1);
    }
    void receive(Context<int>& ctx, int&) override { ctx.stop(); }
    void post_stop(Context<int>& ctx) override {
      ctx.work(5ms);
      (void)sink.tell(2);
    }
  };
  auto busy = system.spawn("busy", Props<int>::of<Busy>(sink)).value();
  (void)busy.tell(0);
  ASSERT_TRUE(system.await_quiescence(10s));
  EXPECT_EQ(got.load(), 2);
  const auto stats = system.stats();
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_TRUE(system.shutdown(5s).deadline_met);
}

TEST_P(WorkEdges, AShutdownDeadlineInsideDeclaredWorkLeavesNothingUnaccounted) {
  System system{testing::make_scheduler(GetParam(), 12)};
  auto sink = system.spawn("sink", Props<int>::from_function([](Context<int>&, int&) {})).value();
  auto worker = system
                    .spawn("worker", Props<int>::from_function([sink](Context<int>& ctx, int& m) {
                             ctx.work(300ms);
                             (void)sink.tell(m);
                           }))
                    .value();
  (void)worker.tell(1);
  const ShutdownReport report = system.shutdown(50ms);
  const auto stats = system.stats();
  EXPECT_TRUE(stats.balanced()) << "sent " << stats.sent << " processed " << stats.processed
                                << " dead " << stats.dead_letters() << " queued " << stats.queued;
  // After shutdown a held send is either delivered (and then a dead letter,
  // or processed) or abandoned: it does not stay queued for ever.
  EXPECT_EQ(stats.queued, 0u) << "deadline_met " << report.deadline_met << " abandoned "
                              << report.abandoned;
}

INSTANTIATE_TEST_SUITE_P(Engine, WorkEdges, testing::both_schedulers(), testing::scheduler_name);

TEST(SameInstantTimers, ThousandsCancelledAndReArmedFromTheirCallbacksFireAtMostOnce) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    sim::SimScheduler s{{.seed = seed, .strategy = sim::Strategy::random}};
    constexpr int kTimers = 3000;
    std::vector<TimerId> ids(kTimers);
    std::vector<int> fired(kTimers, 0);
    std::vector<bool> cancelled(kTimers, false);
    int rearmed_fired = 0;
    for (int i = 0; i < kTimers; ++i) {
      ids[i] = s.after(1ms, [&, i] {
        ++fired[i];
        // Cancel a later one (it may be among this step's candidates) and
        // arm one at this very instant.
        const int victim = (i * 7 + 13) % kTimers;
        if (s.cancel(ids[victim])) cancelled[victim] = true;
        s.after(Duration::zero(), [&] { ++rearmed_fired; });
        s.after(Duration::max(), [] { FAIL() << "a timer at the end of time fired"; });
      });
    }
    while (s.step()) {
      if (s.now() > TimePoint(1h)) break;
    }
    int fired_total = 0;
    for (int i = 0; i < kTimers; ++i) {
      EXPECT_LE(fired[i], 1) << i;
      EXPECT_FALSE(fired[i] == 1 && cancelled[i]) << i;
      EXPECT_TRUE(fired[i] == 1 || cancelled[i]) << i;
      fired_total += fired[i];
    }
    EXPECT_EQ(rearmed_fired, fired_total);
    EXPECT_EQ(s.now(), TimePoint(1ms));
  }
}

}  // namespace
}  // namespace troupe

namespace troupe {
namespace {

TEST(EndOfTime, AnEndlessServiceTimeDoesNotMakeTimersAtTheEndOfTimeFire) {
  auto sim = std::make_unique<sim::SimScheduler>(
      sim::SimSettings{.seed = 1,
                       .service_time = sim::ServiceTime::per_message(
                           [](const ResumableInfo& a, const PendingMessage&, sim::Prng&) {
                             return a.path == "/slow" ? Duration::max() : Duration::zero();
                           })});
  System system{std::move(sim)};
  std::atomic<int> never{0};
  struct Waiter : Actor<int> {
    std::atomic<int>* never;
    explicit Waiter(std::atomic<int>* n) : never(n) {}
    void pre_start(Context<int>& ctx) override { ctx.schedule_once(Duration::max(), 1); }
    void receive(Context<int>&, int&) override { ++*never; }
  };
  auto waiter = system.spawn("waiter", Props<int>::of<Waiter>(&never)).value();
  (void)waiter;
  auto slow = system.spawn("slow", Props<int>::from_function([](Context<int>&, int&) {})).value();
  (void)slow.tell(1);
  EXPECT_FALSE(system.await_quiescence(1h));
  const ShutdownReport report = system.shutdown(Duration::max());
  EXPECT_EQ(never.load(), 0) << "now " << system.now().time_since_epoch().count();
  EXPECT_TRUE(system.stats().balanced());
  (void)report;
}

}  // namespace
}  // namespace troupe

namespace troupe {
namespace {

/// A ring of actors forwarding a token with declared work and service time,
/// with restarts thrown in: every send ends processed or a counted dead letter.
/// Returns the ring, which the caller clears after shutdown: a stopped
/// actor's cell keeps its Props (and so these refs) alive, a cycle otherwise.
std::shared_ptr<std::vector<ActorRef<int>>> ring_with_work(System& system, int actors, int hops) {
  std::vector<ActorRef<int>> ring(actors);
  auto next = std::make_shared<std::vector<ActorRef<int>>>();
  for (int i = 0; i < actors; ++i) {
    ring[i] = system
                  .spawn(std::string("a").append(std::to_string(i)),
                         Props<int>::from_function([next, i, actors](Context<int>& ctx, int& m) {
                           if (m <= 0) return;
                           ctx.work(Duration((m * 7919 + i) % 3) * 1'000'000);
                           if (m % 17 == 0) {
                             (void)(*next)[(i + 1) % actors].tell(m - 1);
                             throw std::runtime_error("planted");  // restart, token moved on
                           }
                           (void)(*next)[(i + 1) % actors].tell(m - 1);
                           if (m % 5 == 0) (void)(*next)[(i + 2) % actors].tell(m / 5);
                         }))
                  .value();
  }
  *next = ring;
  for (int i = 0; i < actors; ++i) (void)ring[i].tell(hops);
  return next;
}

TEST(ManyActors, DeclaredWorkServiceTimeAndRestartsKeepTheConservationLaw) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    System system{std::make_unique<sim::SimScheduler>(
        sim::SimSettings{.seed = seed,
                         .strategy = seed % 2 == 0 ? sim::Strategy::random : sim::Strategy::pct,
                         .service_time = sim::ServiceTime::uniform(0ms, 2ms)})};
    const auto ring = ring_with_work(system, 40, 30);
    ASSERT_TRUE(system.await_quiescence(1h)) << "seed " << seed;
    const auto stats = system.stats();
    EXPECT_TRUE(stats.balanced()) << "seed " << seed;
    EXPECT_EQ(stats.queued, 0u) << "seed " << seed;
    EXPECT_TRUE(system.shutdown(10s).deadline_met);
    ring->clear();
  }
}

}  // namespace
}  // namespace troupe
