// Engine behaviours that must hold on both schedulers: the same actor code,
// run on real threads and on the simulator.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class OnBothSchedulers : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override {
    sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 3),
                                    SystemSettings{.events = &log_});
  }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }
  void settle() { ASSERT_TRUE(sys_->await_quiescence(30s)); }
  std::size_t count(EventKind kind) { return log_.events(kind).size(); }

  EventLog log_;
  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, OnBothSchedulers, testing::both_schedulers(),
                         testing::scheduler_name);

struct Ping {};
struct Fail {};
struct Report {};
using Msg = std::variant<Ping, Fail, Report>;

struct Probe {
  std::atomic<int> instances{0};
  std::mutex mu;
  std::vector<int> reports;
};

class Counter : public Actor<Msg> {
 public:
  explicit Counter(Probe* p) : probe_(p) { ++probe_->instances; }
  void receive(Context<Msg>&, Msg& m) override {
    if (std::holds_alternative<Fail>(m)) throw std::runtime_error("fail");
    if (std::holds_alternative<Report>(m)) {
      std::lock_guard lock(probe_->mu);
      probe_->reports.push_back(count_);
      return;
    }
    ++count_;
  }

 private:
  Probe* probe_;
  int count_ = 0;
};

TEST_P(OnBothSchedulers, DeliversEveryMessageInSenderOrder) {
  std::mutex mu;
  std::vector<int> seen;
  auto ref = sys()
                 .spawn("r", Props<int>::from_function([&](Context<int>&, int& v) {
                          std::lock_guard lock(mu);
                          seen.push_back(v);
                        }))
                 .value();
  for (int i = 0; i < 500; ++i) ASSERT_EQ(ref.tell(i), SendResult::accepted);
  settle();
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 500u);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], i);
}

TEST_P(OnBothSchedulers, RestartResetsStateAndKeepsTheMailbox) {
  Probe probe;
  auto ref = sys().spawn("c", Props<Msg>::of<Counter>(&probe)).value();
  (void)ref.tell(Ping{});
  (void)ref.tell(Fail{});
  (void)ref.tell(Ping{});
  (void)ref.tell(Ping{});
  (void)ref.tell(Report{});
  settle();
  EXPECT_EQ(probe.instances.load(), 2);
  EXPECT_EQ(probe.reports, std::vector<int>{2});
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::handler_failed), 1u);
}

TEST_P(OnBothSchedulers, RestartBudgetIsExactlyNWithinTheWindow) {
  Probe probe;
  auto ref =
      sys()
          .spawn("c", Props<Msg>::of<Counter>(&probe).restart({.max_restarts = 2, .within = 1h}))
          .value();
  (void)ref.tell(Fail{});
  (void)ref.tell(Fail{});
  settle();
  EXPECT_TRUE(ref.alive());
  (void)ref.tell(Fail{});
  settle();
  EXPECT_FALSE(ref.alive());
  EXPECT_EQ(count(EventKind::restarted), 2u);
  EXPECT_EQ(count(EventKind::budget_exceeded), 1u);
}

class Parent : public Actor<int> {
 public:
  Parent(Probe* kids, int n) : kids_(kids), n_(n) {}
  void pre_start(Context<int>& ctx) override {
    children_.clear();
    for (int i = 0; i < n_; ++i) {
      auto props = Props<Msg>::of<Counter>(kids_).decider(
          [](const Failure&) { return Directive::escalate; });
      children_.push_back(ctx.spawn(std::string("k").append(std::to_string(i)),
                                    i == 0 ? props : Props<Msg>::of<Counter>(kids_))
                              .value());
    }
  }
  void receive(Context<int>&, int& i) override {
    (void)children_.at(static_cast<std::size_t>(i)).tell(Fail{});
  }

 private:
  Probe* kids_;
  int n_;
  std::vector<ActorRef<Msg>> children_;
};

TEST_P(OnBothSchedulers, AllForOneRestartsEverySibling) {
  Probe kids;
  auto parent =
      sys()
          .spawn("p", Props<int>::of<Parent>(&kids, 3).supervise_children(Scope::all_for_one))
          .value();
  settle();
  (void)parent.tell(2);  // k2 restarts; so do k0 and k1
  settle();
  EXPECT_EQ(kids.instances.load(), 6);
  EXPECT_EQ(count(EventKind::restarted), 3u);
}

TEST_P(OnBothSchedulers, EscalationRestartsTheParentAndItsChildren) {
  Probe kids;
  auto parent = sys().spawn("p", Props<int>::of<Parent>(&kids, 2)).value();
  settle();
  (void)parent.tell(0);  // k0 escalates: /p fails and restarts, its children are rebuilt
  settle();
  EXPECT_EQ(kids.instances.load(), 4);
  const auto restarted = log_.events(EventKind::restarted);
  ASSERT_EQ(restarted.size(), 1u);
  EXPECT_EQ(restarted[0].path, "/p");
}

TEST_P(OnBothSchedulers, WatchersReceiveTerminated) {
  std::atomic<int> terminated{0};
  struct Watcher : Actor<ActorRef<int>> {
    explicit Watcher(std::atomic<int>* t) : t_(t) {}
    void receive(Context<ActorRef<int>>& ctx, ActorRef<int>& r) override { ctx.watch(r); }
    void on_terminated(Context<ActorRef<int>>&, const Terminated&) override { ++*t_; }
    std::atomic<int>* t_;
  };
  auto target =
      sys().spawn("t", Props<int>::from_function([](Context<int>& c, int&) { c.stop(); })).value();
  auto watcher = sys().spawn("w", Props<ActorRef<int>>::of<Watcher>(&terminated)).value();
  (void)watcher.tell(target);
  settle();
  (void)target.tell(1);
  settle();
  EXPECT_EQ(terminated.load(), 1);
}

TEST_P(OnBothSchedulers, ShutdownDrainsEverythingAndRefusesLaterTells) {
  std::atomic<int> handled{0};
  auto ref =
      sys().spawn("r", Props<int>::from_function([&](Context<int>&, int&) { ++handled; })).value();
  for (int i = 0; i < 100; ++i) (void)ref.tell(i);
  const auto report = sys().shutdown(10s);
  EXPECT_TRUE(report.deadline_met);
  EXPECT_EQ(report.abandoned, 0u);
  EXPECT_LE(report.drained, 100u);  // threads may have handled some before shutdown began
  EXPECT_EQ(handled.load(), 100);
  EXPECT_EQ(ref.tell(1), SendResult::actor_stopped);
  EXPECT_TRUE(sys().stats().balanced());
  EXPECT_EQ(sys().shutdown(1s).drained, report.drained);  // idempotent
}

TEST_P(OnBothSchedulers, ConservationHoldsWithCrashingHandlers) {
  auto props = Props<int>::from_function([](Context<int>&, int& v) {
                 if (v % 7 == 0) throw 7;  // not even a std::exception
               })
                   .mailbox({.capacity = 32, .overflow = Overflow::drop_oldest})
                   .restart({.max_restarts = 1000, .within = 1s});
  auto a = sys().spawn("a", props).value();
  auto b = sys().spawn("b", props).value();
  for (int i = 0; i < 300; ++i) (void)(i % 2 ? a : b).tell(i);
  settle();
  const auto s = sys().stats();
  EXPECT_TRUE(s.balanced());
  EXPECT_EQ(s.sent, 300u);
  EXPECT_GT(s.dead_letters(DeadLetterReason::handler_failed), 0u);
}

}  // namespace
}  // namespace troupe
