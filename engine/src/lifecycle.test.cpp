// Actor lifecycle on the thread scheduler: hooks, stopping, watching, timers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Gate;
using testing::threads;

struct Journal {
  std::mutex mu;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> copy() {
    std::lock_guard lock(mu);
    return lines;
  }
};

/// Spawns `depth` levels of one child each, journaling pre_start/post_stop.
class Node : public Actor<int> {
 public:
  Node(Journal* journal, int depth) : journal_(journal), depth_(depth) {}
  void pre_start(Context<int>& ctx) override {
    journal_->add("start " + ctx.path());
    if (depth_ > 0) ctx.spawn("child", Props<int>::of<Node>(journal_, depth_ - 1)).value();
  }
  void post_stop(Context<int>& ctx) override { journal_->add("stop " + ctx.path()); }
  void receive(Context<int>& ctx, int& v) override {
    if (v < 0) ctx.stop();
  }

 private:
  Journal* journal_;
  int depth_;
};

TEST(Lifecycle, StopsChildrenBeforeTheirParents) {
  Journal journal;
  System sys{threads()};
  auto root = sys.spawn("root", Props<int>::of<Node>(&journal, 2)).value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  sys.stop(root);
  ASSERT_TRUE(eventually(sys, [&] { return !root.alive(); }));
  EXPECT_EQ(journal.copy(),
            (std::vector<std::string>{"start /root", "start /root/child", "start /root/child/child",
                                      "stop /root/child/child", "stop /root/child", "stop /root"}));
}

TEST(Lifecycle, SelfStopDeadLettersWhatIsStillQueued) {
  Gate gate;
  std::atomic<bool> holding{false};
  System sys{threads()};
  auto ref = sys.spawn("s", Props<int>::from_function([&](Context<int>& ctx, int& v) {
                         if (v == 0) {
                           holding = true;
                           gate.wait();
                           ctx.stop();
                         }
                       }))
                 .value();
  (void)ref.tell(0);
  ASSERT_TRUE(eventually(sys, [&] { return holding.load(); }));
  (void)ref.tell(1);
  (void)ref.tell(2);
  gate.open();
  ASSERT_TRUE(eventually(sys, [&] { return !ref.alive(); }));
  const auto stats = sys.stats();
  EXPECT_EQ(stats.processed, 1u);
  EXPECT_EQ(stats.dead_letters(DeadLetterReason::actor_stopped), 2u);
  EXPECT_TRUE(stats.balanced());
}

TEST(Lifecycle, ATellToAStoppedActorIsADeadLetter) {
  System sys{threads()};
  auto ref = sys.spawn("s", Props<int>::from_function([](Context<int>&, int&) {})).value();
  sys.stop(ref);
  ASSERT_TRUE(eventually(sys, [&] { return !ref.alive(); }));
  EXPECT_EQ(ref.tell(1), SendResult::actor_stopped);
  EXPECT_EQ(sys.stats().dead_letters(DeadLetterReason::actor_stopped), 1u);
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(Lifecycle, AStoppedActorsNameCanBeReused) {
  System sys{threads()};
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  auto first = sys.spawn("again", fn).value();
  sys.stop(first);
  ASSERT_TRUE(eventually(sys, [&] { return !first.alive(); }));
  ASSERT_TRUE(sys.await_quiescence(5s));  // the guardian has forgotten the name
  auto second = sys.spawn("again", fn);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(second.value().id(), first.id());
}

TEST(Lifecycle, AnEmptyRefIsAClearError) {
  ActorRef<int> empty;
  EXPECT_FALSE(empty.valid());
  EXPECT_THROW((void)empty.tell(1), std::logic_error);
}

/// Watches the ref it is given and journals the Terminated it receives.
class Watcher : public Actor<ActorRef<int>> {
 public:
  explicit Watcher(Journal* journal) : journal_(journal) {}
  void receive(Context<ActorRef<int>>& ctx, ActorRef<int>& target) override { ctx.watch(target); }
  void on_terminated(Context<ActorRef<int>>&, const Terminated& t) override {
    journal_->add("terminated " + t.path);
  }

 private:
  Journal* journal_;
};

TEST(Lifecycle, WatchersLearnWhenAWatchedActorStops) {
  Journal journal;
  System sys{threads()};
  auto target = sys.spawn("target", Props<int>::of<Node>(&journal, 0)).value();
  auto watcher = sys.spawn("watcher", Props<ActorRef<int>>::of<Watcher>(&journal)).value();
  (void)watcher.tell(target);
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)target.tell(-1);  // stops itself
  ASSERT_TRUE(eventually(sys, [&] {
    auto lines = journal.copy();
    return std::find(lines.begin(), lines.end(), "terminated /target") != lines.end();
  }));
}

TEST(Lifecycle, WatchingTwiceDeliversTerminatedOnce) {
  Journal journal;
  System sys{threads()};
  auto target = sys.spawn("target", Props<int>::of<Node>(&journal, 0)).value();
  auto watcher = sys.spawn("watcher", Props<ActorRef<int>>::of<Watcher>(&journal)).value();
  (void)watcher.tell(target);
  (void)watcher.tell(target);
  ASSERT_TRUE(sys.await_quiescence(5s));
  sys.stop(target);
  ASSERT_TRUE(eventually(sys, [&] { return !target.alive(); }));
  ASSERT_TRUE(sys.await_quiescence(5s));
  const auto lines = journal.copy();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "terminated /target"), 1);
}

TEST(Lifecycle, WatchingAnAlreadyStoppedActorDeliversTerminatedAtOnce) {
  Journal journal;
  System sys{threads()};
  auto target = sys.spawn("gone", Props<int>::of<Node>(&journal, 0)).value();
  sys.stop(target);
  ASSERT_TRUE(eventually(sys, [&] { return !target.alive(); }));
  auto watcher = sys.spawn("watcher", Props<ActorRef<int>>::of<Watcher>(&journal)).value();
  (void)watcher.tell(target);
  ASSERT_TRUE(eventually(sys, [&] { return journal.copy().back() == "terminated /gone"; }));
}

TEST(Lifecycle, ScheduleOnceDeliversAfterTheDelayAndCancelPreventsIt) {
  std::atomic<int> fired{0};
  std::atomic<TimePoint::rep> fired_at{0};
  System sys{threads()};
  const auto start = sys.now();
  auto ref = sys.spawn("t", Props<int>::from_function([&](Context<int>& ctx, int& v) {
                         if (v == 0) {
                           ctx.schedule_once(30ms, 1);
                           const auto cancelled = ctx.schedule_once(10ms, 2);
                           EXPECT_TRUE(ctx.cancel_timer(cancelled));
                         } else {
                           fired += v;
                           fired_at = ctx.now().time_since_epoch().count();
                         }
                       }))
                 .value();
  (void)ref.tell(0);
  ASSERT_TRUE(eventually(sys, [&] { return fired.load() != 0; }));
  ASSERT_TRUE(sys.await_quiescence(1s));
  EXPECT_EQ(fired.load(), 1);
  EXPECT_GE(TimePoint(Duration(fired_at.load())) - start, Duration(30ms));
}

TEST(Lifecycle, AFailingPreStartIsSupervisedLikeAFailingHandler) {
  struct Flaky : Actor<int> {
    explicit Flaky(std::atomic<int>* n) : n_(n) {}
    void pre_start(Context<int>&) override {
      if (n_->fetch_add(1) == 0) throw std::runtime_error("first start fails");
    }
    void receive(Context<int>&, int&) override {}
    std::atomic<int>* n_;
  };
  std::atomic<int> starts{0};
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("flaky", Props<int>::of<Flaky>(&starts)).value();
  (void)ref.tell(1);
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(starts.load(), 2);
  EXPECT_EQ(sys.stats().processed, 1u);
  EXPECT_EQ(log.events(EventKind::restarted).size(), 1u);
}

TEST(Lifecycle, ADuplicateChildNameIsAnErrorForTheParent) {
  std::atomic<int> code{-1};
  System sys{threads()};
  auto ref = sys.spawn("p", Props<int>::from_function([&](Context<int>& ctx, int&) {
                         auto fn = Props<int>::from_function([](Context<int>&, int&) {});
                         ASSERT_TRUE(ctx.spawn("a", fn).ok());
                         auto dup = ctx.spawn("a", fn);
                         code = dup.ok() ? 0 : static_cast<int>(dup.error().code);
                       }))
                 .value();
  (void)ref.tell(1);
  ASSERT_TRUE(eventually(sys, [&] { return code.load() != -1; }));
  EXPECT_EQ(code.load(), static_cast<int>(ErrorCode::duplicate_name));
}

}  // namespace
}  // namespace troupe
