// Behaviours and the stash on both schedulers, with the same actor code:
// become/unbecome order, stash and unstash order, an unstash into a full
// mailbox, the stash's bound, restarts under both StashOnRestart settings,
// and stopping or shutting down with messages stashed. Each test checks the
// conservation law (SystemStats::balanced) and explicit end-to-end counts.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/testing/test_support.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

/// One message type for every test: an operation and a number.
struct Op {
  enum Kind { note, push, replace, pop, stash, open, boom } kind;
  int n = 0;
};

/// What the actors did, shared with the test (handlers may run on threads).
struct Log {
  std::mutex mu;
  std::vector<std::string> lines;
  int stash_refused = 0;
  void add(std::string line) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return lines;
  }
};

class StashOnBoth : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 3)); }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }
  void settle() { ASSERT_TRUE(sys().await_quiescence(10s)); }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, StashOnBoth, testing::both_schedulers(), testing::scheduler_name);

/// Notes which behaviour handled each message; switches on push/replace/pop.
class Switcher : public Actor<Op> {
 public:
  explicit Switcher(Log* log) : log_(log) {}
  void receive(Context<Op>& ctx, Op& m) override { handle("receive", ctx, m); }

 private:
  void handle(const std::string& who, Context<Op>& ctx, Op& m) {
    std::string next = "b";  // built by append: g++ 12 -O3 misreads "b" + to_string (-Wrestrict)
    next.append(std::to_string(m.n));
    auto behaviour = [this, next](Context<Op>& c, Op& o) { handle(next, c, o); };
    switch (m.kind) {
      case Op::note:
        log_->add(who + ":" + std::to_string(m.n));
        break;
      case Op::push:
        ctx.become(behaviour, Become::push);
        break;
      case Op::replace:
        ctx.become(behaviour);
        break;
      case Op::pop:
        ctx.unbecome();
        break;
      case Op::boom:
        throw std::runtime_error("boom");
      default:
        break;
    }
  }
  Log* log_;
};

TEST_P(StashOnBoth, BecomePushesOrReplacesAndUnbecomePopsBackToReceive) {
  Log log;
  auto a = sys().spawn("switcher", Props<Op>::of<Switcher>(&log)).value();
  for (const Op op :
       {Op{Op::note, 1}, Op{Op::push, 1}, Op{Op::note, 2}, Op{Op::push, 2}, Op{Op::note, 3},
        Op{Op::replace, 3}, Op{Op::note, 4}, Op{Op::pop}, Op{Op::note, 5}, Op{Op::pop},
        Op{Op::note, 6}, Op{Op::pop}, Op{Op::note, 7}, Op{Op::replace, 4}, Op{Op::note, 8}}) {
    ASSERT_EQ(a.tell(Op(op)), SendResult::accepted);
  }
  settle();
  // Popping the empty stack (after note 6) does nothing; replacing on an
  // empty stack (replace 4) pushes.
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"receive:1", "b1:2", "b2:3", "b3:4", "b1:5",
                                                      "receive:6", "receive:7", "b4:8"}));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(StashOnBoth, ARestartClearsTheBehaviourStack) {
  Log log;
  auto a = sys().spawn("switcher", Props<Op>::of<Switcher>(&log)).value();
  for (const Op op :
       {Op{Op::push, 1}, Op{Op::push, 2}, Op{Op::note, 1}, Op{Op::boom}, Op{Op::note, 2}}) {
    (void)a.tell(Op(op));
  }
  settle();
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{"b2:1", "receive:2"}));
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 1u);
  EXPECT_TRUE(s.balanced());
}

/// Stashes every note until `open`, then unstashes all and notes from then on.
class Gate : public Actor<Op> {
 public:
  explicit Gate(Log* log) : log_(log) {}
  void receive(Context<Op>& ctx, Op& m) override {
    switch (m.kind) {
      case Op::note:
        if (open_) {
          log_->add(std::to_string(m.n));
        } else if (!ctx.stash()) {
          std::lock_guard lock(log_->mu);
          ++log_->stash_refused;
        }
        break;
      case Op::open:
        open_ = true;
        ctx.unstash_all();
        break;
      case Op::boom:
        throw std::runtime_error("boom");
      default:
        break;
    }
  }

 private:
  Log* log_;
  bool open_ = false;
};

std::vector<std::string> numbers(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

TEST_P(StashOnBoth, UnstashedMessagesComeBackInOrderAheadOfNewerOnes) {
  Log log;
  auto a = sys().spawn("gate", Props<Op>::of<Gate>(&log)).value();
  for (int i = 1; i <= 5; ++i) (void)a.tell(Op{Op::note, i});
  (void)a.tell(Op{Op::open});
  for (int i = 6; i <= 8; ++i) (void)a.tell(Op{Op::note, i});
  settle();
  EXPECT_EQ(log.snapshot(), numbers(1, 8));
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.processed, 9u);
  EXPECT_EQ(s.dead_letters(), 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, StashedMessagesCountAsQueuedAndDoNotHoldUpQuiescence) {
  Log log;
  auto a = sys().spawn("gate", Props<Op>::of<Gate>(&log)).value();
  for (int i = 1; i <= 3; ++i) (void)a.tell(Op{Op::note, i});
  settle();  // nothing more can happen without a message: quiescent
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.queued, 3u);
  EXPECT_EQ(s.processed, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, AnUnstashIntoAFullMailboxLosesNothing) {
  Log log;
  auto a =
      sys()
          .spawn("gate",
                 Props<Op>::of<Gate>(&log).mailbox({.capacity = 4, .overflow = Overflow::reject}))
          .value();
  for (int batch = 0; batch < 5; ++batch) {  // 20 stashed, 4 at a time
    for (int i = 1; i <= 4; ++i)
      ASSERT_EQ(a.tell(Op{Op::note, batch * 4 + i}), SendResult::accepted);
    settle();
  }
  // The mailbox fills up behind `open`: the 20 come back on top of 3 more.
  ASSERT_EQ(a.tell(Op{Op::open}), SendResult::accepted);
  for (int i = 21; i <= 23; ++i) (void)a.tell(Op{Op::note, i});
  settle();
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::mailbox_full), 0u);
  const auto lines = log.snapshot();
  ASSERT_GE(lines.size(), 20u);
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 20), numbers(1, 20));
  // Each later note was either handled or refused by the full mailbox at
  // the tell, never dropped after it was accepted.
  EXPECT_EQ(lines.size() + s.dead_letters(), 23u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, StashingPastTheBoundIsAStashFullDeadLetter) {
  Log log;
  auto a = sys().spawn("gate", Props<Op>::of<Gate>(&log).stash({.capacity = 3})).value();
  for (int i = 1; i <= 5; ++i) (void)a.tell(Op{Op::note, i});
  settle();
  SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::stash_full), 2u);
  EXPECT_EQ(log.stash_refused, 2);
  EXPECT_EQ(s.queued, 3u);
  EXPECT_TRUE(s.balanced());
  (void)a.tell(Op{Op::open});
  settle();
  EXPECT_EQ(log.snapshot(), numbers(1, 3));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(StashOnBoth, ARestartKeepsTheStashWhenTheSettingIsKeep) {
  Log log;
  auto a = sys()
               .spawn("gate", Props<Op>::of<Gate>(&log).stash(
                                  {.capacity = 8, .on_restart = StashOnRestart::keep}))
               .value();
  for (int i = 1; i <= 3; ++i) (void)a.tell(Op{Op::note, i});
  (void)a.tell(Op{Op::boom});
  (void)a.tell(Op{Op::open});  // the fresh instance unstashes what the old one kept
  settle();
  EXPECT_EQ(log.snapshot(), numbers(1, 3));
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(), 1u);  // the message that failed
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 1u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, ARestartDeadLettersTheStashWhenTheSettingIsDeadLetter) {
  Log log;
  auto a = sys()
               .spawn("gate", Props<Op>::of<Gate>(&log).stash(
                                  {.capacity = 8, .on_restart = StashOnRestart::dead_letter}))
               .value();
  for (int i = 1; i <= 3; ++i) (void)a.tell(Op{Op::note, i});
  (void)a.tell(Op{Op::boom});
  (void)a.tell(Op{Op::open});
  settle();
  EXPECT_TRUE(log.snapshot().empty());
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::stash_discarded), 3u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, StoppingWithAStashMakesItActorStoppedDeadLetters) {
  Log log;
  auto a = sys().spawn("gate", Props<Op>::of<Gate>(&log)).value();
  for (int i = 1; i <= 3; ++i) (void)a.tell(Op{Op::note, i});
  settle();
  sys().stop(a);
  settle();
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 3u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(StashOnBoth, ADrainingShutdownDoesNotWaitForAStashNobodyUnstashes) {
  Log log;
  auto a = sys().spawn("gate", Props<Op>::of<Gate>(&log)).value();
  for (int i = 1; i <= 3; ++i) (void)a.tell(Op{Op::note, i});
  const ShutdownReport report = sys().shutdown(Duration::max());
  EXPECT_TRUE(report.deadline_met);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 3u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_TRUE(s.balanced());
}

}  // namespace
}  // namespace troupe
