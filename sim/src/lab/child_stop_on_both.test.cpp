// A stopped child leaves its parent's table in its own last activation. On
// both schedulers: its name is free by the time any watcher hears of the
// stop, and a restart that was abandoned for a resume leaves the actor able
// to spawn again.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class ChildStop : public ::testing::TestWithParam<On> {
 protected:
  /// On the simulator, round `round` is a seed, under each strategy in turn.
  std::unique_ptr<System> make_system(int round) {
    if (GetParam() == On::threads) {
      return std::make_unique<System>(testing::make_scheduler(GetParam(), 0));
    }
    constexpr sim::Strategy kStrategies[] = {sim::Strategy::fifo, sim::Strategy::random,
                                             sim::Strategy::pct};
    return std::make_unique<System>(std::make_unique<sim::SimScheduler>(sim::SimSettings{
        .seed = static_cast<std::uint64_t>(round) + 1, .strategy = kStrategies[round % 3]}));
  }
  int rounds() const { return GetParam() == On::threads ? 20 : 60; }  // seeds on the simulator
};

INSTANTIATE_TEST_SUITE_P(Engine, ChildStop, testing::both_schedulers(), testing::scheduler_name);

/// Respawns "worker" under the same name each time the last one stops,
/// from on_terminated, while outside messages keep it busy.
struct Respawner final : Actor<int> {
  Respawner(int generations, std::atomic<int>* spawned, std::atomic<int>* refused)
      : left_(generations), spawned_(spawned), refused_(refused) {}
  void pre_start(Context<int>& ctx) override { respawn(ctx); }
  void receive(Context<int>&, int&) override {}
  void on_terminated(Context<int>& ctx, const Terminated&) override {
    if (--left_ > 0) respawn(ctx);
  }
  void respawn(Context<int>& ctx) {
    auto worker =
        ctx.spawn("worker", Props<int>::from_function([](Context<int>& c, int&) { c.stop(); }));
    if (!worker.ok()) {
      refused_->fetch_add(1);
      return;
    }
    spawned_->fetch_add(1);
    ctx.watch(worker.value());
    (void)worker.value().tell(0);
  }
  int left_;
  std::atomic<int>* spawned_;
  std::atomic<int>* refused_;
};

TEST_P(ChildStop, AStoppedChildsNameIsFreeWhenItsWatchingParentHearsOfTheStop) {
  const bool on_threads = GetParam() == On::threads;
  for (int round = 0; round < (on_threads ? 3 : rounds()); ++round) {
    // On threads: more workers than parents, one message per turn, so a
    // parent often runs on one core while its child stops on another.
    auto sys = on_threads ? std::make_unique<System>(std::make_unique<ThreadScheduler>(
                                ThreadSchedulerSettings{.threads = 4, .throughput = 1}))
                          : make_system(round);
    constexpr int kParents = 3;
    constexpr int kGenerations = 1000;
    std::atomic<int> spawned{0}, refused{0};
    std::vector<ActorRef<int>> parents;
    for (int p = 0; p < kParents; ++p) {
      parents.push_back(sys->spawn(std::string("parent").append(std::to_string(p)),
                                   Props<int>::of<Respawner>(kGenerations, &spawned, &refused)
                                       .mailbox({.capacity = 1000000}))
                            .value());
    }
    const auto done = [&] { return spawned + refused >= kParents * kGenerations || refused > 0; };
    // Keeps the parents busy from outside while their children come and go.
    for (int i = 0; i < 200000 && !done(); ++i) {
      (void)parents[static_cast<std::size_t>(i) % kParents].tell(i);
      if (!on_threads && i % 100 == 0)
        sys->scheduler().wait_until([] { return false; }, sys->now());
    }
    ASSERT_TRUE(sys->await_quiescence(60s)) << "round " << round;
    EXPECT_EQ(refused.load(), 0) << "round " << round << ": the name was still taken";
    EXPECT_EQ(spawned.load(), kParents * kGenerations);
    EXPECT_TRUE(sys->stats().balanced());
  }
}

/// Forwards to a child that fails; escalates that failure.
struct Middle final : Actor<int> {
  static Directive escalate(const Failure&) { return Directive::escalate; }
  void pre_start(Context<int>& ctx) override {
    leaf_ = ctx.spawn("leaf", Props<int>::from_function([](Context<int>&, int&) {
                                throw std::runtime_error("leaf fails");
                              }).decider(escalate))
                .value();
  }
  void receive(Context<int>&, int& v) override { (void)leaf_.tell(v); }
  ActorRef<int> leaf_;
};

/// Fails with "restart-me" (its supervisor restarts it) after telling its
/// child, whose own child's failure escalates up to this actor while it is
/// restarting: the restart is suspended, and the supervisor resumes it.
struct InterruptedRestart final : Actor<int> {
  explicit InterruptedRestart(std::atomic<int>* spawned) : spawned_(spawned) {}
  void pre_start(Context<int>& ctx) override {
    middle_ = ctx.spawn("middle", Props<int>::of<Middle>().decider(Middle::escalate)).value();
  }
  void receive(Context<int>& ctx, int& v) override {
    if (v == 1) {
      (void)middle_.tell(0);
      throw std::runtime_error("restart-me");
    }
    if (ctx.spawn("", Props<int>::from_function([](Context<int>&, int&) {})).ok()) {
      spawned_->fetch_add(1);
    }
  }
  std::atomic<int>* spawned_;
  ActorRef<int> middle_;
};

TEST_P(ChildStop, ARestartAbandonedForAResumeLeavesTheActorAbleToSpawn) {
  for (int round = 0; round < rounds(); ++round) {
    auto sys = make_system(round);
    std::atomic<int> spawned{0};
    auto actor =
        sys->spawn("p", Props<int>::of<InterruptedRestart>(&spawned).decider([](const Failure& f) {
             return f.what.find("restart-me") != std::string::npos ? Directive::restart
                                                                   : Directive::resume;
           }))
            .value();
    (void)actor.tell(1);
    ASSERT_TRUE(sys->await_quiescence(30s)) << "round " << round;
    (void)actor.tell(2);
    ASSERT_TRUE(sys->await_quiescence(30s)) << "round " << round;
    EXPECT_TRUE(actor.alive());
    EXPECT_EQ(spawned.load(), 1) << "round " << round << ": a running actor refused a child";
    EXPECT_TRUE(sys->stats().balanced());
  }
}

}  // namespace
}  // namespace troupe
