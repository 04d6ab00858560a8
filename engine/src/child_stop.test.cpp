// A stopped child leaves its parent's table by itself, under the parent's
// lock: no signal and no activation of the parent per child, except for the
// last child of a parent that waits for its children (stopping, restarting).
// These tests race the two on real threads and check nothing hangs or leaks.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Gate;
using testing::threads;

/// Spawns `children` children in pre_start that stop themselves on any
/// message; a message to the parent is forwarded to all of them, and a
/// negative one makes the parent throw after forwarding.
struct Brood final : Actor<int> {
  Brood(int children, std::atomic<int>* starts, std::atomic<int>* child_stops,
        std::atomic<int>* stops_seen_at_post_stop)
      : children_(children),
        starts_(starts),
        child_stops_(child_stops),
        seen_(stops_seen_at_post_stop) {}

  struct Child final : Actor<int> {
    explicit Child(std::atomic<int>* stops) : stops_(stops) {}
    void receive(Context<int>& ctx, int&) override { ctx.stop(); }
    void post_stop(Context<int>&) override { stops_->fetch_add(1); }
    std::atomic<int>* stops_;
  };

  void pre_start(Context<int>& ctx) override {
    starts_->fetch_add(1);
    kids_.clear();
    for (int i = 0; i < children_; ++i) {
      kids_.push_back(
          ctx.spawn(std::string("c").append(std::to_string(i)), Props<int>::of<Child>(child_stops_))
              .value());
    }
  }
  void receive(Context<int>&, int& v) override {
    for (auto& k : kids_) (void)k.tell(v);
    if (v < 0) throw std::runtime_error("the parent fails while its children stop");
  }
  void post_stop(Context<int>&) override { seen_->store(child_stops_->load()); }

  int children_;
  std::atomic<int>* starts_;
  std::atomic<int>* child_stops_;
  std::atomic<int>* seen_;
  std::vector<ActorRef<int>> kids_;
};

TEST(ChildStop, AParentStoppedWhileItsChildrenStopThemselvesStopsLastAndOnce) {
  System sys{threads(2)};
  constexpr int kChildren = 40;
  for (int round = 0; round < 60; ++round) {
    std::atomic<int> starts{0}, child_stops{0}, seen{-1};
    auto parent = sys.spawn(std::string("p").append(std::to_string(round)),
                            Props<int>::of<Brood>(kChildren, &starts, &child_stops, &seen))
                      .value();
    (void)parent.tell(round);  // the children start stopping themselves...
    if (round % 2 == 0) std::this_thread::yield();
    sys.stop(parent);  // ...while the parent is stopped
    ASSERT_TRUE(eventually(sys, [&] { return !parent.alive(); })) << "round " << round;
    EXPECT_EQ(seen.load(), kChildren) << "the parent stops after every child, round " << round;
    EXPECT_EQ(child_stops.load(), kChildren);
  }
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(ChildStop, AParentRestartingWhileItsChildrenStopThemselvesCompletesItsRestart) {
  System sys{threads(2)};
  constexpr int kChildren = 40;
  for (int round = 0; round < 60; ++round) {
    std::atomic<int> starts{0}, child_stops{0}, seen{-1};
    auto parent = sys.spawn(std::string("p").append(std::to_string(round)),
                            Props<int>::of<Brood>(kChildren, &starts, &child_stops, &seen)
                                .restart({.max_restarts = 5, .within = 1h}))
                      .value();
    (void)parent.tell(-1);  // the children stop themselves as the parent fails
    ASSERT_TRUE(eventually(sys, [&] { return starts.load() == 2; })) << "round " << round;
    ASSERT_TRUE(sys.await_quiescence(10s));
    EXPECT_EQ(child_stops.load(), kChildren) << "the old children all stopped first";
    EXPECT_TRUE(parent.alive());
    // The fresh instance's children took the same names: the old ones left.
    for (int i = 0; i < kChildren; i += 13) {
      EXPECT_TRUE(
          sys.find<int>(parent.path() + std::string("/c").append(std::to_string(i))).has_value());
    }
    sys.stop(parent);
    ASSERT_TRUE(eventually(sys, [&] { return !parent.alive(); }));
  }
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_TRUE(sys.stats().balanced());
}

/// Spawns a child in pre_restart (the old instance's last word) and one in
/// pre_start; fails on a negative message.
struct LateSpawner final : Actor<int> {
  explicit LateSpawner(std::atomic<int>* starts) : starts_(starts) {}
  void pre_start(Context<int>& ctx) override {
    starts_->fetch_add(1);
    ASSERT_TRUE(ctx.spawn("kept", Props<int>::from_function([](Context<int>&, int&) {})).ok());
  }
  void pre_restart(Context<int>& ctx, const Failure&) override {
    late_ok_ = ctx.spawn("late", Props<int>::from_function([](Context<int>&, int&) {})).ok();
    ASSERT_TRUE(late_ok_) << "the old instance may still spawn before it goes";
  }
  void receive(Context<int>&, int& v) override {
    if (v < 0) throw std::runtime_error("fail");
  }
  std::atomic<int>* starts_;
  bool late_ok_ = false;
};

TEST(ChildStop, AChildSpawnedInPreRestartIsStoppedWithTheRestAndTheRestartCompletes) {
  System sys{threads(2)};
  std::atomic<int> starts{0};
  auto parent =
      sys.spawn("late",
                Props<int>::of<LateSpawner>(&starts).restart({.max_restarts = 100, .within = 1h}))
          .value();
  for (int i = 0; i < 50; ++i) (void)parent.tell(-1);
  ASSERT_TRUE(eventually(sys, [&] { return starts.load() == 51; })) << starts.load();
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_TRUE(parent.alive());
  EXPECT_TRUE(sys.find<int>("/late/kept").has_value()) << "the fresh instance spawns again";
  EXPECT_FALSE(sys.find<int>("/late/late").has_value()) << "the old instance's child stopped";
  sys.stop(parent);
  ASSERT_TRUE(eventually(sys, [&] { return !parent.alive(); }));
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(ChildStop, AStoppedChildsNameIsFreeWhileItsParentIsStillBusy) {
  // The parent never leaves its handler until it has spawned a second
  // child under the first one's name: the name must come free without the
  // parent's help (a parent activation per stopped child is what a
  // million-child fan-out cannot afford).
  System sys{threads(2)};
  std::atomic<bool> reused{false};
  auto parent =
      sys.spawn("busy", Props<int>::from_function([&](Context<int>& ctx, int&) {
                  auto first =
                      ctx.spawn("again",
                                Props<int>::from_function([](Context<int>& c, int&) { c.stop(); }))
                          .value();
                  (void)first.tell(0);
                  const auto until = std::chrono::steady_clock::now() + 10s;
                  while (std::chrono::steady_clock::now() < until) {
                    auto second =
                        ctx.spawn("again", Props<int>::from_function([](Context<int>&, int&) {}));
                    if (second.ok()) {
                      reused = true;
                      return;
                    }
                    ASSERT_EQ(second.error().code, ErrorCode::duplicate_name);
                    std::this_thread::yield();
                  }
                }))
          .value();
  (void)parent.tell(0);
  ASSERT_TRUE(sys.await_quiescence(20s));
  EXPECT_TRUE(reused.load());
}

TEST(ChildStop, AFloodOfShortLivedChildrenLeavesNothingBehind) {
  System sys{threads(2)};
  constexpr int kChildren = 20000;
  std::atomic<int> handled{0};
  auto child = Props<int>::from_function([&](Context<int>& ctx, int&) {
    handled.fetch_add(1);
    ctx.stop();
  });
  auto parent = sys.spawn("fan", Props<int>::from_function([child](Context<int>& ctx, int& n) {
                            for (int i = 0; i < n; ++i) (void)ctx.spawn("", child).value().tell(i);
                          }))
                    .value();
  (void)parent.tell(kChildren);
  ASSERT_TRUE(sys.await_quiescence(30s));
  EXPECT_EQ(handled.load(), kChildren);
  const auto stats = sys.stats();
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.processed, static_cast<std::uint64_t>(kChildren) + 1);
  // The parent's table is empty: it stops at once, with nothing to wait for.
  sys.stop(parent);
  ASSERT_TRUE(eventually(
      sys, [&] { return !parent.alive(); }, 5s));
}

}  // namespace
}  // namespace troupe
