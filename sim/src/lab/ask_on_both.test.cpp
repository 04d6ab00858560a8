// Request and reply on both schedulers, with the same actor code: ask from
// outside (a handle) and from inside an actor (the outcome as a message),
// timeouts on the scheduler's clock, the callee's failure, dead letters,
// late replies, message adapters; and the conservation law after each.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

struct Square {
  int n;
  ReplyTo<int> reply_to;
};
struct Crash {
  ReplyTo<int> reply_to;
};
struct Slow {
  Duration work;
  int n;
  ReplyTo<int> reply_to;
};
struct Ignore {
  ReplyTo<int> reply_to;
};
struct Keep {
  ReplyTo<int> reply_to;
};
struct Flush {};
struct StopSelf {};
struct Busy {
  Duration work;
};
using Calc = std::variant<Square, Crash, Slow, Ignore, Keep, Flush, StopSelf, Busy>;

/// Replies, fails, works slowly, ignores, or keeps a request for later.
class Calculator : public Actor<Calc> {
 public:
  void receive(Context<Calc>& ctx, Calc& m) override {
    if (auto* s = std::get_if<Square>(&m)) {
      (void)s->reply_to.tell(s->n * s->n);
    } else if (std::holds_alternative<Crash>(m)) {
      throw std::runtime_error("boom: cannot square that");
    } else if (auto* slow = std::get_if<Slow>(&m)) {
      ctx.work(slow->work);
      (void)slow->reply_to.tell(slow->n * slow->n);
    } else if (auto* keep = std::get_if<Keep>(&m)) {
      kept_.push_back(keep->reply_to);
    } else if (std::holds_alternative<Flush>(m)) {
      for (auto& r : kept_) (void)r.tell(1);
      kept_.clear();
    } else if (std::holds_alternative<StopSelf>(m)) {
      ctx.stop();
    } else if (auto* busy = std::get_if<Busy>(&m)) {
      ctx.work(busy->work);
    }  // Ignore: the request and its ReplyTo go unanswered
  }

 private:
  std::vector<ReplyTo<int>> kept_;
};

class Ask : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override {
    sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 11));
    calc_ = sys_->spawn("calc", Props<Calc>::of<Calculator>()).value();
  }
  void TearDown() override {
    ASSERT_TRUE(sys_->await_quiescence(10s));
    EXPECT_TRUE(sys_->stats().balanced());
    (void)sys_->shutdown(10s);
    EXPECT_TRUE(sys_->stats().balanced());
    sys_.reset();
  }
  bool simulated() const { return GetParam() == On::simulator; }
  System& sys() { return *sys_; }

  std::unique_ptr<System> sys_;
  ActorRef<Calc> calc_;
};

INSTANTIATE_TEST_SUITE_P(Engine, Ask, testing::both_schedulers(), testing::scheduler_name);

TEST_P(Ask, GetsTheReply) {
  auto pending = ask<int>(
      calc_,
      [](ReplyTo<int> to) {
        return Square{7, to};
      },
      5s);
  AskResult<int> r = pending.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r.value(), 49);
  EXPECT_TRUE(pending.ready());
}

TEST_P(Ask, ASlowCalleeTimesOutOnTheSchedulersClockAndItsLateReplyIsCounted) {
  const TimePoint start = sys().now();
  AskResult<int> r = ask<int>(
                         calc_,
                         [](ReplyTo<int> to) {
                           return Slow{300ms, 3, to};
                         },
                         100ms)
                         .get();
  ASSERT_TRUE(r.is(AskErrorKind::timeout));
  EXPECT_NE(r.error().message.find("100 ms"), std::string::npos) << r.error().message;
  if (simulated()) {
    EXPECT_EQ(sys().now() - start, 100ms);  // virtual time, exactly
  }
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::late_reply), 1u);
}

TEST_P(Ask, ACalleeFailureEndsTheAskAtOnceWithTheFailuresText) {
  const TimePoint start = sys().now();
  AskResult<int> r = ask<int>(
                         calc_, [](ReplyTo<int> to) { return Crash{to}; }, 30s)
                         .get();
  ASSERT_TRUE(r.is(AskErrorKind::callee_failed)) << (r.ok() ? "ok" : r.error().message);
  EXPECT_NE(r.error().message.find("boom: cannot square that"), std::string::npos)
      << r.error().message;
  EXPECT_LT(sys().now() - start, 10s);  // not at the timeout
  // The callee restarted and still answers.
  EXPECT_EQ(ask<int>(
                calc_,
                [](ReplyTo<int> to) {
                  return Square{2, to};
                },
                5s)
                .get()
                .value(),
            4);
}

TEST_P(Ask, ARequestToAStoppedActorEndsAtOnceAsADeadLetter) {
  sys().stop(calc_);
  ASSERT_TRUE(sys().await_quiescence(10s));
  auto pending = ask<int>(
      calc_,
      [](ReplyTo<int> to) {
        return Square{1, to};
      },
      30s);
  EXPECT_TRUE(pending.ready());
  AskResult<int> r = pending.get();
  ASSERT_TRUE(r.is(AskErrorKind::dead_letter));
  EXPECT_EQ(r.error().reason, DeadLetterReason::actor_stopped);
}

TEST_P(Ask, ARequestLeftQueuedByAStoppingActorEndsAsADeadLetter) {
  (void)calc_.tell(Busy{50ms});
  (void)calc_.tell(StopSelf{});
  const TimePoint start = sys().now();
  AskResult<int> r = ask<int>(
                         calc_,
                         [](ReplyTo<int> to) {
                           return Square{1, to};
                         },
                         30s)
                         .get();
  ASSERT_TRUE(r.is(AskErrorKind::dead_letter)) << r.error().message;
  EXPECT_EQ(r.error().reason, DeadLetterReason::actor_stopped);
  EXPECT_LT(sys().now() - start, 10s);
}

TEST_P(Ask, ARequestDroppedWithoutAReplyEndsAtOnceAsUnanswered) {
  AskResult<int> r = ask<int>(
                         calc_, [](ReplyTo<int> to) { return Ignore{to}; }, 30s)
                         .get();
  EXPECT_TRUE(r.is(AskErrorKind::unanswered));
}

TEST_P(Ask, AReplyAfterTheTimeoutIsALateReplyDeadLetter) {
  AskResult<int> r = ask<int>(
                         calc_, [](ReplyTo<int> to) { return Keep{to}; }, 50ms)
                         .get();
  ASSERT_TRUE(r.is(AskErrorKind::timeout));
  (void)calc_.tell(Flush{});
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::late_reply), 1u);
}

TEST_P(Ask, ATimeoutMustBePositiveAndMaxMeansNone) {
  auto request = [](ReplyTo<int> to) { return Square{3, to}; };
  EXPECT_THROW((void)ask<int>(calc_, request, Duration::zero()), std::invalid_argument);
  EXPECT_THROW((void)ask<int>(calc_, request, -1s), std::invalid_argument);
  EXPECT_EQ(ask<int>(calc_, request, Duration::max()).get().value(), 9);
  // Without a timeout a kept request waits until it is answered.
  auto kept = ask<int>(
      calc_, [](ReplyTo<int> to) { return Keep{to}; }, Duration::max());
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_FALSE(kept.ready());
  (void)calc_.tell(Flush{});
  EXPECT_EQ(kept.get().value(), 1);
}

// An actor of protocol A (Client) asks an actor of protocol B (Calc).
struct Start {
  int n;
  Duration timeout;
};
struct Outcome {
  AskErrorKind kind;
  bool ok;
  int value;
};
struct GetInside {};
using ClientMsg = std::variant<Start, Outcome, int, GetInside>;

struct Seen {
  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::vector<int> adapted;
  std::string get_error;
};

class Client : public Actor<ClientMsg> {
 public:
  Client(ActorRef<Calc> calc, std::shared_ptr<Seen> seen)
      : calc_(std::move(calc)), seen_(std::move(seen)) {}
  void receive(Context<ClientMsg>& ctx, ClientMsg& m) override {
    std::lock_guard lock(seen_->mu);
    if (auto* start = std::get_if<Start>(&m)) {
      const int n = start->n;
      ctx.ask<int>(
          calc_,
          [n](ReplyTo<int> to) -> Calc {
            return Slow{n * 1ms, n, to};
          },
          start->timeout,
          [](AskResult<int> r) -> ClientMsg {
            return Outcome{r.ok() ? AskErrorKind::timeout : r.error().kind, r.ok(),
                           r.ok() ? r.value() : 0};
          });
      // And the same callee through an adapter: its int replies become ours.
      (void)calc_.tell(Square{n, ctx.adapter<int>([](int v) -> ClientMsg { return v; })});
    } else if (auto* outcome = std::get_if<Outcome>(&m)) {
      seen_->outcomes.push_back(*outcome);
    } else if (auto* v = std::get_if<int>(&m)) {
      seen_->adapted.push_back(*v);
    } else {
      try {
        (void)ask<int>(
            calc_,
            [](ReplyTo<int> to) {
              return Square{1, to};
            },
            1s)
            .get();
      } catch (const std::logic_error& e) {
        seen_->get_error = e.what();
      }
    }
  }

 private:
  ActorRef<Calc> calc_;
  std::shared_ptr<Seen> seen_;
};

TEST_P(Ask, FromInsideAnActorTheOutcomeArrivesAsItsOwnMessage) {
  auto seen = std::make_shared<Seen>();
  auto client = sys().spawn("client", Props<ClientMsg>::of<Client>(calc_, seen)).value();
  (void)client.tell(Start{5, 2s});      // answered after 5 ms of work
  (void)client.tell(Start{400, 50ms});  // works 400 ms: times out, its reply is late
  ASSERT_TRUE(sys().await_quiescence(10s));
  std::lock_guard lock(seen->mu);
  ASSERT_EQ(seen->outcomes.size(), 2u);
  int replies = 0;
  int timeouts = 0;
  for (const Outcome& o : seen->outcomes) {
    if (o.ok) {
      ++replies;
      EXPECT_EQ(o.value, 25);
    } else {
      ++timeouts;
      EXPECT_EQ(o.kind, AskErrorKind::timeout);
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(timeouts, 1);
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::late_reply), 1u);
  // The adapter delivered protocol B's replies as protocol A's messages.
  ASSERT_EQ(seen->adapted.size(), 2u);
  EXPECT_EQ(seen->adapted[0] + seen->adapted[1], 25 + 160000);
}

TEST_P(Ask, GetInsideAHandlerThrowsInsteadOfBlocking) {
  auto seen = std::make_shared<Seen>();
  auto client = sys().spawn("client", Props<ClientMsg>::of<Client>(calc_, seen)).value();
  (void)client.tell(GetInside{});
  ASSERT_TRUE(sys().await_quiescence(10s));
  std::lock_guard lock(seen->mu);
  EXPECT_NE(seen->get_error.find("ctx.ask"), std::string::npos) << seen->get_error;
}

TEST_P(Ask, AnAskerThatStoppedGetsItsOutcomeAsADeadLetter) {
  auto seen = std::make_shared<Seen>();
  auto client = sys().spawn("client", Props<ClientMsg>::of<Client>(calc_, seen)).value();
  (void)client.tell(Start{100, 2s});
  sys().stop(client);
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(Ask, FindReturnsTheActorAtAPathOnlyForItsMessageType) {
  auto found = sys().find<Calc>("/calc");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, calc_);
  EXPECT_FALSE(sys().find<int>("/calc").has_value());
  EXPECT_FALSE(sys().find<Calc>("/nobody").has_value());
  EXPECT_FALSE(sys().find<Calc>("calc").has_value());
  EXPECT_FALSE(sys().find<Calc>("/").has_value());
  EXPECT_FALSE(sys().find<Calc>("/calc/").has_value());
  auto seen = std::make_shared<Seen>();
  (void)sys().spawn("client", Props<ClientMsg>::of<Client>(calc_, seen)).value();
  EXPECT_TRUE(sys().find<ClientMsg>("/client").has_value());
  sys().stop(calc_);
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_FALSE(sys().find<Calc>("/calc").has_value());
}

}  // namespace
}  // namespace troupe
