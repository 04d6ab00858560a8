#include "troupe/supervision.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "troupe/testing/test_support.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::threads;

// --- the policy pieces on their own -------------------------------------------

TEST(RestartBudget, RejectsNegativeCountsAndWindows) {
  EXPECT_THROW(validate(RestartBudget{.max_restarts = -1}), std::invalid_argument);
  EXPECT_THROW(validate(RestartBudget{.max_restarts = 1, .within = -1s}), std::invalid_argument);
  EXPECT_THROW(validate(RestartBudget{.max_restarts = 1, .within = 0s}), std::invalid_argument);
  EXPECT_NO_THROW(validate(RestartBudget{.max_restarts = 0, .within = 1s}));
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  EXPECT_THROW(fn.restart({.max_restarts = -3}), std::invalid_argument);
}

TEST(Backoff, RejectsInconsistentSettings) {
  EXPECT_THROW(validate(Backoff{.min = -1ms}), std::invalid_argument);
  EXPECT_THROW(validate(Backoff{.min = 2s, .max = 1s}), std::invalid_argument);
  EXPECT_THROW(validate(Backoff{.min = 1s, .max = 2s, .factor = 0.5}), std::invalid_argument);
  EXPECT_THROW(validate(Backoff{.min = 1s, .max = 2s, .jitter = 1.5}), std::invalid_argument);
}

TEST(RestartHistory, AdmitsExactlyMaxRestartsWithinTheWindow) {
  RestartHistory history;
  const RestartBudget budget{.max_restarts = 3, .within = 10s};
  const TimePoint t0{};
  EXPECT_TRUE(history.admit(t0, budget));
  EXPECT_TRUE(history.admit(t0 + 1s, budget));
  EXPECT_TRUE(history.admit(t0 + 2s, budget));
  EXPECT_FALSE(history.admit(t0 + 9s, budget));  // the 4th inside 10 s
}

TEST(RestartHistory, ForgetsRestartsThatLeftTheWindow) {
  RestartHistory history;
  const RestartBudget budget{.max_restarts = 2, .within = 10s};
  const TimePoint t0{};
  EXPECT_TRUE(history.admit(t0, budget));
  EXPECT_TRUE(history.admit(t0 + 5s, budget));
  EXPECT_TRUE(history.admit(t0 + 10s, budget));  // t0 is exactly one window ago
  EXPECT_FALSE(history.admit(t0 + 11s, budget));
  EXPECT_EQ(history.in_window(), 2u);
}

TEST(RestartHistory, ZeroBudgetNeverRestarts) {
  RestartHistory history;
  EXPECT_FALSE(history.admit(TimePoint{}, RestartBudget{.max_restarts = 0, .within = 1s}));
}

TEST(Backoff, DelaysGrowByTheFactorAndAreCapped) {
  const Backoff b{.min = 100ms, .max = 1s, .factor = 2.0, .jitter = 0.0};
  EXPECT_EQ(backoff_delay(b, 0, 0), Duration(100ms));
  EXPECT_EQ(backoff_delay(b, 1, 0), Duration(200ms));
  EXPECT_EQ(backoff_delay(b, 2, 0), Duration(400ms));
  EXPECT_EQ(backoff_delay(b, 3, 0), Duration(800ms));
  EXPECT_EQ(backoff_delay(b, 4, 0), Duration(1s));
  EXPECT_EQ(backoff_delay(b, 1000, 0), Duration(1s));
}

TEST(Backoff, JitterStretchesWithinItsFractionAndTheCap) {
  const Backoff b{.min = 100ms, .max = 1s, .factor = 2.0, .jitter = 0.5};
  Xoshiro256 g{3};
  for (int i = 0; i < 1000; ++i) {
    const auto d = backoff_delay(b, 1, g.next());
    ASSERT_GE(d, Duration(200ms));
    ASSERT_LE(d, Duration(300ms));
    const auto capped = backoff_delay(b, 3, g.next());
    ASSERT_GE(capped, Duration(800ms));
    ASSERT_LE(capped, Duration(1s));
  }
}

TEST(Backoff, TheLongestBackoffStaysTheLongestInsteadOfWrappingToNoDelay) {
  // Duration::max() is 2^63 - 1 ns; as a double it is 2^63, past int64.
  const Backoff longest{.min = Duration::max(), .max = Duration::max(), .factor = 2.0};
  EXPECT_EQ(backoff_delay(longest, 0, 0), Duration::max());
  EXPECT_EQ(backoff_delay(longest, 9, ~std::uint64_t{0}), Duration::max());
  const Backoff unbounded{.min = 1s, .max = Duration::max(), .factor = 10.0, .jitter = 1.0};
  EXPECT_EQ(backoff_delay(unbounded, 64, ~std::uint64_t{0}), Duration::max());
  EXPECT_EQ(backoff_delay(unbounded, 2, 0), Duration(100s));
}

TEST(Backoff, NoMinimumMeansRestartAtOnce) {
  EXPECT_EQ(backoff_delay(Backoff{}, 5, 12345), Duration::zero());
}

TEST(Decider, DefaultsToRestartAndStopsWhenTheDeciderThrows) {
  FailurePolicy policy;
  EXPECT_EQ(decide(policy, Failure{}), Directive::restart);
  policy.decider = [](const Failure&) -> Directive { throw std::runtime_error("bad"); };
  EXPECT_EQ(decide(policy, Failure{}), Directive::stop);
}

// --- supervision in a running system --------------------------------------------

struct Ping {};
struct Fail {
  std::string why = "simulated failure";
};
struct Report {};
struct ThrowInt {};
using Msg = std::variant<Ping, Fail, Report, ThrowInt>;

/// What the test actors tell the test about their life.
struct Probe {
  std::atomic<int> instances{0};
  std::atomic<int> pings{0};
  std::mutex mu;
  std::vector<int> reports;          // per-instance ping counts at each Report
  std::vector<std::string> stopped;  // paths, in post_stop order
  std::vector<std::string> pre_restart_causes;

  std::vector<int> reports_copy() {
    std::lock_guard lock(mu);
    return reports;
  }
  std::vector<std::string> stopped_copy() {
    std::lock_guard lock(mu);
    return stopped;
  }
};

class Tracked : public Actor<Msg> {
 public:
  explicit Tracked(Probe* probe) : probe_(probe) { ++probe_->instances; }
  void receive(Context<Msg>&, Msg& msg) override {
    if (auto* f = std::get_if<Fail>(&msg)) throw std::runtime_error(f->why);
    if (std::holds_alternative<ThrowInt>(msg)) throw 42;
    if (std::holds_alternative<Report>(msg)) {
      std::lock_guard lock(probe_->mu);
      probe_->reports.push_back(pings_);
      return;
    }
    ++pings_;
    ++probe_->pings;
  }
  void post_stop(Context<Msg>& ctx) override {
    std::lock_guard lock(probe_->mu);
    probe_->stopped.push_back(ctx.path());
  }
  void pre_restart(Context<Msg>&, const Failure& f) override {
    std::lock_guard lock(probe_->mu);
    probe_->pre_restart_causes.push_back(f.what);
  }

 private:
  Probe* probe_;
  int pings_ = 0;  // reset by a restart
};

Props<Msg> tracked(Probe& probe) {
  return Props<Msg>::of<Tracked>(&probe);
}

TEST(Supervision, RestartBuildsAFreshInstanceAndKeepsTheMailbox) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", tracked(probe)).value();
  (void)ref.tell(Ping{});
  (void)ref.tell(Ping{});
  (void)ref.tell(Fail{"first"});
  (void)ref.tell(Ping{});  // queued behind the failure: kept across the restart
  (void)ref.tell(Report{});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(probe.instances.load(), 2);
  EXPECT_EQ(probe.reports_copy(), std::vector<int>{1});  // state was reset, then one ping
  EXPECT_EQ(probe.pings.load(), 3);
  EXPECT_EQ(probe.pre_restart_causes, std::vector<std::string>{"first"});
  const auto stats = sys.stats();
  EXPECT_EQ(stats.dead_letters(DeadLetterReason::handler_failed), 1u);
  EXPECT_EQ(stats.processed, 4u);
  EXPECT_TRUE(stats.balanced());
  const auto failed = log.events(EventKind::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].path, "/w");
  EXPECT_EQ(failed[0].detail, "first");
  EXPECT_EQ(failed[0].value, 3);  // the third message
}

TEST(Supervision, AThrowNotDerivedFromStdExceptionIsARecordedFailure) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", tracked(probe)).value();
  (void)ref.tell(ThrowInt{});
  (void)ref.tell(Ping{});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(probe.pings.load(), 1);
  const auto failed = log.events(EventKind::failed);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].detail.find("unknown exception"), std::string::npos);
}

TEST(Supervision, RestartBudgetAllowsExactlyNWithinTheWindowThenStops) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", tracked(probe).restart({.max_restarts = 3, .within = 60s})).value();
  for (int i = 0; i < 3; ++i) (void)ref.tell(Fail{});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_TRUE(ref.alive());
  EXPECT_EQ(log.events(EventKind::restarted).size(), 3u);
  (void)ref.tell(Fail{});  // the fourth inside the window
  ASSERT_TRUE(eventually(sys, [&] { return !ref.alive(); }));
  EXPECT_EQ(log.events(EventKind::restarted).size(), 3u);
  EXPECT_EQ(log.events(EventKind::budget_exceeded).size(), 1u);
  EXPECT_EQ(ref.tell(Ping{}), SendResult::actor_stopped);
}

TEST(Supervision, ResumeKeepsTheInstanceAndItsState) {
  Probe probe;
  System sys{threads()};
  auto ref =
      sys.spawn("w", tracked(probe).decider([](const Failure&) { return Directive::resume; }))
          .value();
  (void)ref.tell(Ping{});
  (void)ref.tell(Fail{});
  (void)ref.tell(Ping{});
  (void)ref.tell(Report{});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(probe.instances.load(), 1);
  EXPECT_EQ(probe.reports_copy(), std::vector<int>{2});
}

TEST(Supervision, StopDirectiveStopsAndDeadLettersWhatIsQueued) {
  Probe probe;
  System sys{threads()};
  auto ref = sys.spawn("w", tracked(probe).decider([](const Failure&) { return Directive::stop; }))
                 .value();
  (void)ref.tell(Fail{});
  ASSERT_TRUE(eventually(sys, [&] { return !ref.alive(); }));
  EXPECT_EQ(probe.instances.load(), 1);
  EXPECT_EQ(probe.stopped_copy(), std::vector<std::string>{"/w"});
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(Supervision, DeciderSeesTheFailureDetails) {
  std::mutex mu;
  std::vector<Failure> seen;
  Probe probe;
  System sys{threads()};
  auto ref = sys.spawn("w", tracked(probe).decider([&](const Failure& f) {
                  std::lock_guard lock(mu);
                  seen.push_back(f);
                  return Directive::resume;
                }))
                 .value();
  (void)ref.tell(Ping{});
  (void)ref.tell(Fail{"disk on fire"});
  ASSERT_TRUE(sys.await_quiescence(5s));
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].actor_path, "/w");
  EXPECT_EQ(seen[0].what, "disk on fire");
  EXPECT_EQ(seen[0].message_seq, 2u);
}

/// A parent that spawns the given children in pre_start and forwards
/// messages by index.
struct ToChild {
  int index;
  Msg msg;
};
using ParentMsg = std::variant<ToChild, Fail>;

class Parent : public Actor<ParentMsg> {
 public:
  Parent(Probe* probe, std::vector<Props<Msg>> children) : probe_(probe), kids_(children) {}
  void pre_start(Context<ParentMsg>& ctx) override {
    ++probe_->instances;
    for (std::size_t i = 0; i < kids_.size(); ++i) {
      refs_.push_back(ctx.spawn(std::string("c").append(std::to_string(i)), kids_[i]).value());
    }
  }
  void receive(Context<ParentMsg>&, ParentMsg& msg) override {
    if (auto* f = std::get_if<Fail>(&msg)) throw std::runtime_error(f->why);
    auto& m = std::get<ToChild>(msg);
    (void)refs_.at(m.index).tell(m.msg);
  }
  void post_stop(Context<ParentMsg>& ctx) override {
    std::lock_guard lock(probe_->mu);
    probe_->stopped.push_back(ctx.path());
  }

 private:
  Probe* probe_;
  std::vector<Props<Msg>> kids_;
  std::vector<ActorRef<Msg>> refs_;
};

TEST(Supervision, AllForOneRestartsEverySiblingAndOnlyThem) {
  Probe kids;
  Probe parent_probe;
  Probe bystander;  // declared before the system, which outlives it otherwise
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto parent =
      sys.spawn("p", Props<ParentMsg>::of<Parent>(
                         &parent_probe, std::vector{tracked(kids), tracked(kids), tracked(kids)})
                         .supervise_children(Scope::all_for_one))
          .value();
  auto other = sys.spawn("other", tracked(bystander)).value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  ASSERT_EQ(kids.instances.load(), 3);
  (void)parent.tell(ToChild{1, Fail{}});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(kids.instances.load(), 6);
  EXPECT_EQ(parent_probe.instances.load(), 1);
  EXPECT_EQ(bystander.instances.load(), 1);
  std::vector<std::string> restarted;
  for (const auto& e : log.events(EventKind::restarted)) restarted.push_back(e.path);
  std::sort(restarted.begin(), restarted.end());
  EXPECT_EQ(restarted, (std::vector<std::string>{"/p/c0", "/p/c1", "/p/c2"}));
  EXPECT_TRUE(other.alive());
}

TEST(Supervision, AllForOneChargesEverySiblingItRestartsAgainstItsOwnBudget) {
  // c0 may restart once a minute; c1 fails twice. Each failure restarts c0
  // too, so the second must exhaust c0's budget rather than restart it again.
  Probe kids;
  Probe parent_probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto once = tracked(kids).restart({.max_restarts = 1, .within = 60s});
  auto often = tracked(kids).restart({.max_restarts = 10, .within = 60s});
  auto parent =
      sys.spawn("p", Props<ParentMsg>::of<Parent>(&parent_probe, std::vector{once, often, often})
                         .supervise_children(Scope::all_for_one)
                         .decider([](const Failure&) { return Directive::resume; }))
          .value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{1, Fail{"first"}});
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{1, Fail{"second"}});
  ASSERT_TRUE(eventually(sys, [&] { return log.events(EventKind::budget_exceeded).size() == 1; }));
  ASSERT_TRUE(sys.await_quiescence(5s));
  std::size_t c0_restarts = 0;
  for (const auto& e : log.events(EventKind::restarted)) c0_restarts += e.path == "/p/c0";
  EXPECT_EQ(c0_restarts, 1u);
  const auto exceeded = log.events(EventKind::budget_exceeded);
  ASSERT_EQ(exceeded.size(), 1u);
  EXPECT_EQ(exceeded[0].path, "/p/c0");
  // The stop applies to the whole scope, as a stop directive would.
  auto stopped = kids.stopped_copy();
  std::sort(stopped.begin(), stopped.end());
  EXPECT_EQ(stopped, (std::vector<std::string>{"/p/c0", "/p/c1", "/p/c2"}));
  const auto failed = log.events(EventKind::failed);
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(failed.back().path, "/p");
  EXPECT_NE(failed.back().detail.find("/p/c0"), std::string::npos) << failed.back().detail;
}

TEST(Supervision, EveryRestartDecisionIsAnEventEvenWithoutBackoff) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", tracked(probe)).value();
  (void)ref.tell(Fail{});
  ASSERT_TRUE(eventually(sys, [&] { return log.events(EventKind::restarted).size() == 1; }));
  const auto decided = log.events(EventKind::restart_scheduled);
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].path, "/w");
  EXPECT_EQ(decided[0].value, 0);
}

TEST(Supervision, OneForOneRestartsOnlyTheFailedChild) {
  Probe kids;
  Probe parent_probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto parent = sys.spawn("p", Props<ParentMsg>::of<Parent>(
                                   &parent_probe, std::vector{tracked(kids), tracked(kids)}))
                    .value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{0, Fail{}});
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(kids.instances.load(), 3);
  const auto restarted = log.events(EventKind::restarted);
  ASSERT_EQ(restarted.size(), 1u);
  EXPECT_EQ(restarted[0].path, "/p/c0");
}

TEST(Supervision, EscalateFailsTheParentWhichRestartsWithFreshChildren) {
  Probe kids;
  Probe parent_probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto child = tracked(kids).decider([](const Failure&) { return Directive::escalate; });
  auto parent =
      sys.spawn("p", Props<ParentMsg>::of<Parent>(&parent_probe, std::vector{child})).value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{0, Fail{"child broke"}});
  ASSERT_TRUE(sys.await_quiescence(5s));
  ASSERT_TRUE(eventually(sys, [&] { return parent_probe.instances.load() == 2; }));
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(kids.instances.load(), 2);  // the restarted parent built a new child
  const auto escalated = log.events(EventKind::escalated);
  ASSERT_FALSE(escalated.empty());
  EXPECT_EQ(escalated[0].path, "/p");
  const auto failed = log.events(EventKind::failed);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[1].path, "/p");
  EXPECT_NE(failed[1].detail.find("child broke"), std::string::npos);
}

TEST(Supervision, ExceededBudgetEscalatesToTheParent) {
  Probe kids;
  Probe parent_probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto child = tracked(kids).restart({.max_restarts = 1, .within = 60s});
  auto parent = sys.spawn("p", Props<ParentMsg>::of<Parent>(&parent_probe, std::vector{child})
                                   .decider([](const Failure&) { return Directive::resume; }))
                    .value();
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{0, Fail{}});
  ASSERT_TRUE(sys.await_quiescence(5s));
  (void)parent.tell(ToChild{0, Fail{}});
  ASSERT_TRUE(eventually(sys, [&] { return log.events(EventKind::budget_exceeded).size() == 1; }));
  ASSERT_TRUE(sys.await_quiescence(5s));
  const auto failed = log.events(EventKind::failed);
  ASSERT_EQ(failed.size(), 3u);
  EXPECT_EQ(failed[2].path, "/p");
  EXPECT_NE(failed[2].detail.find("restart budget exceeded"), std::string::npos);
  EXPECT_NE(failed[2].detail.find("(1 within 60s)"), std::string::npos) << failed[2].detail;
  EXPECT_EQ(kids.stopped_copy(), std::vector<std::string>{"/p/c0"});
}

TEST(Supervision, BackoffDelaysRestartsAndGrowsUpToTheCap) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", tracked(probe)
                                .restart({.max_restarts = 10, .within = 60s})
                                .backoff({.min = 20ms, .max = 50ms, .factor = 2.0}))
                 .value();
  for (int i = 0; i < 3; ++i) {
    const auto before = sys.now();
    (void)ref.tell(Fail{});
    ASSERT_TRUE(eventually(
        sys, [&] { return log.events(EventKind::restarted).size() == std::size_t(i + 1); }));
    EXPECT_GE(sys.now() - before, Duration(20ms));
  }
  std::vector<std::int64_t> delays;
  for (const auto& e : log.events(EventKind::restart_scheduled)) delays.push_back(e.value);
  EXPECT_EQ(delays, (std::vector<std::int64_t>{Duration(20ms).count(), Duration(40ms).count(),
                                               Duration(50ms).count()}));
}

// --- deep escalation chains -----------------------------------------------------

/// One level of a chain: spawns the next level below it, down to a leaf that
/// fails on its first message. Every level escalates its child's failure.
class Nest : public Actor<Msg> {
 public:
  explicit Nest(int below) : below_(below) {}
  void pre_start(Context<Msg>& ctx) override {
    if (below_ == 0) {
      (void)ctx.self().tell(Fail{"leaf broke"});
      return;
    }
    const std::string name = below_ == 1 ? "leaf" : "n";
    ASSERT_TRUE(ctx.spawn(name, nested(below_ - 1)));
  }
  void receive(Context<Msg>&, Msg& msg) override {
    if (auto* f = std::get_if<Fail>(&msg)) throw std::runtime_error(f->why);
  }
  static Props<Msg> nested(int below) {
    return Props<Msg>::of<Nest>(below).decider([](const Failure&) { return Directive::escalate; });
  }

 private:
  int below_;
};

/// The texts of the failures of one actor, from the event stream.
class FailuresOf final : public EventSink {
 public:
  explicit FailuresOf(std::string path) : path_(std::move(path)) {}
  void on_event(const Event& e) override {
    if (e.kind != EventKind::failed || e.path != path_) return;
    std::lock_guard lock(mu_);
    texts_.emplace_back(e.detail);
  }
  std::vector<std::string> texts() {
    std::lock_guard lock(mu_);
    return texts_;
  }

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<std::string> texts_;
};

TEST(Supervision, AnEscalationThroughThreeThousandLevelsIsQuickAndNamesTheLeafInBoundedText) {
  constexpr int kLevels = 3000;  // /top, 2998 levels named n, and /top/n/.../n/leaf
  FailuresOf top_failures{"/top"};
  System sys{threads(), {.events = &top_failures}};
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(sys.spawn("top", Nest::nested(kLevels - 1)));
  ASSERT_TRUE(eventually(
      sys, [&] { return !top_failures.texts().empty(); }, 60s));
  ASSERT_TRUE(sys.await_quiescence(60s));
  // Generous: a bound on the growth, not a benchmark (it took 13 s when each
  // level copied the whole chain).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  const auto texts = top_failures.texts();
  ASSERT_EQ(texts.size(), 1u);
  const std::string& text = texts[0];
  EXPECT_LE(text.size(), kFailureTextMax);
  EXPECT_EQ(text.rfind("escalated from /top/n/n/", 0), 0u) << text;
  EXPECT_NE(text.find("/n/leaf (" + std::to_string(kLevels - 1) + " levels): leaf broke"),
            std::string::npos)
      << text;
}

// A decider that resumes every failure met an actor whose constructor always
// throws: there is no instance to resume, so each rebuild is a restart of
// that child, charged to its budget. Before, the rebuild skipped the budget
// and the backoff and looped forever: no shutdown deadline could end it.
class BrokenAtBirth : public Actor<Msg> {
 public:
  explicit BrokenAtBirth(Probe* probe) {
    ++probe->instances;
    throw std::runtime_error("cannot be built");
  }
  void receive(Context<Msg>&, Msg&) override {}
};

TEST(Supervision, AResumeOfAChildThatWasNeverBuiltIsARestartWithinItsBudget) {
  Probe probe;
  EventLog log;
  System sys{threads(), {.events = &log}};
  auto ref = sys.spawn("w", Props<Msg>::of<BrokenAtBirth>(&probe)
                                .restart({.max_restarts = 3, .within = 60s})
                                .decider([](const Failure&) { return Directive::resume; }))
                 .value();
  (void)ref.tell(Ping{});
  ASSERT_TRUE(eventually(sys, [&] { return !ref.alive(); }));
  EXPECT_EQ(probe.instances.load(), 4);  // the first attempt and three restarts
  EXPECT_EQ(log.events(EventKind::budget_exceeded).size(), 1u);
  const ShutdownReport report = sys.shutdown(5s);
  EXPECT_TRUE(report.deadline_met);
  EXPECT_TRUE(sys.stats().balanced());
}

}  // namespace
}  // namespace troupe
