// The conservation law under stress: sent == processed + dead letters + queued.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::threads;

TEST(Conservation, HoldsAfterAStressRunWithEightSendersAndCrashingHandlers) {
  constexpr int kSenders = 8;
  constexpr int kPerSender = 5000;
  constexpr int kActors = 6;
  std::atomic<std::uint64_t> handled{0};
  System sys{threads(4, 16)};
  std::vector<ActorRef<int>> actors;
  for (int i = 0; i < kActors; ++i) {
    // Small mailboxes, two overflow policies and a crash every 97th value:
    // every path to a dead letter is exercised at once.
    const auto overflow = i % 2 == 0 ? Overflow::reject : Overflow::drop_oldest;
    auto props = Props<int>::from_function([&](Context<int>&, int& v) {
                   if (v % 97 == 0) throw std::runtime_error("crash");
                   ++handled;
                 })
                     .mailbox({.capacity = 64, .overflow = overflow})
                     .restart({.max_restarts = 1000000, .within = 1s});
    actors.push_back(sys.spawn(std::string("a").append(std::to_string(i)), props).value());
  }
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) (void)actors[(s + i) % kActors].tell(i);
    });
  }
  for (auto& t : senders) t.join();
  ASSERT_TRUE(sys.await_quiescence(30s));
  const auto quiet = sys.stats();
  EXPECT_EQ(quiet.sent, std::uint64_t{kSenders} * kPerSender);
  EXPECT_EQ(quiet.queued, 0u);
  EXPECT_EQ(quiet.processed, handled.load());
  EXPECT_GT(quiet.dead_letters(DeadLetterReason::handler_failed), 0u);
  EXPECT_TRUE(quiet.balanced()) << "sent " << quiet.sent << " processed " << quiet.processed
                                << " dead " << quiet.dead_letters();

  sys.shutdown(5s);
  const auto after = sys.stats();
  EXPECT_TRUE(after.balanced());
  EXPECT_EQ(after.sent, quiet.sent);
}

TEST(Conservation, HoldsWhenShutdownAbandonsWorkInFlight) {
  std::atomic<bool> stop_sending{false};
  System sys{threads(2, 8)};
  auto slow = sys.spawn("slow", Props<int>::from_function([](Context<int>&, int&) {
                          std::this_thread::sleep_for(200us);
                        }))
                  .value();
  std::vector<std::thread> senders;
  for (int s = 0; s < 4; ++s) {
    senders.emplace_back([&] {
      for (int i = 0; i < 20000 && !stop_sending; ++i) (void)slow.tell(i);
    });
  }
  std::this_thread::sleep_for(20ms);
  const auto report = sys.shutdown(30ms);  // senders are still sending
  stop_sending = true;
  for (auto& t : senders) t.join();
  const auto stats = sys.stats();
  EXPECT_TRUE(stats.balanced()) << "sent " << stats.sent << " processed " << stats.processed
                                << " dead " << stats.dead_letters() << " queued " << stats.queued;
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(report.abandoned, stats.dead_letters(DeadLetterReason::shutdown_abandoned));
}

}  // namespace
}  // namespace troupe
