// The actor API at its edges, on both schedulers with the same actor code:
// each test is a case an outside attacker found where work was lost, a
// message was misreported, or an innocent actor failed. The longest
// backoff, a per-actor shutdown timeout with timers pending, an ask whose
// request cannot be made or sent, an offer into a drop_oldest mailbox, an
// unstash after drop_oldest removed a timer's message, a request dropped
// for room or stopped in a stash, a throwing message adapter, and a
// subscription racing its subscriber's stop. Every test ends balanced.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/testing/test_support.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class ApiEdges : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override {
    sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5),
                                    SystemSettings{.events = &log_});
  }
  void TearDown() override {
    if (!sys_) return;
    (void)sys_->shutdown(10s);
    EXPECT_TRUE(sys_->stats().balanced()) << "after shutdown";
    sys_.reset();
  }
  System& sys() { return *sys_; }
  std::uint64_t dead(DeadLetterReason r) { return sys_->stats().dead_letters(r); }
  /// Lets time pass: real time on threads, virtual time in the simulator.
  void let_pass(Duration d) {
    if (GetParam() == On::threads) {
      std::this_thread::sleep_for(d);
    } else {
      (void)sys_->await_quiescence(d);
    }
  }

  EventLog log_;
  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, ApiEdges, testing::both_schedulers(), testing::scheduler_name);

// --- the longest backoff --------------------------------------------------------

TEST_P(ApiEdges, ABackoffOfDurationMaxNeverRestartsInsteadOfRestartingAtOnce) {
  std::atomic<int> instances{0}, handled{0};
  class Failing : public Actor<int> {
   public:
    Failing(std::atomic<int>* instances, std::atomic<int>* handled) : handled_(handled) {
      ++*instances;
    }
    void receive(Context<int>&, int& m) override {
      if (m == 0) throw std::runtime_error("fail");
      ++*handled_;
    }

   private:
    std::atomic<int>* handled_;
  };
  auto ref = sys()
                 .spawn("c", Props<int>::of<Failing>(&instances, &handled)
                                 .backoff({.min = Duration::max(), .max = Duration::max()}))
                 .value();
  ASSERT_EQ(ref.tell(0), SendResult::accepted);
  ASSERT_EQ(ref.tell(1), SendResult::accepted);  // waits behind the restart
  let_pass(100ms);
  EXPECT_EQ(instances.load(), 1) << "a restart after the longest backoff is never due";
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(log_.events(EventKind::restarted).size(), 0u);
  const auto report = sys().shutdown(50ms);
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(report.abandoned, 1u) << "the message that waited is a counted dead letter";
  EXPECT_TRUE(sys().stats().balanced());
}

// --- a per-actor shutdown timeout ---------------------------------------------------

TEST_P(ApiEdges, AnActorPastItsShutdownTimeoutIsStoppedWithItsTimersAndChildren) {
  // The actor and its child each hold a timer for an hour; the actor's own
  // shutdown timeout is 50 ms, the system's deadline an hour.
  class Holder : public Actor<int> {
   public:
    explicit Holder(bool with_child) : with_child_(with_child) {}
    void pre_start(Context<int>& ctx) override {
      (void)ctx.schedule_once(1h, 1);
      ctx.start_single_timer("later", 1h, 2);
      if (with_child_) (void)ctx.spawn("child", Props<int>::of<Holder>(false)).value();
    }
    void receive(Context<int>&, int&) override {}

   private:
    bool with_child_;
  };
  (void)sys().spawn("holder", Props<int>::of<Holder>(true).shutdown_timeout(50ms)).value();
  (void)sys().spawn("patient", Props<int>::from_function([](Context<int>&, int&) {})).value();
  ASSERT_TRUE(testing::eventually(sys(), [&] { return sys().stats().scheduled == 4; }));
  const TimePoint start = sys().now();
  const auto report = sys().shutdown(1h);
  EXPECT_LT(sys().now() - start, 30s) << "the timers held the shutdown past the actor's timeout";
  EXPECT_TRUE(report.deadline_met);
  EXPECT_EQ(dead(DeadLetterReason::timer_cancelled), 4u) << "each held message is counted";
  const auto shutdowns = log_.events(EventKind::shutdown);
  EXPECT_EQ(std::count_if(shutdowns.begin(), shutdowns.end(),
                          [](const RecordedEvent& e) { return e.detail == "timeout"; }),
            1);
  EXPECT_TRUE(sys().stats().balanced());
}

// --- an ask that never left ------------------------------------------------------------

struct Request {
  int n;
  ReplyTo<int> reply_to;
};
struct Quit {};
struct Hold {
  int n;
  ReplyTo<int> reply_to;
};
struct Release {};
using Server = std::variant<Request, Quit, Hold, Release>;

/// Squares requests; stashes Holds until Release; stops on Quit.
class Squarer : public Actor<Server> {
 public:
  explicit Squarer(std::atomic<int>* instances = nullptr) {
    if (instances != nullptr) ++*instances;
  }
  void receive(Context<Server>& ctx, Server& m) override {
    if (auto* r = std::get_if<Request>(&m)) {
      (void)r->reply_to.tell(r->n * r->n);
    } else if (std::holds_alternative<Quit>(m)) {
      ctx.stop();
    } else if (std::holds_alternative<Hold>(m)) {
      (void)ctx.stash();
    } else if (std::holds_alternative<Release>(m)) {
      (void)ctx.unstash_all();
    }
  }
};

TEST_P(ApiEdges, AnAskWhoseRequestCannotBeMadeIsWithdrawnAndCountsNothing) {
  auto server = sys().spawn("server", Props<Server>::of<Squarer>()).value();
  for (const Duration timeout : {Duration::max(), Duration(1h)}) {
    EXPECT_THROW(
        (void)ask<int>(
            server,
            [](ReplyTo<int>) -> Server { throw std::runtime_error("cannot make the request"); },
            timeout),
        std::runtime_error);
  }
  EXPECT_EQ(sys().stats().queued, 0u) << "no outcome is pending for an ask that never left";
  EXPECT_TRUE(sys().await_quiescence(1s)) << "nothing holds the system";
  EXPECT_TRUE(sys().stats().balanced());
  // The server is untouched and answers the next ask.
  auto r = ask<int>(
               server,
               [](ReplyTo<int> to) {
                 return Request{3, to};
               },
               10s)
               .get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), 9);
}

struct AskEmpty {};
struct AskThrowing {};
struct Outcome {
  bool ok;
};
using Asker = std::variant<AskEmpty, AskThrowing, Outcome>;

TEST_P(ApiEdges, AnAskFromAnActorToAnEmptyRefOrWithAThrowingFactoryLeavesNothingPending) {
  std::atomic<int> outcomes{0}, caught{0};
  auto server = sys().spawn("server", Props<Server>::of<Squarer>()).value();
  auto asker =
      sys()
          .spawn("asker", Props<Asker>::from_function([&, server](Context<Asker>& ctx, Asker& m) {
                   auto on_outcome = [](AskResult<int> r) { return Asker{Outcome{r.ok()}}; };
                   if (std::holds_alternative<AskEmpty>(m)) {
                     ActorRef<Server> nobody;
                     try {
                       ctx.ask<int>(
                           nobody,
                           [](ReplyTo<int> to) {
                             return Server{Request{2, to}};
                           },
                           Duration::max(), on_outcome);
                     } catch (const std::logic_error&) {
                       ++caught;
                     }
                   } else if (std::holds_alternative<AskThrowing>(m)) {
                     try {
                       ctx.ask<int>(
                           server,
                           [](ReplyTo<int>) -> Server { throw std::runtime_error("no request"); },
                           1h, on_outcome);
                     } catch (const std::runtime_error&) {
                       ++caught;
                     }
                   } else {
                     ++outcomes;
                   }
                 }))
          .value();
  ASSERT_EQ(asker.tell(AskEmpty{}), SendResult::accepted);
  ASSERT_EQ(asker.tell(AskThrowing{}), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(5s)) << "a withdrawn ask held the system";
  EXPECT_EQ(caught.load(), 2);
  EXPECT_EQ(outcomes.load(), 0) << "an ask that never left has no outcome";
  EXPECT_EQ(sys().stats().queued, 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

// --- requests dropped for room, or stopped in a stash ---------------------------------------

TEST_P(ApiEdges, ARequestDroppedForRoomEndsItsAskAsAMailboxFullDeadLetter) {
  // The server is busy in pre_start, so both messages wait: the second
  // drops the first (drop_oldest, capacity 1), which is the request.
  class SlowStart : public Squarer {
   public:
    void pre_start(Context<Server>& ctx) override { ctx.work(100ms); }
  };
  auto server = sys()
                    .spawn("server", Props<Server>::of<SlowStart>().mailbox(
                                         {.capacity = 1, .overflow = Overflow::drop_oldest}))
                    .value();
  auto pending = ask<int>(
      server,
      [](ReplyTo<int> to) {
        return Request{4, to};
      },
      1h);
  ASSERT_EQ(server.tell(Release{}), SendResult::accepted);
  const auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, AskErrorKind::dead_letter) << r.error().message;
  EXPECT_EQ(r.error().reason, DeadLetterReason::mailbox_full) << r.error().message;
  EXPECT_EQ(dead(DeadLetterReason::mailbox_full), 1u);
  ASSERT_TRUE(sys().await_quiescence(5s));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(ApiEdges, ARequestStashedWhenItsActorStopsEndsItsAskAsADeadLetterNotUnanswered) {
  auto server = sys().spawn("server", Props<Server>::of<Squarer>()).value();
  auto pending = ask<int>(
      server,
      [](ReplyTo<int> to) {
        return Hold{5, to};
      },
      1h);
  ASSERT_EQ(server.tell(Quit{}), SendResult::accepted);
  const auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, AskErrorKind::dead_letter) << r.error().message;
  EXPECT_EQ(r.error().reason, DeadLetterReason::actor_stopped) << r.error().message;
  ASSERT_TRUE(sys().await_quiescence(5s));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(ApiEdges, ARequestStashedWhenItsActorRestartsEndsItsAskAsStashDiscarded) {
  struct Boom {};
  using S = std::variant<Hold, Boom>;
  auto server = sys()
                    .spawn("server", Props<S>::from_function([](Context<S>& ctx, S& m) {
                                       if (std::holds_alternative<Boom>(m)) {
                                         throw std::runtime_error("boom");
                                       }
                                       (void)ctx.stash();
                                     }).stash({.on_restart = StashOnRestart::dead_letter}))
                    .value();
  auto pending = ask<int>(
      server,
      [](ReplyTo<int> to) {
        return S{Hold{6, to}};
      },
      1h);
  ASSERT_EQ(server.tell(Boom{}), SendResult::accepted);
  const auto r = pending.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, AskErrorKind::dead_letter) << r.error().message;
  EXPECT_EQ(r.error().reason, DeadLetterReason::stash_discarded) << r.error().message;
  ASSERT_TRUE(sys().await_quiescence(5s));
  EXPECT_EQ(dead(DeadLetterReason::stash_discarded), 1u);
  EXPECT_TRUE(sys().stats().balanced());
}

// --- offer into a drop_oldest mailbox -------------------------------------------------------

struct Job {
  int id;
};
struct Go {};
struct Room {};
using Producing = std::variant<Go, Room>;

/// Offers jobs [0, n) to `to`, going on when the notice says there is room.
class Producer : public Actor<Producing> {
 public:
  Producer(ActorRef<Job> to, int n, std::atomic<int>* full) : to_(to), n_(n), full_(full) {}
  void receive(Context<Producing>& ctx, Producing&) override {
    while (next_ < n_) {
      Job job{next_};
      const OfferResult r = ctx.offer(to_, job, Producing{Room{}});
      if (r == OfferResult::accepted) {
        ++next_;
      } else if (r == OfferResult::full) {
        ++*full_;
        return;  // the notice comes when there is room
      } else {
        ADD_FAILURE() << "unexpected offer result";
        return;
      }
    }
  }

 private:
  ActorRef<Job> to_;
  int n_;
  int next_ = 0;
  std::atomic<int>* full_;
};

TEST_P(ApiEdges, AnOfferIntoAFullDropOldestMailboxWaitsForRoomInsteadOfDroppingTheOldest) {
  std::mutex mu;
  std::multiset<int> taken;
  std::atomic<int> full{0};
  auto consumer =
      sys()
          .spawn("consumer", Props<Job>::from_function([&](Context<Job>& ctx, Job& j) {
                               ctx.work(2ms);
                               std::lock_guard lock(mu);
                               taken.insert(j.id);
                             }).mailbox({.capacity = 2, .overflow = Overflow::drop_oldest}))
          .value();
  auto producer =
      sys().spawn("producer", Props<Producing>::of<Producer>(consumer, 40, &full)).value();
  ASSERT_EQ(producer.tell(Go{}), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(30s));
  std::lock_guard lock(mu);
  EXPECT_EQ(taken.size(), 40u) << "an offer dropped what it made room for";
  for (int i = 0; i < 40; ++i) EXPECT_EQ(taken.count(i), 1u) << "job " << i;
  EXPECT_GT(full.load(), 0) << "the consumer's mailbox was full at least once";
  EXPECT_EQ(dead(DeadLetterReason::mailbox_full), 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

// --- unstash after drop_oldest removed a timer's message ---------------------------------

TEST_P(ApiEdges, AnUnstashedMessageIsHandledAfterDropOldestRemovedACancelledTimersMessage) {
  // 100 and 101 are stashed; 1 arms the named timer "t" (1 ms) and works
  // 10 ms, so its tick waits behind 3. Handling 3 cancels "t" (the tick is
  // now stale), unstashes 100 and 101 at the front, and sends itself 4 and
  // 5: with capacity 2 the tick is dropped for room. 100 and 101 must then
  // be handled, not taken for the dropped tick.
  constexpr int kTick = 2;
  std::mutex mu;
  std::multiset<int> handled;
  auto actor = sys()
                   .spawn("a", Props<int>::from_function([&, released = false](Context<int>& ctx,
                                                                               int& m) mutable {
                                 if (m >= 100 && !released) {
                                   (void)ctx.stash();
                                   return;
                                 }
                                 if (m == 1) {
                                   ctx.start_single_timer("t", 1ms, kTick);
                                   ctx.work(10ms);
                                   return;
                                 }
                                 if (m == 3) {
                                   released = true;
                                   (void)ctx.cancel_timer(std::string_view("t"));
                                   (void)ctx.unstash_all();
                                   (void)ctx.self().tell(4);
                                   (void)ctx.self().tell(5);
                                   return;
                                 }
                                 std::lock_guard lock(mu);
                                 handled.insert(m);
                               }).mailbox({.capacity = 2, .overflow = Overflow::drop_oldest}))
                   .value();
  for (int m : {100, 101}) ASSERT_EQ(actor.tell(m), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(10s));  // both stashed: the mailbox has room again
  for (int m : {1, 3}) ASSERT_EQ(actor.tell(m), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(10s));
  std::lock_guard lock(mu);
  for (int m : {100, 101, 4, 5}) EXPECT_EQ(handled.count(m), 1u) << "message " << m;
  // The tick was dropped for room (the usual order) or, had it come before
  // 3, handled; it is never what an unstashed message is taken for.
  EXPECT_EQ(handled.count(kTick) + dead(DeadLetterReason::mailbox_full), 1u);
  EXPECT_EQ(dead(DeadLetterReason::timer_cancelled), 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

// --- a throwing message adapter ------------------------------------------------------------

struct Adapted {
  int value;
};
struct Start {};
using Client = std::variant<Start, Adapted>;

TEST_P(ApiEdges, AThrowingAdapterIsTheAskersDeadLetterAndNeverFailsTheReplier) {
  std::atomic<int> server_instances{0};
  auto server = sys().spawn("server", Props<Server>::of<Squarer>(&server_instances)).value();
  auto client =
      sys()
          .spawn("client", Props<Client>::from_function([server](Context<Client>& ctx, Client& m) {
                   if (!std::holds_alternative<Start>(m)) return;
                   auto to = ctx.adapter<int>([](int v) -> Client {
                     if (v > 10) throw std::runtime_error("too big to adapt");
                     return Adapted{v};
                   });
                   (void)server.tell(Request{7, to});
                 }))
          .value();
  ASSERT_EQ(client.tell(Start{}), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(5s));
  EXPECT_EQ(server_instances.load(), 1) << "the replier was failed and restarted";
  EXPECT_EQ(log_.events(EventKind::failed).size(), 0u);
  EXPECT_EQ(dead(DeadLetterReason::handler_failed), 1u) << "the reply is a counted dead letter";
  EXPECT_TRUE(sys().stats().balanced());
}

// --- a subscription racing its subscriber's stop -------------------------------------------

struct Ping {
  int n;
};

TEST_P(ApiEdges, ASubscriptionRacingItsSubscribersStopNeverOutlivesIt) {
  if (GetParam() == On::simulator) GTEST_SKIP() << "a race between threads";
  for (int round = 0; round < 300; ++round) {
    std::string name = "s";
    name.append(std::to_string(round));
    auto sub = sys().spawn(name, Props<Ping>::from_function([](Context<Ping>&, Ping&) {})).value();
    std::thread stopper([&] { sys().stop(sub); });
    (void)sys().event_stream().subscribe<Ping>(sub);
    stopper.join();
  }
  ASSERT_TRUE(testing::eventually(
      sys(), [&] { return sys().event_stream().subscriptions() == 0; }, 5s))
      << sys().event_stream().subscriptions() << " subscriptions of stopped actors remain";
  EXPECT_TRUE(sys().stats().balanced());
}

}  // namespace
}  // namespace troupe
