// Backpressure between actors (Context::offer) on both schedulers, with the
// same actor code: a fast producer into a slow consumer and into a pool
// loses nothing; a consumer that stops ends the wait (the retries are
// counted dead letters); a producer that stops leaves no wait behind; the
// limit on waiters answers `busy`; a shutdown in the middle balances; many
// producers under churn deliver everything; and a simulated run repeats.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/testing/both_schedulers.hpp"
#include "troupe/testing/test_support.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::eventually;
using testing::On;

struct Job {
  int id = 0;
};

/// The producer's protocol: go, the notice that there is room, a retry
/// after `busy`. The token shows whether a wait still holds its notice.
struct Go {};
struct Room {
  std::shared_ptr<int> token;
};
struct Retry {};
using P = std::variant<Go, Room, Retry>;

/// What consumers took and producers saw, shared with the test.
struct Tally {
  std::mutex mu;
  std::multiset<int> taken;
  std::atomic<int> full{0}, busy{0}, refused{0}, notices{0}, producers_done{0};
  void take(int id) {
    std::lock_guard lock(mu);
    taken.insert(id);
  }
  std::size_t count() {
    std::lock_guard lock(mu);
    return taken.size();
  }
  /// Every id in [first, first + n) exactly once.
  bool exactly(int first, int n) {
    std::lock_guard lock(mu);
    if (taken.size() != static_cast<std::size_t>(n)) return false;
    for (int i = first; i < first + n; ++i) {
      if (taken.count(i) != 1) return false;
    }
    return true;
  }
};

/// A slow consumer: `work` per job; stops itself at job `stop_at` (if >= 0).
Props<Job> consumer(Tally* tally, std::size_t capacity, Duration work, int stop_at = -1,
                    std::size_t max_waiters = 64) {
  return Props<Job>::from_function([=](Context<Job>& ctx, Job& job) {
           ctx.work(work);
           tally->take(job.id);
           if (job.id == stop_at) ctx.stop();
         })
      .mailbox({.capacity = capacity, .max_room_waiters = max_waiters});
}

/// Sends jobs [first, first + n) to `To` (an ActorRef or a Pool) with offer:
/// stops sending when full, resumes on the notice, retries after `busy`.
template <class To>
class Producer : public Actor<P> {
 public:
  Producer(To to, Tally* tally, int first, int n, std::shared_ptr<int> token = nullptr)
      : to_(std::move(to)),
        tally_(tally),
        next_(first),
        end_(first + n),
        token_(std::move(token)) {}
  void receive(Context<P>& ctx, P& m) override {
    if (std::holds_alternative<Room>(m)) ++tally_->notices;
    while (next_ < end_) {
      Job job{next_};
      const OfferResult r = ctx.offer(to_, job, P{Room{token_}});
      if (r == OfferResult::full) {
        ++tally_->full;
        return;  // the job stays here; Room comes back
      }
      if (r == OfferResult::busy) {
        ++tally_->busy;
        (void)ctx.schedule_once(1ms, P{Retry{}});
        return;
      }
      if (r == OfferResult::refused) ++tally_->refused;  // a counted dead letter
      ++next_;
    }
    if (!done_) ++tally_->producers_done;
    done_ = true;
  }

 private:
  To to_;
  Tally* tally_;
  int next_, end_;
  std::shared_ptr<int> token_;
  bool done_ = false;
};

template <class To>
Props<P> producer(To to, Tally* tally, int first, int n, std::shared_ptr<int> token = nullptr) {
  return Props<P>([=] { return std::make_unique<Producer<To>>(to, tally, first, n, token); });
}

class BackpressureOnBoth : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5)); }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }
  void settle() { ASSERT_TRUE(sys().await_quiescence(30s)); }
  bool threads() const { return GetParam() == On::threads; }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, BackpressureOnBoth, testing::both_schedulers(),
                         testing::scheduler_name);

TEST_P(BackpressureOnBoth, AFastProducerIntoASlowConsumerOfCapacityFourDeliversEveryJob) {
  Tally tally;
  auto sink = sys().spawn("sink", consumer(&tally, 4, 100us)).value();
  auto source = sys().spawn("source", producer(sink, &tally, 0, 500)).value();
  (void)source.tell(Go{});
  settle();
  EXPECT_TRUE(tally.exactly(0, 500));
  EXPECT_EQ(tally.producers_done.load(), 1);
  EXPECT_GT(tally.full.load(), 0) << "the consumer never pushed back";
  EXPECT_EQ(tally.notices.load(), tally.full.load()) << "one notice per wait";
  const auto stats = sys().stats();
  EXPECT_EQ(stats.dead_letters(), 0U);
  EXPECT_TRUE(stats.balanced());
  sys().shutdown(5s);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(BackpressureOnBoth, APoolOfThreeWorkersOfCapacityTwoTakesEveryJobWithoutDeadLetters) {
  Tally tally;
  auto pool =
      Pool<Job>::spawn(sys(), "workers", consumer(&tally, 2, 100us), {.min = 3, .max = 3}).value();
  auto source = sys().spawn("source", producer(pool, &tally, 0, 500)).value();
  (void)source.tell(Go{});
  settle();
  EXPECT_TRUE(tally.exactly(0, 500));
  EXPECT_GT(tally.full.load(), 0);
  EXPECT_EQ(sys().stats().dead_letters(), 0U);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(BackpressureOnBoth, AConsumerThatStopsEndsTheWaitAndEveryJobIsTakenOrACountedDeadLetter) {
  Tally tally;
  auto sink = sys().spawn("sink", consumer(&tally, 4, 200us, /*stop_at=*/40)).value();
  auto source = sys().spawn("source", producer(sink, &tally, 0, 200)).value();
  (void)source.tell(Go{});
  settle();
  EXPECT_EQ(tally.producers_done.load(), 1) << "the producer still waits for a stopped consumer";
  EXPECT_GT(tally.refused.load(), 0);
  const auto stats = sys().stats();
  // Taken, or dropped from the stopped mailbox, or refused at the retry.
  EXPECT_EQ(tally.count() + stats.dead_letters(DeadLetterReason::actor_stopped), 200U);
  EXPECT_EQ(tally.count(), 41U);
  EXPECT_TRUE(stats.balanced());
}

TEST_P(BackpressureOnBoth, AProducerThatStopsWhileWaitingLeavesNoWaitBehind) {
  Tally tally;
  auto token = std::make_shared<int>(0);
  auto sink = sys().spawn("sink", consumer(&tally, 2, 5ms)).value();
  auto source = sys().spawn("source", producer(sink, &tally, 0, 100, token)).value();
  (void)source.tell(Go{});
  ASSERT_TRUE(eventually(sys(), [&] { return tally.full.load() > 0; }));
  // The test, the factory, the instance and the waiting notice.
  EXPECT_EQ(token.use_count(), 4);
  sys().stop(source);
  settle();
  EXPECT_FALSE(source.alive());
  EXPECT_EQ(tally.producers_done.load(), 0);
  // The consumer took what it had (no notice to a stopped actor crashed it)
  // and dropped the wait: nothing holds the notice any more.
  EXPECT_TRUE(sink.alive());
  EXPECT_GE(tally.count(), 2U);
  EXPECT_EQ(token.use_count(), 2) << "a wait outlived its producer (the factory keeps one)";
  EXPECT_EQ(sys().stats().dead_letters(), 0U);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(BackpressureOnBoth, ProducersPastTheLimitOfWaitersAreToldBusyAndStillDeliverEverything) {
  Tally tally;
  auto sink = sys().spawn("sink", consumer(&tally, 1, 200us, -1, /*max_waiters=*/2)).value();
  std::vector<ActorRef<P>> producers;
  for (int i = 0; i < 6; ++i) {
    std::string name = "p";
    name.append(std::to_string(i));
    producers.push_back(sys().spawn(name, producer(sink, &tally, i * 30, 30)).value());
  }
  for (auto& p : producers) (void)p.tell(Go{});
  settle();
  EXPECT_GT(tally.busy.load(), 0) << "six producers never exceeded two waiters";
  EXPECT_TRUE(tally.exactly(0, 180));
  EXPECT_EQ(tally.producers_done.load(), 6);
  EXPECT_EQ(sys().stats().dead_letters(), 0U);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(BackpressureOnBoth, AShutdownWhileProducersWaitReturnsAndBalances) {
  Tally tally;
  auto pool =
      Pool<Job>::spawn(sys(), "workers", consumer(&tally, 2, 2ms), {.min = 2, .max = 2}).value();
  for (int i = 0; i < 3; ++i) {
    std::string name = "p";
    name.append(std::to_string(i));
    (void)sys().spawn(name, producer(pool, &tally, i * 1000, 1000)).value().tell(Go{});
  }
  ASSERT_TRUE(eventually(sys(), [&] { return tally.full.load() >= 3 && tally.count() > 5; }));
  const ShutdownReport report = sys().shutdown(50ms);
  (void)report;
  const auto stats = sys().stats();
  EXPECT_TRUE(stats.balanced());
  EXPECT_LT(tally.count(), 3000U);  // the producers held the rest: never sent
  // Every job a producer handed over is accounted for: taken, or a
  // shutdown_abandoned dead letter (a handler past the deadline may finish later).
  EXPECT_GE(stats.sent, tally.count() + 3);  // the jobs and the three Go
}

TEST_P(BackpressureOnBoth, ManyProducersUnderChurnDeliverEveryJobOfThoseThatStayed) {
  Tally tally;
  Tally churned;
  auto pool =
      Pool<Job>::spawn(sys(), "workers", consumer(&tally, 2, 50us), {.min = 2, .max = 2}).value();
  std::vector<ActorRef<P>> steady;
  for (int i = 0; i < 4; ++i) {
    std::string name = "steady";
    name.append(std::to_string(i));
    steady.push_back(sys().spawn(name, producer(pool, &tally, i * 200, 200)).value());
  }
  for (auto& p : steady) (void)p.tell(Go{});
  // Producers that come and go while the steady ones wait: their jobs may be
  // taken or never sent, and their waits must not disturb anyone.
  for (int round = 0; round < 10; ++round) {
    std::string name = "churn";
    name.append(std::to_string(round));
    auto p = sys().spawn(name, producer(pool, &churned, 10000 + round * 50, 50)).value();
    (void)p.tell(Go{});
    if (round % 2 == 0) sys().stop(p);
  }
  settle();
  EXPECT_EQ(tally.producers_done.load(), 4);
  const auto stats = sys().stats();
  // Only the Go of a churner stopped before it began: no job is a dead letter.
  EXPECT_LE(stats.dead_letters(), 5U);
  EXPECT_EQ(stats.dead_letters(), stats.dead_letters(DeadLetterReason::actor_stopped));
  EXPECT_TRUE(stats.balanced());
  // Every steady job exactly once (the churners' ids are apart from them).
  std::lock_guard lock(tally.mu);
  for (int i = 0; i < 800; ++i) EXPECT_EQ(tally.taken.count(i), 1U) << i;
}

TEST_P(BackpressureOnBoth, OfferToABroadcastPoolIsALogicErrorNotACrash) {
  Tally tally;
  auto pool = Pool<Job>::spawn(sys(), "all", consumer(&tally, 2, 0us),
                               {.min = 2, .max = 2, .routing = Routing::broadcast})
                  .value();
  std::atomic<int> threw{0};
  auto p = sys()
               .spawn("p", Props<P>::from_function([&](Context<P>& ctx, P&) {
                        Job job{1};
                        try {
                          (void)ctx.offer(pool, job, P{Room{}});
                        } catch (const std::logic_error&) {
                          ++threw;
                        }
                      }))
               .value();
  (void)p.tell(Go{});
  settle();
  EXPECT_EQ(threw.load(), 1);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST(BackpressureSettings, AZeroOrHugeLimitOfWaitersIsRejectedNamingTheField) {
  try {
    validate(MailboxSettings{.max_room_waiters = 0});
    FAIL() << "accepted 0";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("max_room_waiters"), std::string::npos);
  }
  EXPECT_THROW(validate(MailboxSettings{.max_room_waiters = kMaxRoomWaiters + 1}),
               std::invalid_argument);
}

/// The pool pipeline in the simulator: its hash.
std::uint64_t simulated_pipeline(std::uint64_t seed) {
  sim::Simulation sim{{.seed = seed, .service_time = sim::ServiceTime::uniform(1ms, 3ms)}};
  Tally tally;
  auto pool = Pool<Job>::spawn(sim.system(), "workers", consumer(&tally, 2, 0us),
                               {.min = 3, .max = 3, .routing = Routing::random})
                  .value();
  auto source = sim.system().spawn("source", producer(pool, &tally, 0, 300)).value();
  (void)source.tell(Go{});
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, sim::Outcome::completed) << r.reason;
  EXPECT_TRUE(tally.exactly(0, 300));
  sim.system().shutdown(1s);
  const auto end = sim.result();
  EXPECT_TRUE(end.stats.balanced());
  EXPECT_EQ(end.stats.dead_letters(), 0U);
  return end.hash;
}

TEST(BackpressureInTheSimulator, TheSameSeedGivesTheSameRunHash) {
  const std::uint64_t first = simulated_pipeline(11);
  EXPECT_EQ(first, simulated_pipeline(11));
  EXPECT_NE(first, simulated_pipeline(12));
}

}  // namespace
}  // namespace troupe
