// The parts of an actor most actors never use (children, watches, failures,
// restarts, deferred Terminated signals) live in a block made by the first
// use, from whichever thread comes first: a watcher on its own thread, the
// actor failing on its own, the supervisor deciding a restart on its own.
// These tests make those first uses race and check that none is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::metric_sample;
using testing::threads;

/// Watches every actor it is sent, and counts their Terminated signals.
struct Watcher final : Actor<ActorRef<int>> {
  explicit Watcher(std::atomic<int>* terminated) : terminated_(terminated) {}
  void receive(Context<ActorRef<int>>& ctx, ActorRef<int>& target) override { ctx.watch(target); }
  void on_terminated(Context<ActorRef<int>>&, const Terminated&) override {
    terminated_->fetch_add(1);
  }
  std::atomic<int>* terminated_;
};

TEST(RareParts, FirstWatchesFailuresAndRestartsRacingLoseNothing) {
  constexpr int kActors = 200;
  constexpr int kFailuresEach = 3;
  std::atomic<int> terminated{0};
  System sys{threads(2)};
  auto watcher = sys.spawn("watcher", Props<ActorRef<int>>::of<Watcher>(&terminated)).value();
  const auto flaky = Props<int>::from_function([](Context<int>&, int& v) {
                       if (v < 0) throw std::runtime_error("negative");
                     }).restart({.max_restarts = kFailuresEach, .within = 3600s});
  std::vector<ActorRef<int>> actors;
  for (int i = 0; i < kActors; ++i) {
    actors.push_back(sys.spawn(std::string("a").append(std::to_string(i)), flaky).value());
  }
  // Each actor's first failure, its supervisor's first restart decision and
  // its first watcher arrive from three threads at once.
  std::vector<std::thread> senders;
  senders.emplace_back([&] {
    for (const auto& a : actors) ASSERT_EQ(watcher.tell(ActorRef<int>(a)), SendResult::accepted);
  });
  for (int t = 0; t < 2; ++t) {
    senders.emplace_back([&, t] {
      for (int round = 0; round < kFailuresEach; ++round) {
        for (int i = t; i < kActors; i += 2) {
          ASSERT_EQ(actors[static_cast<std::size_t>(i)].tell(-1), SendResult::accepted);
          ASSERT_EQ(actors[static_cast<std::size_t>(i)].tell(1), SendResult::accepted);
        }
      }
    });
  }
  for (auto& s : senders) s.join();
  ASSERT_TRUE(sys.await_quiescence(30s));

  const std::string text = sys.metrics_text();
  for (const auto& a : actors) {
    const std::string actor = "{actor=\"" + a.path() + "\"}";
    ASSERT_EQ(metric_sample(text, "troupe_actor_failures_total" + actor),
              std::to_string(kFailuresEach))
        << a.path();
    ASSERT_EQ(metric_sample(text, "troupe_actor_restarts_total" + actor),
              std::to_string(kFailuresEach))
        << a.path();
  }
  for (const auto& a : actors) sys.stop(a);
  ASSERT_TRUE(sys.await_quiescence(30s));
  EXPECT_EQ(terminated.load(), kActors) << "every watch was kept, and told of its stop once";
  const auto stats = sys.stats();
  EXPECT_TRUE(stats.balanced()) << "sent " << stats.sent << " processed " << stats.processed
                                << " dead " << stats.dead_letters();
}

TEST(RareParts, AnActorThatNeverUsesThemStillReportsZeroCounts) {
  System sys{threads(1)};
  auto quiet = sys.spawn("quiet", Props<int>::from_function([](Context<int>&, int&) {})).value();
  ASSERT_EQ(quiet.tell(1), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  const std::string text = sys.metrics_text();
  const std::string actor = "{actor=\"" + quiet.path() + "\"}";
  EXPECT_EQ(metric_sample(text, "troupe_actor_failures_total" + actor), "0") << text;
  EXPECT_EQ(metric_sample(text, "troupe_actor_restarts_total" + actor), "0") << text;
  EXPECT_EQ(metric_sample(text, "troupe_messages_processed_total" + actor), "1") << text;
}

TEST(RareParts, HandlerTimesAreRecordedByKindFromTheFirstMessage) {
  // The histogram is found at the first sample, not made at spawn: the
  // first message of a kind is timed and appears under its kind.
  System sys{threads(1)};
  auto a =
      sys.spawn("a", Props<int>::from_function([](Context<int>&, int&) {}).kind("worker")).value();
  const std::string before = sys.metrics_text();
  ASSERT_EQ(a.tell(1), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  const std::string after = sys.metrics_text();
  EXPECT_EQ(metric_sample(after, "troupe_message_processing_seconds_count{kind=\"worker\"}"), "1")
      << after;
  EXPECT_EQ(before.find("kind=\"worker\""), std::string::npos) << before;
}

TEST(RareParts, AUserMetricUnderTheHistogramsNameIsRefusedAtItsOwnCallNotInAHandler) {
  // The histogram's series are made at the first timed message, on a worker;
  // its name is taken when the system starts, so a clash is the caller's error.
  System sys{threads(1)};
  EXPECT_THROW(sys.metrics().counter("troupe_message_processing_seconds", "mine"),
               std::invalid_argument);
  std::atomic<int> handled{0};
  auto a =
      sys.spawn("a", Props<int>::from_function([&](Context<int>&, int&) { ++handled; })).value();
  ASSERT_EQ(a.tell(1), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_EQ(handled.load(), 1);
  EXPECT_THROW(sys.metrics().counter("troupe_message_processing_seconds", "mine"),
               std::invalid_argument);
}

}  // namespace
}  // namespace troupe
