// Pools on real threads: routing, resizing under concurrent senders,
// replacement of stopped workers.
#include "troupe/pool.hpp"

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
using testing::threads;

/// Workers that record (worker path, value) for every message.
struct Ledger {
  std::mutex mu;
  std::vector<std::pair<std::string, std::int64_t>> entries;
  std::atomic<std::int64_t> sum{0};
  std::atomic<std::int64_t> count{0};

  Props<std::int64_t> props() {
    return Props<std::int64_t>::from_function([this](Context<std::int64_t>& ctx, std::int64_t& v) {
      sum += v;
      ++count;
      std::lock_guard lock(mu);
      entries.emplace_back(ctx.path(), v);
    });
  }
  std::map<std::string, std::vector<std::int64_t>> by_worker() {
    std::lock_guard lock(mu);
    std::map<std::string, std::vector<std::int64_t>> out;
    for (const auto& [w, v] : entries) out[w].push_back(v);
    return out;
  }
};

TEST(Pool, RoundRobinIsAnExactRotation) {
  Ledger ledger;
  System sys{threads()};
  auto pool = Pool<std::int64_t>::spawn(sys, "rr", ledger.props(), {.min = 4, .max = 4}).value();
  EXPECT_EQ(pool.size(), 4u);
  for (std::int64_t i = 0; i < 40; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  const auto by = ledger.by_worker();
  ASSERT_EQ(by.size(), 4u);
  int w = 0;
  for (const auto& [path, values] : by) {
    ASSERT_EQ(values.size(), 10u) << path;
    for (std::size_t k = 0; k < values.size(); ++k) {
      EXPECT_EQ(values[k], static_cast<std::int64_t>(w + 4 * k)) << path;
    }
    ++w;
  }
}

TEST(Pool, BroadcastGivesEveryWorkerACopy) {
  Ledger ledger;
  System sys{threads()};
  auto pool = Pool<std::int64_t>::spawn(sys, "b", ledger.props(),
                                        {.min = 3, .max = 3, .routing = Routing::broadcast})
                  .value();
  (void)pool.tell(7);
  (void)pool.tell(8);
  ASSERT_TRUE(sys.await_quiescence(10s));
  for (const auto& [path, values] : ledger.by_worker()) {
    EXPECT_EQ(values, (std::vector<std::int64_t>{7, 8})) << path;
  }
  EXPECT_EQ(sys.stats().sent, 6u);
}

TEST(Pool, ConsistentHashKeepsAKeyOnOneWorker) {
  Ledger ledger;
  System sys{threads()};
  auto pool =
      Pool<std::int64_t>::spawn(
          sys, "h", ledger.props(), {.min = 4, .max = 8, .routing = Routing::consistent_hash},
          [](const std::int64_t& v) { return static_cast<std::uint64_t>(v % 100); })
          .value();
  for (std::int64_t i = 0; i < 2000; ++i) (void)pool.tell(i);
  ASSERT_TRUE(sys.await_quiescence(10s));
  std::map<std::int64_t, std::string> owner;
  for (const auto& [path, values] : ledger.by_worker()) {
    for (auto v : values) {
      auto [it, fresh] = owner.emplace(v % 100, path);
      ASSERT_EQ(it->second, path) << "key " << v % 100 << " went to two workers";
    }
  }
  EXPECT_EQ(ledger.by_worker().size(), 4u);
}

TEST(Pool, RejectsInvalidSettingsAtConstruction) {
  Ledger ledger;
  System sys{threads()};
  EXPECT_THROW((void)Pool<std::int64_t>::spawn(sys, "p", ledger.props(), {.min = 0, .max = 2}),
               std::invalid_argument);
  EXPECT_THROW((void)Pool<std::int64_t>::spawn(sys, "p", ledger.props(), {.min = 3, .max = 2}),
               std::invalid_argument);
  EXPECT_THROW(
      (void)Pool<std::int64_t>::spawn(sys, "p", ledger.props(),
                                      {.min = 1, .max = 2, .routing = Routing::consistent_hash}),
      std::invalid_argument);
  auto pool = Pool<std::int64_t>::spawn(sys, "p", ledger.props(), {.min = 1, .max = 2}).value();
  EXPECT_THROW(pool.autoscale(AutoScaleSettings{.high_threshold = 1, .low_threshold = 3}),
               std::invalid_argument);
  EXPECT_THROW(pool.autoscale(AutoScaleSettings{.interval = 0ms}), std::invalid_argument);
  auto duplicate = Pool<std::int64_t>::spawn(sys, "p", ledger.props(), {.min = 1, .max = 2});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::duplicate_name);
}

TEST(Pool, ResizingUnderConcurrentSendersLosesAndDuplicatesNothing) {
  constexpr int kSenders = 4;
  constexpr std::int64_t kPerSender = 20000;
  Ledger ledger;
  System sys{threads(4)};
  auto props = ledger.props().mailbox({.capacity = 1 << 20});
  auto pool = Pool<std::int64_t>::spawn(sys, "p", props, {.min = 1, .max = 8}).value();
  std::atomic<bool> sending{true};
  std::thread resizer([&] {
    for (std::size_t i = 0; sending; ++i) {
      pool.resize(1 + (i * 5) % 8);
      std::this_thread::sleep_for(200us);
    }
  });
  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (std::int64_t i = 0; i < kPerSender; ++i) {
        ASSERT_EQ(pool.tell(s * kPerSender + i + 1), SendResult::accepted);
      }
    });
  }
  for (auto& t : senders) t.join();
  sending = false;
  resizer.join();
  ASSERT_TRUE(sys.await_quiescence(30s));
  constexpr std::int64_t n = kSenders * kPerSender;
  EXPECT_EQ(ledger.count.load(), n);
  EXPECT_EQ(ledger.sum.load(), n * (n + 1) / 2);  // each value exactly once
  const auto stats = sys.stats();
  EXPECT_EQ(stats.dead_letters(), 0u);
  EXPECT_TRUE(stats.balanced());
}

TEST(Pool, AWorkerStoppedByItsSupervisorIsReplaced) {
  std::atomic<int> handled{0};
  System sys{threads()};
  auto props = Props<std::int64_t>::from_function([&](Context<std::int64_t>&, std::int64_t& v) {
                 if (v < 0) throw std::runtime_error("poison");
                 ++handled;
               }).restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<std::int64_t>::spawn(sys, "p", props, {.min = 3, .max = 3}).value();
  const auto before = pool.workers();
  (void)pool.tell(-1);  // the first worker stops for good
  ASSERT_TRUE(eventually(sys, [&] { return !before[0].alive(); }));
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_EQ(pool.size(), 3u);
  const auto after = pool.workers();
  EXPECT_NE(after[0].id(), before[0].id());
  EXPECT_EQ(after[1].id(), before[1].id());
  for (std::int64_t i = 0; i < 30; ++i) EXPECT_EQ(pool.tell(i), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_EQ(handled.load(), 30);
}

TEST(Pool, TellAfterShutdownIsADeadLetter) {
  Ledger ledger;
  System sys{threads()};
  auto pool = Pool<std::int64_t>::spawn(sys, "p", ledger.props(), {.min = 2, .max = 2}).value();
  pool.autoscale(AutoScaleSettings{});
  sys.shutdown(5s);
  EXPECT_EQ(pool.tell(1), SendResult::actor_stopped);
  EXPECT_TRUE(sys.stats().balanced());
}

}  // namespace
}  // namespace troupe
