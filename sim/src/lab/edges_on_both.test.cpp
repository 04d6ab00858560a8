// Outside-in attacks on the conservation law and on Terminated, on both
// schedulers, written against the public API only: timers armed in every
// lifecycle hook, cancels with ids that are not the actor's own, restart
// storms with timers pending, pool hand-overs that cannot find a successor,
// watchers that are suspended or restarting when a watched actor stops.
// Each test checks SystemStats::balanced() and explicit end-to-end counts.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "troupe/pool.hpp"
#include "troupe/testing/both_schedulers.hpp"
#include "troupe/testing/test_support.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class Edges : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = make_system(); }
  void TearDown() override { sys_.reset(); }
  std::unique_ptr<System> make_system(std::uint64_t seed = 11) const {
    return std::make_unique<System>(
        testing::make_scheduler(GetParam(), seed, {.threads = 2, .throughput = 8, .seed = seed}));
  }
  System& sys() { return *sys_; }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, Edges, testing::both_schedulers(), testing::scheduler_name);

std::string describe(const SystemStats& s) {
  return "sent " + std::to_string(s.sent) + " processed " + std::to_string(s.processed) + " dead " +
         std::to_string(s.dead_letters()) + " queued " + std::to_string(s.queued) + " scheduled " +
         std::to_string(s.scheduled);
}

// --- Terminated and the watcher's lifecycle -------------------------------

struct WatchIt {
  ActorRef<int> target;
};
struct StopItAndFail {
  ActorRef<int> target;
};
struct Hold {
  testing::Gate* gate;
  std::atomic<bool>* holding;
};
using WatcherMsg = std::variant<WatchIt, StopItAndFail, Hold>;

/// Which instance (1 = first, 2 = after the first restart, ...) saw each
/// Terminated, and whether it was suspended at the time.
struct TerminatedLog {
  std::mutex mu;
  std::vector<int> generations;
};

class Watcher : public Actor<WatcherMsg> {
 public:
  Watcher(int generation, TerminatedLog* log) : generation_(generation), log_(log) {}
  void receive(Context<WatcherMsg>& ctx, WatcherMsg& m) override {
    if (auto* w = std::get_if<WatchIt>(&m)) {
      ctx.watch(w->target);
      return;
    }
    if (auto* h = std::get_if<Hold>(&m)) {
      *h->holding = true;
      h->gate->wait();
      return;
    }
    // The watched actor stops while this actor's failure is still being
    // decided (the restart is delayed by backoff): it is suspended.
    ctx.stop(std::get<StopItAndFail>(m).target);
    throw std::runtime_error("watcher fails");
  }
  void on_terminated(Context<WatcherMsg>&, const Terminated&) override {
    std::lock_guard lock(log_->mu);
    log_->generations.push_back(generation_);
  }

 private:
  const int generation_;
  TerminatedLog* log_;
};

TEST_P(Edges, ASuspendedWatcherGetsTerminatedOnceAndOnlyAfterItsRestart) {
  TerminatedLog log;
  auto generations = std::make_shared<std::atomic<int>>(0);
  auto watcher_props = Props<WatcherMsg>([generations, &log] {
                         return std::make_unique<Watcher>(++*generations, &log);
                       }).backoff({.min = 300ms, .max = 300ms});
  auto target =
      sys().spawn("target", Props<int>::from_function([](Context<int>&, int&) {})).value();
  auto watcher = sys().spawn("watcher", watcher_props).value();
  (void)watcher.tell(WatchIt{target});
  (void)watcher.tell(StopItAndFail{target});
  ASSERT_TRUE(sys().await_quiescence(20s));
  EXPECT_FALSE(target.alive());
  std::lock_guard lock(log.mu);
  // A suspended actor runs no user code: its failed instance must not see
  // the Terminated; the instance that replaces it does, exactly once.
  EXPECT_EQ(log.generations, std::vector<int>{2});
}

TEST_P(Edges, AWatcherWithAFullMailboxStillGetsTerminatedOnce) {
  // The watcher's mailbox is full of watches of the same target when the
  // target stops: those watches come before its Terminated is delivered, so
  // they are the same watch, and exactly one Terminated arrives.
  TerminatedLog log;
  auto generations = std::make_shared<std::atomic<int>>(0);
  auto target =
      sys().spawn("target", Props<int>::from_function([](Context<int>&, int&) {})).value();
  auto watcher = sys()
                     .spawn("watcher", Props<WatcherMsg>([generations, &log] {
                                         return std::make_unique<Watcher>(++*generations, &log);
                                       }).mailbox({.capacity = 2}))
                     .value();
  (void)watcher.tell(WatchIt{target});
  ASSERT_TRUE(sys().await_quiescence(10s));
  testing::Gate gate;
  std::atomic<bool> holding{false};
  if (GetParam() == On::threads) {
    // Keep the watcher in a handler while its mailbox fills (the simulator
    // runs nothing before the next await).
    (void)watcher.tell(Hold{&gate, &holding});
    while (!holding.load()) std::this_thread::yield();
  }
  (void)watcher.tell(WatchIt{target});  // watching twice is one watch
  (void)watcher.tell(WatchIt{target});
  EXPECT_EQ(watcher.tell(WatchIt{target}), SendResult::mailbox_full);
  sys().stop(target);
  if (GetParam() == On::threads) {
    while (target.alive()) std::this_thread::yield();
    gate.open();
  }
  ASSERT_TRUE(sys().await_quiescence(10s));
  std::lock_guard lock(log.mu);
  EXPECT_EQ(log.generations, std::vector<int>{1});
  EXPECT_TRUE(sys().stats().balanced()) << describe(sys().stats());
}

// --- Many watched actors, stopping in every way there is ------------------

struct WatchAll {
  std::vector<ActorRef<int>> targets;
};
struct Note {
  int from;
};
using HubMsg = std::variant<WatchAll, Note>;

/// Watches every target; counts each Terminated by path and checks that it
/// comes after the target's own Note (sent just before it stopped).
class Hub : public Actor<HubMsg> {
 public:
  Hub(std::map<std::string, int>* terminated, std::atomic<int>* overtaken,
      std::set<std::string>* noted, std::mutex* mu)
      : terminated_(terminated), overtaken_(overtaken), noted_(noted), mu_(mu) {}
  void receive(Context<HubMsg>& ctx, HubMsg& m) override {
    if (auto* all = std::get_if<WatchAll>(&m)) {
      for (const auto& t : all->targets) ctx.watch(t);
      return;
    }
    std::lock_guard lock(*mu_);
    noted_->insert("/t" + std::to_string(std::get<Note>(m).from));
  }
  void on_terminated(Context<HubMsg>&, const Terminated& t) override {
    std::lock_guard lock(*mu_);
    ++(*terminated_)[t.path];
    if (noted_->count(t.path) == 0) ++*overtaken_;
  }

 private:
  std::map<std::string, int>* terminated_;
  std::atomic<int>* overtaken_;
  std::set<std::string>* noted_;
  std::mutex* mu_;
};

TEST_P(Edges, AWatcherOfManyActorsGetsEachTerminatedExactlyOnceAfterTheirLastNote) {
  std::mutex mu;
  std::map<std::string, int> terminated;
  std::set<std::string> noted;
  std::atomic<int> overtaken{0};
  auto hub =
      sys().spawn("hub", Props<HubMsg>::of<Hub>(&terminated, &overtaken, &noted, &mu)).value();
  constexpr int kTargets = 40;
  std::vector<ActorRef<int>> targets;
  for (int i = 0; i < kTargets; ++i) {
    // Four ways to stop: by itself, by a failure without restarts, by the
    // system, and before the watch even starts (already stopped).
    const int way = i % 4;
    auto props = Props<int>::from_function([hub, i, way](Context<int>& ctx, int&) {
                   (void)hub.tell(Note{i});
                   if (way == 0) ctx.stop();
                   if (way == 1) throw std::runtime_error("no restarts left");
                 }).restart({.max_restarts = 0, .within = 1s});
    targets.push_back(sys().spawn(std::string("t").append(std::to_string(i)), props).value());
    (void)targets.back().tell(0);
  }
  ASSERT_TRUE(sys().await_quiescence(10s));
  for (int i = 3; i < kTargets; i += 4) sys().stop(targets[i]);
  ASSERT_TRUE(sys().await_quiescence(10s));
  (void)hub.tell(WatchAll{targets});
  for (int i = 2; i < kTargets; i += 4) sys().stop(targets[i]);
  ASSERT_TRUE(sys().await_quiescence(10s));
  std::lock_guard lock(mu);
  EXPECT_EQ(terminated.size(), std::size_t{kTargets});
  for (const auto& [path, count] : terminated) EXPECT_EQ(count, 1) << path;
  EXPECT_EQ(overtaken.load(), 0);
  EXPECT_TRUE(sys().stats().balanced()) << describe(sys().stats());
}

// --- Timers in every hook, cancels, restart storms ------------------------

struct Tick {};
struct Arm1h {};
struct Fail {};
using TMsg = std::variant<Tick, Arm1h, Fail>;

/// Arms timers from every lifecycle hook; counts the ticks that arrive.
class HookTimers : public Actor<TMsg> {
 public:
  HookTimers(std::atomic<int>* armed, std::atomic<int>* ticks) : armed_(armed), ticks_(ticks) {}
  void pre_start(Context<TMsg>& ctx) override { arm(ctx, 5ms); }
  void pre_restart(Context<TMsg>& ctx, const Failure&) override { arm(ctx, 1h); }
  void post_stop(Context<TMsg>& ctx) override {
    arm(ctx, 0ms);
    arm(ctx, 1h);
    arm(ctx, Duration::max());
  }
  void receive(Context<TMsg>& ctx, TMsg& m) override {
    if (std::holds_alternative<Tick>(m)) {
      ++*ticks_;
    } else if (std::holds_alternative<Arm1h>(m)) {
      arm(ctx, 1h);
    } else {
      arm(ctx, 0ms);
      throw std::runtime_error("fail");
    }
  }

 private:
  void arm(Context<TMsg>& ctx, Duration d) {
    ctx.schedule_once(d, Tick{});
    ++*armed_;
  }
  std::atomic<int>* armed_;
  std::atomic<int>* ticks_;
};

TEST_P(Edges, TimersArmedInEveryHookEndProcessedOrAsDeadLetters) {
  std::atomic<int> armed{0};
  std::atomic<int> ticks{0};
  auto a = sys()
               .spawn("a", Props<TMsg>::of<HookTimers>(&armed, &ticks)
                               .restart({.max_restarts = 100, .within = 1h}))
               .value();
  for (int i = 0; i < 5; ++i) {
    (void)a.tell(Arm1h{});
    (void)a.tell(Fail{});
  }
  (void)sys().await_quiescence(200ms);  // 1h timers keep it from quiescence
  const ShutdownReport report = sys().shutdown(100ms);
  (void)report;
  const SystemStats s = sys().stats();
  EXPECT_TRUE(s.balanced()) << describe(s);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(s.scheduled, 0u);
  // Every armed tick was handled, cancelled with its instance, or arrived
  // at a closed mailbox (armed in post_stop, fired before the cancel).
  const auto timer_ends = static_cast<std::uint64_t>(ticks.load()) +
                          s.dead_letters(DeadLetterReason::timer_cancelled) +
                          s.dead_letters(DeadLetterReason::actor_stopped) +
                          s.dead_letters(DeadLetterReason::shutdown_abandoned);
  EXPECT_EQ(timer_ends, static_cast<std::uint64_t>(armed.load())) << describe(s);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 5u);
  EXPECT_EQ(s.sent, 10u + static_cast<std::uint64_t>(armed.load()));
}

TEST_P(Edges, ARestartStormWithPendingTimersLosesNoTimerMessage) {
  std::atomic<int> armed{0};
  std::atomic<int> ticks{0};
  auto a = sys()
               .spawn("storm", Props<TMsg>::of<HookTimers>(&armed, &ticks)
                                   .restart({.max_restarts = 1000, .within = 1h}))
               .value();
  for (int i = 0; i < 100; ++i) {
    (void)a.tell(Arm1h{});
    (void)a.tell(Arm1h{});
    (void)a.tell(Fail{});
  }
  (void)sys().await_quiescence(300ms);
  // Only the last instance's timers can still be pending: its pre_start
  // tick and the 1h one armed by pre_restart.
  const SystemStats mid = sys().stats();
  EXPECT_TRUE(mid.balanced()) << describe(mid);
  EXPECT_LE(mid.scheduled, 2u) << describe(mid);
  sys().shutdown(100ms);
  const SystemStats s = sys().stats();
  EXPECT_TRUE(s.balanced()) << describe(s);
  EXPECT_EQ(s.scheduled, 0u);
  EXPECT_EQ(static_cast<std::uint64_t>(ticks.load()) +
                s.dead_letters(DeadLetterReason::timer_cancelled) +
                s.dead_letters(DeadLetterReason::actor_stopped),
            static_cast<std::uint64_t>(armed.load()))
      << describe(s);
}

struct Report {
  std::vector<TimerId> ids;
};

TEST_P(Edges, CancellingAnotherActorsOrAStaleTimerIdChangesNothing) {
  std::atomic<int> ticks{0};
  auto victim_ids = std::make_shared<std::mutex>();
  auto shared_ids = std::make_shared<std::vector<TimerId>>();
  auto victim =
      sys()
          .spawn("victim",
                 Props<int>::from_function([&, shared_ids, victim_ids](Context<int>& ctx, int& n) {
                   if (n == 0) {
                     std::lock_guard lock(*victim_ids);
                     shared_ids->push_back(ctx.schedule_once(100ms, 1));
                   } else {
                     ++ticks;
                   }
                 }))
          .value();
  std::atomic<int> cancelled{0};
  auto thief =
      sys()
          .spawn("thief",
                 Props<int>::from_function([&, shared_ids, victim_ids](Context<int>& ctx, int& n) {
                   if (n == 1) return;  // its own timer's message
                   const TimerId own = ctx.schedule_once(0ms, 1);
                   std::lock_guard lock(*victim_ids);
                   for (TimerId id : *shared_ids) cancelled += ctx.cancel_timer(id) ? 1 : 0;
                   for (TimerId id : {TimerId{0}, TimerId{999999}, own + 1, own + 2}) {
                     cancelled += ctx.cancel_timer(id) ? 1 : 0;
                   }
                 }))
          .value();
  (void)victim.tell(0);
  (void)sys().await_quiescence(10ms);
  (void)thief.tell(0);
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(cancelled.load(), 0);
  EXPECT_EQ(ticks.load(), 1);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(), 0u) << describe(s);
  EXPECT_TRUE(s.balanced()) << describe(s);
}

struct Child {
  std::atomic<int>* armed;
  std::atomic<int>* ticks;
};

TEST_P(Edges, AnAllForOneSiblingRestartCancelsTheOthersTimersAsDeadLetters) {
  std::atomic<int> armed{0};
  std::atomic<int> ticks{0};
  auto kids = std::make_shared<std::vector<ActorRef<TMsg>>>();
  auto kids_mu = std::make_shared<std::mutex>();
  auto parent =
      sys()
          .spawn("parent", Props<int>::from_function([&, kids, kids_mu](Context<int>& ctx, int&) {
                             std::lock_guard lock(*kids_mu);
                             for (const char* name : {"a", "b"}) {
                               kids->push_back(
                                   ctx.spawn(name, Props<TMsg>::of<HookTimers>(&armed, &ticks)
                                                       .restart({.max_restarts = 10, .within = 1h}))
                                       .value());
                             }
                           }).supervise_children(Scope::all_for_one))
          .value();
  (void)parent.tell(0);
  (void)sys().await_quiescence(100ms);
  {
    std::lock_guard lock(*kids_mu);
    ASSERT_EQ(kids->size(), 2u);
    for (int i = 0; i < 3; ++i) (void)(*kids)[0].tell(Arm1h{});
  }
  (void)sys().await_quiescence(100ms);
  EXPECT_EQ(sys().stats().scheduled, 3u);
  (void)(*kids)[1].tell(Fail{});  // restarts both: a's three 1h timers go with its instance
  (void)sys().await_quiescence(100ms);
  const SystemStats s = sys().stats();
  EXPECT_TRUE(s.balanced()) << describe(s);
  // The 1h timers each pre_restart armed belong to the old instances and
  // went with them too.
  EXPECT_EQ(s.scheduled, 0u) << describe(s);
  EXPECT_EQ(
      static_cast<std::uint64_t>(ticks.load()) + s.dead_letters(DeadLetterReason::timer_cancelled),
      static_cast<std::uint64_t>(armed.load()))
      << describe(s);
  // The actors' post_stop counts on this frame's counters: stop them here.
  sys().shutdown(100ms);
}

// --- Pools: hand-over without a successor, and shutdown ------------------

TEST_P(Edges, AHandOverDuringShutdownHasNoSuccessorAndTurnsTheQueueIntoDeadLetters) {
  std::atomic<int> done{0};
  auto props = Props<int>::from_function([&](Context<int>&, int& n) {
                 if (n % 10 == 9) throw std::runtime_error("bad job");
                 ++done;
               })
                   .mailbox({.capacity = 128})
                   .restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<int>::spawn(sys(), "p", props, {.min = 1, .max = 1}).value();
  for (int i = 0; i < 100; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  const ShutdownReport report = sys().shutdown(10s);
  const SystemStats s = sys().stats();
  EXPECT_TRUE(s.balanced()) << describe(s);
  EXPECT_EQ(s.sent, 100u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_EQ(static_cast<std::uint64_t>(done.load()) + s.dead_letters(), 100u) << describe(s);
  EXPECT_EQ(s.processed, static_cast<std::uint64_t>(done.load()));
  EXPECT_EQ(pool.tell(1), SendResult::actor_stopped);
  (void)report;
}

TEST_P(Edges, AHandOverKeepsDropOldestAccountingExact) {
  std::atomic<int> done{0};
  auto props = Props<int>::from_function([&](Context<int>&, int& n) {
                 if (n % 7 == 6) throw std::runtime_error("bad job");
                 ++done;
               })
                   .mailbox({.capacity = 8, .overflow = Overflow::drop_oldest})
                   .restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<int>::spawn(sys(), "p", props, {.min = 2, .max = 2}).value();
  for (int i = 0; i < 500; ++i) (void)pool.tell(i);
  ASSERT_TRUE(sys().await_quiescence(20s));
  const SystemStats s = sys().stats();
  EXPECT_TRUE(s.balanced()) << describe(s);
  EXPECT_EQ(s.sent, 500u);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 0u) << describe(s);
  EXPECT_EQ(static_cast<std::uint64_t>(done.load()) +
                s.dead_letters(DeadLetterReason::handler_failed) +
                s.dead_letters(DeadLetterReason::mailbox_full),
            500u)
      << describe(s);
  EXPECT_EQ(pool.size(), 2u);
}

TEST_P(Edges, ShutdownAtOnceOrNeverWithABusyPoolAccountsForEveryMessage) {
  for (const Duration deadline : {Duration::zero(), Duration::max()}) {
    auto sys = make_system();
    std::atomic<int> done{0};
    auto props = Props<int>::from_function([&](Context<int>&, int&) {
                   if (GetParam() == On::threads) std::this_thread::sleep_for(20us);
                   ++done;
                 }).mailbox({.capacity = 1000});
    auto pool = Pool<int>::spawn(*sys, "busy", props, {.min = 4, .max = 4}).value();
    for (int i = 0; i < 2000; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
    const ShutdownReport report = sys->shutdown(deadline);
    const SystemStats s = sys->stats();
    EXPECT_TRUE(s.balanced()) << describe(s);
    EXPECT_EQ(s.sent, 2000u);
    EXPECT_EQ(s.queued, 0u);
    EXPECT_EQ(s.processed, static_cast<std::uint64_t>(done.load()));
    EXPECT_EQ(s.processed + s.dead_letters(DeadLetterReason::shutdown_abandoned), 2000u)
        << describe(s);
    EXPECT_EQ(report.abandoned, s.dead_letters(DeadLetterReason::shutdown_abandoned));
    if (deadline == Duration::max()) {
      EXPECT_TRUE(report.deadline_met);
      EXPECT_EQ(done.load(), 2000);
    }
  }
}

}  // namespace
}  // namespace troupe
