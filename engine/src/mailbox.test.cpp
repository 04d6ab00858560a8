#include "troupe/mailbox.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::Gate;
using testing::threads;

/// An actor whose message 0 waits at the gate, so later ones queue up.
struct GatedRecorder {
  Gate gate;
  std::atomic<bool> holding{false};
  std::mutex mu;
  std::vector<int> seen;

  Props<int> props(MailboxSettings settings) {
    return Props<int>::from_function([this](Context<int>&, int& v) {
             if (v == 0) {
               holding = true;
               gate.wait();
             }
             std::lock_guard lock(mu);
             seen.push_back(v);
           })
        .mailbox(settings);
  }

  /// Sends message 0 and waits until its handler is holding at the gate.
  void hold(System& sys, const ActorRef<int>& ref) {
    ASSERT_EQ(ref.tell(0), SendResult::accepted);
    ASSERT_TRUE(eventually(sys, [&] { return holding.load(); }));
  }
};

TEST(MailboxSettings, RejectsInvalidValuesNamingTheField) {
  EXPECT_THROW(validate(MailboxSettings{.capacity = 0}), std::invalid_argument);
  EXPECT_THROW(validate(MailboxSettings{.capacity = kMaxMailboxCapacity + 1}),
               std::invalid_argument);
  try {
    validate(MailboxSettings{.capacity = 4, .overflow = Overflow::block, .block_timeout = 0s});
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("block_timeout"), std::string::npos);
  }
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  EXPECT_THROW(fn.mailbox({.capacity = 0}), std::invalid_argument);
}

TEST(Mailbox, RejectsWhenFullAndCountsADeadLetter) {
  GatedRecorder rec;
  System sys{threads()};
  auto ref = sys.spawn("r", rec.props({.capacity = 2})).value();
  rec.hold(sys, ref);
  EXPECT_EQ(ref.tell(1), SendResult::accepted);
  EXPECT_EQ(ref.tell(2), SendResult::accepted);
  EXPECT_EQ(ref.tell(3), SendResult::mailbox_full);
  EXPECT_EQ(sys.stats().dead_letters(DeadLetterReason::mailbox_full), 1u);
  rec.gate.open();
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(rec.seen, (std::vector<int>{0, 1, 2}));
  const auto stats = sys.stats();
  EXPECT_EQ(stats.sent, 4u);
  EXPECT_TRUE(stats.balanced());
}

TEST(Mailbox, DropOldestKeepsTheNewestAndCountsTheDropped) {
  GatedRecorder rec;
  System sys{threads()};
  auto ref = sys.spawn("r", rec.props({.capacity = 2, .overflow = Overflow::drop_oldest})).value();
  rec.hold(sys, ref);
  for (int v = 1; v <= 5; ++v) EXPECT_EQ(ref.tell(v), SendResult::accepted);
  EXPECT_EQ(sys.stats().dead_letters(DeadLetterReason::mailbox_full), 3u);
  rec.gate.open();
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(rec.seen, (std::vector<int>{0, 4, 5}));
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(Mailbox, BlockWaitsForRoomThenAccepts) {
  GatedRecorder rec;
  System sys{threads()};
  auto ref =
      sys.spawn("r", rec.props({.capacity = 1, .overflow = Overflow::block, .block_timeout = 10s}))
          .value();
  rec.hold(sys, ref);
  ASSERT_EQ(ref.tell(1), SendResult::accepted);  // fills the mailbox
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);
    rec.gate.open();
  });
  EXPECT_EQ(ref.tell(2), SendResult::accepted);  // blocks until the gate opens
  opener.join();
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(rec.seen, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(sys.stats().dead_letters(), 0u);
}

TEST(Mailbox, BlockGivesUpAtItsDeadlineWithADeadLetter) {
  GatedRecorder rec;
  System sys{threads()};
  auto ref =
      sys.spawn("r", rec.props({.capacity = 1, .overflow = Overflow::block, .block_timeout = 30ms}))
          .value();
  rec.hold(sys, ref);
  (void)ref.tell(1);
  const auto before = sys.now();
  EXPECT_EQ(ref.tell(2), SendResult::mailbox_full);
  EXPECT_GE(sys.now() - before, Duration(30ms));
  EXPECT_EQ(sys.stats().dead_letters(DeadLetterReason::mailbox_full), 1u);
  rec.gate.open();
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(Mailbox, ABlockedSenderIsReleasedWithADeadLetterWhenTheActorStops) {
  GatedRecorder rec;
  System sys{threads()};
  auto ref =
      sys.spawn("r", rec.props({.capacity = 1, .overflow = Overflow::block, .block_timeout = 60s}))
          .value();
  rec.hold(sys, ref);
  ASSERT_EQ(ref.tell(1), SendResult::accepted);  // fills the mailbox
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    sys.stop(ref);  // handled before message 1, once message 0 returns
    rec.gate.open();
  });
  const auto before = sys.now();
  EXPECT_EQ(ref.tell(2), SendResult::actor_stopped);  // waits, then is refused by the stop
  stopper.join();
  EXPECT_LT(sys.now() - before, Duration(30s)) << "the stop woke the sender: no timeout";
  ASSERT_TRUE(sys.await_quiescence(5s));
  EXPECT_EQ(rec.seen, (std::vector<int>{0}));
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(Mailbox, AnActorIsNeverBlockedByABlockingMailbox) {
  GatedRecorder rec;
  System sys{threads()};
  auto target =
      sys.spawn("target",
                rec.props({.capacity = 1, .overflow = Overflow::block, .block_timeout = 60s}))
          .value();
  std::atomic<int> result{-1};
  auto sender = sys.spawn("sender", Props<int>::from_function([&](Context<int>&, int& v) {
                            result = static_cast<int>(target.tell(v));
                          }))
                    .value();
  rec.hold(sys, target);
  (void)target.tell(1);
  (void)sender.tell(2);  // the sender actor finds the mailbox full and is not blocked
  ASSERT_TRUE(eventually(sys, [&] { return result.load() != -1; }));
  EXPECT_EQ(result.load(), static_cast<int>(SendResult::mailbox_full));
  rec.gate.open();
}

TEST(Mailbox, KeepsFifoOrderPerSenderUnderConcurrentSenders) {
  constexpr int kSenders = 8;
  constexpr int kPerSender = 2000;
  std::map<int, std::vector<int>> by_sender;
  std::mutex mu;
  System sys{threads(4)};
  auto ref =
      sys.spawn("sink", Props<std::pair<int, int>>::from_function([&](Context<std::pair<int, int>>&,
                                                                      std::pair<int, int>& m) {
                          std::lock_guard lock(mu);
                          by_sender[m.first].push_back(m.second);
                        }).mailbox({.capacity = kSenders * kPerSender}))
          .value();
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = 0; i < kPerSender; ++i) (void)ref.tell({s, i});
    });
  }
  for (auto& t : senders) t.join();
  ASSERT_TRUE(sys.await_quiescence(10s));
  ASSERT_EQ(by_sender.size(), static_cast<std::size_t>(kSenders));
  for (const auto& [sender, values] : by_sender) {
    ASSERT_EQ(values.size(), static_cast<std::size_t>(kPerSender)) << "sender " << sender;
    for (int i = 0; i < kPerSender; ++i) ASSERT_EQ(values[i], i) << "sender " << sender;
  }
}

}  // namespace
}  // namespace troupe
