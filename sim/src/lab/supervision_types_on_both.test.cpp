// OTP-grade supervision on both schedulers: rest_for_one, restart types
// (permanent, transient, temporary), the reason a watcher learns when an
// actor stops, and a per-actor shutdown timeout. The same actor code runs on
// real threads and on the simulator.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::On;

// A child's messages: kFail throws, kStopSelf stops it normally, others count.
constexpr int kFail = 0;
constexpr int kStopSelf = 1;

/// What the children of one tree did, shared with the test.
struct Tree {
  std::mutex mu;
  std::vector<int> instances;          // built per child index
  std::vector<Terminated> terminated;  // seen by the parent (it watches them)
  std::atomic<int> handled{0};
  int instances_of(int i) {
    std::lock_guard lock(mu);
    return instances.at(static_cast<std::size_t>(i));
  }
  std::vector<Terminated> terminations() {
    std::lock_guard lock(mu);
    return terminated;
  }
};

class Child : public Actor<int> {
 public:
  Child(Tree* tree, int index) : tree_(tree) {
    std::lock_guard lock(tree_->mu);
    ++tree_->instances.at(static_cast<std::size_t>(index));
  }
  void receive(Context<int>& ctx, int& m) override {
    if (m == kFail) throw std::runtime_error("child failed");
    if (m == kStopSelf) {
      ctx.stop();
      return;
    }
    ++tree_->handled;
  }

 private:
  Tree* tree_;
};

/// How the parent builds child `i`.
struct ChildSpec {
  RestartType type = RestartType::permanent;
  Directive directive = Directive::restart;
  int max_restarts = 100;
};

/// Spawns one child per spec, named so that name order is the reverse of
/// spawn order (rest_for_one must follow spawn order). A command `i >= 0`
/// fails child i; `-(i + 1)` makes the parent stop child i; `1000 + i`
/// makes child i stop itself.
class TreeParent : public Actor<int> {
 public:
  TreeParent(Tree* tree, std::vector<ChildSpec> specs) : tree_(tree), specs_(std::move(specs)) {}
  void pre_start(Context<int>& ctx) override {
    for (std::size_t i = 0; i < specs_.size(); ++i) {
      const ChildSpec& s = specs_[i];
      auto props = Props<int>::of<Child>(tree_, static_cast<int>(i))
                       .restart_type(s.type)
                       .restart({.max_restarts = s.max_restarts, .within = 1h})
                       .decider([d = s.directive](const Failure&) { return d; });
      std::string name = "c";
      name.append(std::to_string(1000 - i));
      children_.push_back(ctx.spawn(name, props).value());
      ctx.watch(children_.back());
    }
  }
  void receive(Context<int>& ctx, int& command) override {
    if (command >= 1000) {
      (void)child(command - 1000).tell(kStopSelf);
    } else if (command < 0) {
      ctx.stop(child(-command - 1));
    } else {
      (void)child(command).tell(kFail);
    }
  }
  void on_terminated(Context<int>&, const Terminated& t) override {
    std::lock_guard lock(tree_->mu);
    tree_->terminated.push_back(t);
  }

 private:
  ActorRef<int>& child(int i) { return children_.at(static_cast<std::size_t>(i)); }
  Tree* tree_;
  std::vector<ChildSpec> specs_;
  std::vector<ActorRef<int>> children_;
};

class SupervisionTypes : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { start({}); }
  void TearDown() override {
    if (sys_) {
      (void)sys_->shutdown(30s);
      EXPECT_TRUE(sys_->stats().balanced());
    }
    sys_.reset();
  }
  /// A fresh system; `service` is each message's cost (virtual in the
  /// simulator; the handler sleeps it on threads, see serve()).
  void start(Duration service) {
    sys_.reset();
    std::unique_ptr<Scheduler> scheduler;
    if (GetParam() == On::threads) {
      scheduler = testing::make_scheduler(On::threads, 0);
    } else {
      scheduler = std::make_unique<sim::SimScheduler>(
          sim::SimSettings{.seed = 7, .service_time = sim::ServiceTime::fixed(service)});
    }
    service_ = service;
    sys_ = std::make_unique<System>(std::move(scheduler), SystemSettings{.events = &log_});
  }
  /// Stands for a handler's work: real time on threads, nothing in the simulator.
  void serve() const {
    if (GetParam() == On::threads) std::this_thread::sleep_for(service_);
  }
  System& sys() { return *sys_; }
  std::size_t count_events(EventKind kind) const { return log_.events(kind).size(); }
  void settle() { ASSERT_TRUE(sys_->await_quiescence(30s)); }

  /// A parent "p" with children from `specs`, under `scope`; started.
  ActorRef<int> tree(Tree& t, std::vector<ChildSpec> specs, Scope scope,
                     Decider parent_decider = {}) {
    t.instances.assign(specs.size(), 0);
    auto props = Props<int>::of<TreeParent>(&t, std::move(specs)).supervise_children(scope);
    if (parent_decider) props.decider(std::move(parent_decider));
    auto ref = sys().spawn("p", props).value();
    settle();
    return ref;
  }
  /// Paths of the `kind` events, in order.
  std::vector<std::string> paths(EventKind kind) const {
    std::vector<std::string> out;
    for (const auto& e : log_.events(kind)) out.push_back(e.path);
    return out;
  }
  static std::string child_path(int i) {
    std::string p = "/p/c";
    p.append(std::to_string(1000 - i));
    return p;
  }
  /// The Terminated the parent saw for child i (reason stopped if none).
  static std::optional<Terminated> terminated_of(Tree& t, int i) {
    for (const auto& term : t.terminations()) {
      if (term.path == child_path(i)) return term;
    }
    return std::nullopt;
  }

  EventLog log_;
  std::unique_ptr<System> sys_;
  Duration service_{};
};

INSTANTIATE_TEST_SUITE_P(Supervision, SupervisionTypes, testing::both_schedulers(),
                         testing::scheduler_name);

std::vector<ChildSpec> permanent(int n) {
  return std::vector<ChildSpec>(static_cast<std::size_t>(n));
}

// --- rest_for_one -------------------------------------------------------------------

TEST_P(SupervisionTypes, RestForOneRestartsTheFailedChildAndThoseSpawnedAfterIt) {
  Tree t;
  auto p = tree(t, permanent(4), Scope::rest_for_one);
  (void)p.tell(1);
  settle();
  EXPECT_EQ(t.instances_of(0), 1) << "spawned before the failed child: left alone";
  for (int i = 1; i < 4; ++i) EXPECT_EQ(t.instances_of(i), 2) << "child " << i;
  auto restarted = paths(EventKind::restarted);
  std::sort(restarted.begin(), restarted.end());
  EXPECT_EQ(restarted, (std::vector<std::string>{child_path(3), child_path(2), child_path(1)}));
  // Spawn order, not name order: the names sort the other way round.
  const auto scheduled = paths(EventKind::restart_scheduled);
  EXPECT_EQ(scheduled, (std::vector<std::string>{child_path(1), child_path(2), child_path(3)}));
}

TEST_P(SupervisionTypes, RestForOneChargesEveryRestartedSiblingAndAsksAllBeforeCharging) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(4);
  for (auto& s : specs) s.max_restarts = 1;
  auto p = tree(t, specs, Scope::rest_for_one, [](const Failure&) { return Directive::stop; });
  (void)p.tell(3);  // c3 alone restarts: its one restart is used
  settle();
  EXPECT_EQ(t.instances_of(3), 2);
  (void)p.tell(1);  // c1, c2 and c3 would restart, but c3 has none left
  settle();
  const auto exceeded = log_.events(EventKind::budget_exceeded);
  ASSERT_EQ(exceeded.size(), 1u);
  EXPECT_EQ(exceeded[0].path, child_path(3));
  // Nobody was charged or restarted for the refused decision.
  EXPECT_EQ(paths(EventKind::restarted), std::vector<std::string>{child_path(3)});
  EXPECT_EQ(t.instances_of(0), 1);
  EXPECT_EQ(t.instances_of(1), 1);
  EXPECT_EQ(t.instances_of(2), 1);
}

TEST_P(SupervisionTypes, RestForOneStopDirectiveStopsTheFailedChildAndLaterSiblings) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(4);
  for (auto& s : specs) s.directive = Directive::stop;
  auto p = tree(t, specs, Scope::rest_for_one);
  (void)p.tell(2);
  settle();
  EXPECT_FALSE(terminated_of(t, 0).has_value());
  EXPECT_FALSE(terminated_of(t, 1).has_value());
  ASSERT_TRUE(terminated_of(t, 2).has_value());
  EXPECT_EQ(terminated_of(t, 2)->reason, TerminationReason::failed);
  ASSERT_TRUE(terminated_of(t, 2)->failure.has_value());
  EXPECT_EQ(terminated_of(t, 2)->failure->what, "child failed");
  ASSERT_TRUE(terminated_of(t, 3).has_value());
  EXPECT_EQ(terminated_of(t, 3)->reason, TerminationReason::stopped_by_parent);
  EXPECT_FALSE(terminated_of(t, 3)->failure.has_value());
}

// --- restart types ------------------------------------------------------------------

TEST_P(SupervisionTypes, TemporaryChildIsStoppedInsteadOfRestarted) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(2);
  specs[0].type = RestartType::temporary;
  auto p = tree(t, specs, Scope::one_for_one);
  (void)p.tell(0);
  settle();
  EXPECT_EQ(t.instances_of(0), 1);
  EXPECT_EQ(count_events(EventKind::restarted), 0u);
  EXPECT_EQ(paths(EventKind::not_restarted), std::vector<std::string>{child_path(0)});
  ASSERT_TRUE(terminated_of(t, 0).has_value());
  EXPECT_EQ(terminated_of(t, 0)->reason, TerminationReason::failed);
  EXPECT_FALSE(terminated_of(t, 1).has_value());
}

TEST_P(SupervisionTypes, TemporaryChildrenStopWhenAllForOneRestartsTheGroup) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(4);
  specs[1].type = RestartType::temporary;
  specs[3].type = RestartType::temporary;
  auto p = tree(t, specs, Scope::all_for_one);
  (void)p.tell(0);
  settle();
  EXPECT_EQ(t.instances_of(0), 2);
  EXPECT_EQ(t.instances_of(2), 2);
  EXPECT_EQ(t.instances_of(1), 1);
  EXPECT_EQ(t.instances_of(3), 1);
  for (int i : {1, 3}) {
    ASSERT_TRUE(terminated_of(t, i).has_value()) << i;
    EXPECT_EQ(terminated_of(t, i)->reason, TerminationReason::stopped_by_parent);
  }
  EXPECT_FALSE(terminated_of(t, 0).has_value());
  EXPECT_FALSE(terminated_of(t, 2).has_value());
}

TEST_P(SupervisionTypes, TemporaryChildrenStopWhenRestForOneRestartsTheRest) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(4);
  specs[0].type = RestartType::temporary;
  specs[3].type = RestartType::temporary;
  auto p = tree(t, specs, Scope::rest_for_one);
  (void)p.tell(2);
  settle();
  EXPECT_EQ(t.instances_of(0), 1);
  EXPECT_EQ(t.instances_of(1), 1);
  EXPECT_EQ(t.instances_of(2), 2);
  EXPECT_EQ(t.instances_of(3), 1);
  EXPECT_FALSE(terminated_of(t, 0).has_value()) << "earlier than the failed child: untouched";
  ASSERT_TRUE(terminated_of(t, 3).has_value());
  EXPECT_EQ(paths(EventKind::not_restarted), std::vector<std::string>{child_path(3)});
}

TEST_P(SupervisionTypes, ATemporaryChildsFailureRestartsNoSibling) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(3);
  specs[1].type = RestartType::temporary;
  auto p = tree(t, specs, Scope::all_for_one);
  (void)p.tell(1);
  settle();
  EXPECT_EQ(count_events(EventKind::restarted), 0u);
  EXPECT_EQ(t.instances_of(0), 1);
  EXPECT_EQ(t.instances_of(2), 1);
  ASSERT_TRUE(terminated_of(t, 1).has_value());
  EXPECT_EQ(terminated_of(t, 1)->reason, TerminationReason::failed);
}

TEST_P(SupervisionTypes, TransientRestartsOnFailureAndStaysStoppedAfterANormalStop) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(2);
  for (auto& s : specs) s.type = RestartType::transient;
  auto p = tree(t, specs, Scope::one_for_one);
  (void)p.tell(0);
  settle();
  EXPECT_EQ(t.instances_of(0), 2) << "a failure restarts a transient child";
  EXPECT_FALSE(terminated_of(t, 0).has_value());
  (void)p.tell(1000);  // c0 stops itself
  (void)p.tell(-2);    // the parent stops c1
  settle();
  EXPECT_EQ(t.instances_of(0), 2);
  EXPECT_EQ(t.instances_of(1), 1);
  ASSERT_TRUE(terminated_of(t, 0).has_value());
  EXPECT_EQ(terminated_of(t, 0)->reason, TerminationReason::stopped);
  ASSERT_TRUE(terminated_of(t, 1).has_value());
  EXPECT_EQ(terminated_of(t, 1)->reason, TerminationReason::stopped_by_parent);
}

// --- permanent: a normal exit restarts ---------------------------------------------

TEST_P(SupervisionTypes, APermanentChildThatStopsItselfIsRestartedByItsParent) {
  Tree t;
  auto p = tree(t, permanent(2), Scope::one_for_one);
  (void)p.tell(1000);  // c0 stops itself
  settle();
  EXPECT_EQ(t.instances_of(0), 2) << "OTP restarts a permanent child's normal exit";
  EXPECT_EQ(t.instances_of(1), 1);
  EXPECT_FALSE(terminated_of(t, 0).has_value()) << "restarted, so never terminated";
  EXPECT_EQ(paths(EventKind::restarted), std::vector<std::string>{child_path(0)});
  EXPECT_EQ(count_events(EventKind::failed), 0u) << "a normal exit is no failure";
  (void)p.tell(1000);  // the fresh instance handles messages and can exit again
  settle();
  EXPECT_EQ(t.instances_of(0), 3);
}

TEST_P(SupervisionTypes, APermanentChildsOwnStopRestartsItsRestForOneGroup) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(4);
  specs[3].type = RestartType::temporary;
  auto p = tree(t, specs, Scope::rest_for_one);
  (void)p.tell(1001);  // c1 stops itself
  settle();
  EXPECT_EQ(t.instances_of(0), 1) << "spawned before it: left alone";
  EXPECT_EQ(t.instances_of(1), 2);
  EXPECT_EQ(t.instances_of(2), 2);
  ASSERT_TRUE(terminated_of(t, 3).has_value()) << "temporary: stopped instead";
  EXPECT_EQ(terminated_of(t, 3)->reason, TerminationReason::stopped_by_parent);
}

TEST_P(SupervisionTypes, APermanentChildsOwnStopsAreChargedToItsRestartBudget) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(1);
  specs[0].max_restarts = 1;
  specs[0].directive = Directive::stop;  // the decider is for failures only
  auto p = tree(t, specs, Scope::one_for_one, [](const Failure&) { return Directive::resume; });
  (void)p.tell(1000);
  settle();
  EXPECT_EQ(t.instances_of(0), 2);
  (void)p.tell(1000);  // a second exit within the hour: no restart left
  settle();
  EXPECT_EQ(t.instances_of(0), 2);
  const auto term = terminated_of(t, 0);
  ASSERT_TRUE(term.has_value());
  EXPECT_EQ(term->reason, TerminationReason::budget_exhausted);
  ASSERT_TRUE(term->failure.has_value());
  EXPECT_NE(term->failure->what.find("stopped itself"), std::string::npos) << term->failure->what;
  EXPECT_TRUE(p.alive()) << "the escalation was resumed";
}

TEST_P(SupervisionTypes, APermanentChildStoppedByItsParentStaysStopped) {
  Tree t;
  auto p = tree(t, permanent(1), Scope::one_for_one);
  (void)p.tell(-1);
  settle();
  EXPECT_EQ(t.instances_of(0), 1);
  ASSERT_TRUE(terminated_of(t, 0).has_value());
  EXPECT_EQ(terminated_of(t, 0)->reason, TerminationReason::stopped_by_parent);
  EXPECT_EQ(count_events(EventKind::restarted), 0u);
}

/// Stops itself on kStopSelf (twice if asked: a second ctx.stop() in the same
/// handler), counts other messages, and records what pre_restart was told.
struct ExitCounts {
  std::atomic<int> instances{0};
  std::atomic<int> handled{0};
  std::mutex mu;
  std::vector<std::string> restart_causes;
};

class SelfStopper : public Actor<int> {
 public:
  SelfStopper(ExitCounts* counts, bool twice) : counts_(counts), twice_(twice) {
    ++counts_->instances;
  }
  void receive(Context<int>& ctx, int& m) override {
    if (m != kStopSelf) {
      ++counts_->handled;
      return;
    }
    ctx.stop();
    if (twice_) ctx.stop();
  }
  void pre_restart(Context<int>&, const Failure& f) override {
    std::lock_guard lock(counts_->mu);
    counts_->restart_causes.push_back(f.what);
  }

 private:
  ExitCounts* counts_;
  bool twice_;
};

TEST_P(SupervisionTypes, APermanentActorsQueuedMessagesWaitForItsFreshInstance) {
  for (RestartType type : {RestartType::permanent, RestartType::transient}) {
    SCOPED_TRACE(to_string(type));
    start({});
    ExitCounts counts;
    std::string name = "s";
    name.append(to_string(type));
    auto ref =
        sys().spawn(name, Props<int>::of<SelfStopper>(&counts, false).restart_type(type)).value();
    // Sent together: the stop's leftovers are the next three (on threads a
    // transient actor may stop before the last tells, which it then refuses).
    std::vector<SendResult> sent;
    for (int m : {kStopSelf, 5, 6, 7}) sent.push_back(ref.tell(m));
    EXPECT_EQ(sent[0], SendResult::accepted);
    settle();
    const auto stats = sys().stats();
    EXPECT_TRUE(stats.balanced());
    if (type == RestartType::permanent) {
      EXPECT_EQ(counts.instances.load(), 2);
      for (SendResult r : sent) EXPECT_EQ(r, SendResult::accepted);
      EXPECT_EQ(counts.handled.load(), 3) << "none of its messages was lost to the exit";
      EXPECT_EQ(stats.dead_letters(), 0u);
      EXPECT_TRUE(ref.alive());
      std::lock_guard lock(counts.mu);
      ASSERT_EQ(counts.restart_causes.size(), 1u);
      EXPECT_NE(counts.restart_causes[0].find("stopped itself"), std::string::npos);
    } else {
      EXPECT_EQ(counts.instances.load(), 1);
      EXPECT_EQ(counts.handled.load(), 0);
      EXPECT_EQ(stats.dead_letters(DeadLetterReason::actor_stopped), 3u)
          << "left in its mailbox, or refused once it had stopped";
      EXPECT_FALSE(ref.alive());
    }
  }
}

TEST_P(SupervisionTypes, TwoStopsInOneHandlerRestartAPermanentActorOnce) {
  ExitCounts counts;
  auto ref =
      sys()
          .spawn("twice",
                 Props<int>::of<SelfStopper>(&counts, true).restart_type(RestartType::permanent))
          .value();
  (void)ref.tell(kStopSelf);
  settle();
  EXPECT_EQ(counts.instances.load(), 2);
  EXPECT_EQ(count_events(EventKind::restarted), 1u);
  EXPECT_TRUE(ref.alive()) << "the second stop did not end the restart";
}

TEST_P(SupervisionTypes, AStopFromOutsideIsFinalForAPermanentActor) {
  ExitCounts counts;
  auto ref =
      sys()
          .spawn("o",
                 Props<int>::of<SelfStopper>(&counts, false).restart_type(RestartType::permanent))
          .value();
  settle();
  sys().stop(ref);
  settle();
  EXPECT_FALSE(ref.alive());
  EXPECT_EQ(counts.instances.load(), 1);
  EXPECT_EQ(ref.tell(5), SendResult::actor_stopped);
}

TEST_P(SupervisionTypes, APermanentActorsOwnStopDuringShutdownIsFinal) {
  ExitCounts counts;
  auto ref =
      sys()
          .spawn("d",
                 Props<int>::of<SelfStopper>(&counts, false).restart_type(RestartType::permanent))
          .value();
  settle();
  (void)ref.tell(kStopSelf);
  const ShutdownReport report = sys().shutdown(30s);
  EXPECT_TRUE(report.deadline_met);
  // In the simulator nothing ran before the shutdown began, so the exit came
  // during it; on threads it may have been restarted first. Either way the
  // shutdown ended it and nothing was lost.
  if (GetParam() == On::simulator) {
    EXPECT_EQ(counts.instances.load(), 1);
  } else {
    EXPECT_LE(counts.instances.load(), 2);
  }
  EXPECT_FALSE(ref.alive());
  EXPECT_TRUE(sys().stats().balanced());
}

// --- Terminated reasons -------------------------------------------------------------

TEST_P(SupervisionTypes, TerminatedSaysWhyEachActorStopped) {
  Tree t;
  std::vector<ChildSpec> specs = permanent(5);
  specs[0].type = RestartType::transient;  // a permanent one would be restarted
  specs[2].directive = Directive::stop;
  specs[3].max_restarts = 0;
  specs[4].directive = Directive::escalate;
  // The parent's own escalation is stopped at the top: its decider says stop.
  auto p = tree(t, specs, Scope::one_for_one, [](const Failure&) { return Directive::resume; });
  (void)p.tell(1000);  // c0 stops itself
  (void)p.tell(-2);    // the parent stops c1
  (void)p.tell(2);     // c2 fails, its decider stops it
  (void)p.tell(3);     // c3 fails with no restart in its budget
  settle();
  const std::map<int, TerminationReason> expected{{0, TerminationReason::stopped},
                                                  {1, TerminationReason::stopped_by_parent},
                                                  {2, TerminationReason::failed},
                                                  {3, TerminationReason::budget_exhausted}};
  for (const auto& [i, reason] : expected) {
    const auto term = terminated_of(t, i);
    ASSERT_TRUE(term.has_value()) << i;
    EXPECT_EQ(term->reason, reason) << i << ": " << to_string(term->reason);
    const bool with_failure =
        reason == TerminationReason::failed || reason == TerminationReason::budget_exhausted;
    EXPECT_EQ(term->failure.has_value(), with_failure) << i;
    if (with_failure) {
      EXPECT_EQ(term->failure->actor_path, child_path(i));
    }
  }
  (void)p.tell(4);  // c4 escalates: it stops (failed) and /p fails, then resumes
  settle();
  // The parent resumed: its watch on c4 still delivers.
  const auto term = terminated_of(t, 4);
  ASSERT_TRUE(term.has_value());
  EXPECT_EQ(term->reason, TerminationReason::failed);
}

TEST_P(SupervisionTypes, AWatcherOutsideTheTreeLearnsAnOutsideStopIsAPlainStop) {
  struct Watcher : Actor<ActorRef<int>> {
    explicit Watcher(Tree* t) : t_(t) {}
    void receive(Context<ActorRef<int>>& ctx, ActorRef<int>& r) override {
      ctx.watch(r);
      ctx.stop(r);  // not its parent
    }
    void on_terminated(Context<ActorRef<int>>&, const Terminated& term) override {
      std::lock_guard lock(t_->mu);
      t_->terminated.push_back(term);
    }
    Tree* t_;
  };
  Tree t;
  t.instances.assign(1, 0);
  auto target = sys().spawn("target", Props<int>::of<Child>(&t, 0)).value();
  auto watcher = sys().spawn("w", Props<ActorRef<int>>::of<Watcher>(&t)).value();
  (void)watcher.tell(target);
  settle();
  const auto terms = t.terminations();
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].path, "/target");
  EXPECT_EQ(terms[0].reason, TerminationReason::stopped);
}

// --- shutdown timeout ---------------------------------------------------------------

TEST_P(SupervisionTypes, ShutdownTimeoutAbandonsWhatTheActorStillHoldsAndCountsIt) {
  start(2ms);
  std::atomic<int> slow_handled{0}, patient_handled{0};
  auto counting = [this](std::atomic<int>* n) {
    return Props<int>::from_function([this, n](Context<int>&, int&) {
      serve();
      ++*n;
    });
  };
  auto slow = sys().spawn("slow", counting(&slow_handled).shutdown_timeout(40ms)).value();
  auto patient = sys().spawn("patient", counting(&patient_handled)).value();
  for (int i = 0; i < 300; ++i) ASSERT_EQ(slow.tell(i), SendResult::accepted);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(patient.tell(i), SendResult::accepted);
  const auto report = sys().shutdown(60s);
  EXPECT_TRUE(report.deadline_met) << "the system's own deadline was met";
  EXPECT_EQ(patient_handled.load(), 30) << "no own timeout: drains everything";
  const auto stats = sys().stats();
  const auto abandoned = stats.dead_letters(DeadLetterReason::shutdown_abandoned);
  EXPECT_GT(abandoned, 0u) << "300 messages of 2ms cannot drain in 40ms";
  EXPECT_EQ(static_cast<std::uint64_t>(slow_handled.load()) + abandoned, 300u)
      << "exactly what was left is abandoned";
  EXPECT_EQ(report.abandoned, abandoned);
  for (const auto& a : report.actors) {
    if (a.path == "/slow") {
      EXPECT_EQ(a.abandoned, abandoned);
    }
    if (a.path == "/patient") {
      EXPECT_EQ(a.abandoned, 0u);
    }
  }
  EXPECT_TRUE(stats.balanced());
  const auto timeouts = log_.events(EventKind::shutdown);
  EXPECT_EQ(std::count_if(timeouts.begin(), timeouts.end(),
                          [](const RecordedEvent& e) { return e.detail == "timeout"; }),
            1);
}

TEST_P(SupervisionTypes, ASystemDeadlineEarlierThanTheActorsOwnStillWins) {
  start(2ms);
  std::atomic<int> handled{0};
  auto ref = sys()
                 .spawn("a", Props<int>::from_function([&](Context<int>&, int&) {
                               serve();
                               ++handled;
                             }).shutdown_timeout(Duration::max()))
                 .value();
  for (int i = 0; i < 300; ++i) (void)ref.tell(i);
  const auto report = sys().shutdown(30ms);
  EXPECT_FALSE(report.deadline_met);
  const auto abandoned = sys().stats().dead_letters(DeadLetterReason::shutdown_abandoned);
  EXPECT_GT(abandoned, 0u);
  EXPECT_EQ(static_cast<std::uint64_t>(handled.load()) + abandoned, 300u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(SupervisionTypes, AZeroShutdownTimeoutAbandonsTheQueueAtOnce) {
  start(2ms);
  std::atomic<int> handled{0};
  auto ref = sys()
                 .spawn("a", Props<int>::from_function([&](Context<int>&, int&) {
                               serve();
                               ++handled;
                             }).shutdown_timeout(Duration::zero()))
                 .value();
  for (int i = 0; i < 100; ++i) (void)ref.tell(i);
  const auto report = sys().shutdown(60s);
  EXPECT_TRUE(report.deadline_met);
  const auto abandoned = sys().stats().dead_letters(DeadLetterReason::shutdown_abandoned);
  EXPECT_EQ(static_cast<std::uint64_t>(handled.load()) + abandoned, 100u);
  EXPECT_GT(abandoned, 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(SupervisionTypes, ShutdownInTheMiddleOfABackoffEndsAtTheChildsOwnTimeout) {
  std::atomic<int> handled{0};
  auto ref = sys()
                 .spawn("c", Props<int>::from_function([&](Context<int>&, int& m) {
                               if (m == kFail) throw std::runtime_error("fail");
                               ++handled;
                             })
                                 .backoff({.min = 1h, .max = 1h})
                                 .shutdown_timeout(50ms))
                 .value();
  (void)ref.tell(kFail);
  for (int i = 0; i < 10; ++i) (void)ref.tell(5);  // wait behind the restart
  const auto report = sys().shutdown(1h);
  EXPECT_TRUE(report.deadline_met) << "the child's own timeout ended its wait";
  EXPECT_LT(report.elapsed, 1h);
  EXPECT_EQ(handled.load(), 0);
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::shutdown_abandoned), 10u);
  EXPECT_EQ(log_.events(EventKind::restarted).size(), 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST(SupervisionTypesSettings, ANegativeShutdownTimeoutIsRejectedNamingTheField) {
  auto props = Props<int>::from_function([](Context<int>&, int&) {});
  try {
    props.shutdown_timeout(-1ms);
    FAIL() << "accepted a negative timeout";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("shutdown_timeout"), std::string::npos) << e.what();
  }
  EXPECT_EQ(props.shutdown_timeout(), Duration::max()) << "a rejected setting changes nothing";
  EXPECT_EQ(props.shutdown_timeout(Duration::max()).shutdown_timeout(), Duration::max());
  EXPECT_EQ(props.restart_type(), RestartType::transient) << "the default, as in Akka";
  EXPECT_EQ(to_string(Scope::rest_for_one), "rest_for_one");
  EXPECT_EQ(to_string(RestartType::temporary), "temporary");
}

// --- churn --------------------------------------------------------------------------

TEST_P(SupervisionTypes, ARestForOneChainOfFiftyChildrenFailingAtRandomLosesNothing) {
  constexpr int kChildren = 50;
  Tree t;
  auto p = tree(t, permanent(kChildren), Scope::rest_for_one);
  Xoshiro256 prng(2026);
  std::vector<int> fails(kChildren, 0);
  for (int round = 0; round < 40; ++round) {
    const int i = static_cast<int>(prng.next() % kChildren);
    ++fails[static_cast<std::size_t>(i)];
    (void)p.tell(i);
    if (round % 8 == 7) settle();  // some failures overlap, some do not
  }
  settle();
  const int first = static_cast<int>(
      std::find_if(fails.begin(), fails.end(), [](int f) { return f > 0; }) - fails.begin());
  std::map<std::string, int> restarts;
  for (const auto& path : paths(EventKind::restarted)) ++restarts[path];
  int failed_so_far = 0;
  for (int j = 0; j < kChildren; ++j) {
    failed_so_far += fails[static_cast<std::size_t>(j)];
    const int r = restarts[child_path(j)];
    if (j < first) {
      EXPECT_EQ(r, 0) << "child " << j << " precedes every failure";
    }
    if (j >= first) {
      EXPECT_GE(r, 1) << "child " << j;
    }
    EXPECT_LE(r, failed_so_far) << "child " << j << ": only failures at or before it";
    EXPECT_EQ(t.instances_of(j), 1 + r) << "child " << j;
  }
  EXPECT_TRUE(t.terminations().empty()) << "the budget was never exhausted";
  EXPECT_TRUE(sys().stats().balanced());
}

}  // namespace
}  // namespace troupe
