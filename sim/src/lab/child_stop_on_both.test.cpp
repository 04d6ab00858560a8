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

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class ChildStop : public ::testing::TestWithParam<On> {
 protected:
  std::unique_ptr<System> make_system(std::uint64_t seed) {
    return std::make_unique<System>(testing::make_scheduler(GetParam(), seed));
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
  for (int round = 0; round < rounds(); ++round) {
    auto sys = make_system(static_cast<std::uint64_t>(round) + 1);
    constexpr int kGenerations = 200;
    std::atomic<int> spawned{0}, refused{0};
    auto parent = sys->spawn("parent", Props<int>::of<Respawner>(kGenerations, &spawned, &refused)
                                           .mailbox({.capacity = 100000}))
                      .value();
    // Busy on another thread (threads) or interleaved (simulator).
    for (int i = 0; i < 2000; ++i) (void)parent.tell(i);
    ASSERT_TRUE(sys->await_quiescence(30s)) << "round " << round;
    EXPECT_EQ(refused.load(), 0) << "round " << round << ": the name was still taken";
    EXPECT_EQ(spawned.load(), kGenerations);
    EXPECT_TRUE(sys->stats().balanced());
  }
}

/// Fails with "restart-me" (its supervisor restarts it) after telling its
/// child, whose own child's failure escalates up to this actor while it is
/// restarting: the restart is suspended, and the supervisor resumes it.
struct InterruptedRestart final : Actor<int> {
  explicit InterruptedRestart(std::atomic<int>* spawned) : spawned_(spawned) {}
  void pre_start(Context<int>& ctx) override {
    const auto escalate = [](const Failure&) { return Directive::escalate; };
    auto failing_leaf = Props<int>::from_function([](Context<int>&, int&) {
                          throw std::runtime_error("leaf fails");
                        }).decider(escalate);
    middle_ =
        ctx.spawn("middle",
                  Props<int>::from_function([failing_leaf, leaf = std::optional<ActorRef<int>>{}](
                                                Context<int>& c, int& v) mutable {
                    if (!leaf) leaf = c.spawn("leaf", failing_leaf).value();
                    (void)leaf->tell(v);
                  }).decider(escalate))
            .value();
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
    auto sys = make_system(static_cast<std::uint64_t>(round) + 1);
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
