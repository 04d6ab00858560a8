// The runtime's own metrics, as a scrape sees them, on real threads.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "troupe/pool.hpp"
#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::metric_sample;
using testing::threads;

Props<int> failing_on_negative() {
  return Props<int>::from_function([](Context<int>&, int& v) {
    if (v < 0) throw std::runtime_error("negative");
  });
}

TEST(SystemMetrics, CountsProcessedFailuresRestartsAndDeadLettersPerActor) {
  System sys{threads()};
  auto ref =
      sys.spawn("flaky", failing_on_negative().restart({.max_restarts = 5, .within = 60s})).value();
  for (int v : {1, -1, 2, -1, 3, -1, 4}) ASSERT_EQ(ref.tell(v), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));

  const std::string text = sys.metrics_text();
  const std::string actor = "{actor=\"" + ref.path() + "\"}";
  EXPECT_EQ(metric_sample(text, "troupe_messages_processed_total" + actor), "4") << text;
  EXPECT_EQ(metric_sample(text, "troupe_actor_failures_total" + actor), "3") << text;
  EXPECT_EQ(metric_sample(text, "troupe_actor_restarts_total" + actor), "3") << text;
  EXPECT_EQ(metric_sample(text, "troupe_mailbox_length" + actor), "0") << text;
  EXPECT_EQ(metric_sample(text, "troupe_messages_sent_total"), "7") << text;
  EXPECT_EQ(metric_sample(text, "troupe_dead_letters_total{reason=\"handler_failed\"}"), "3")
      << text;
  EXPECT_EQ(metric_sample(text, "troupe_dead_letters_total{reason=\"mailbox_full\"}"), "0") << text;
}

TEST(SystemMetrics, CountsATellAfterShutdownAsADeadLetter) {
  System sys{threads()};
  auto ref = sys.spawn("late", failing_on_negative()).value();
  sys.shutdown(1s);
  EXPECT_EQ(ref.tell(1), SendResult::actor_stopped);
  const std::string text = sys.metrics_text();
  EXPECT_EQ(metric_sample(text, "troupe_dead_letters_total{reason=\"actor_stopped\"}"), "1")
      << text;
  EXPECT_EQ(metric_sample(text, "troupe_shutdown_abandoned_total"), "0") << text;
}

TEST(SystemMetrics, PoolWorkersShareOneSeriesAndCountersSurviveAShrink) {
  System sys{threads()};
  auto pool = Pool<int>::spawn(sys, "p", failing_on_negative(), {.min = 1, .max = 4}).value();
  pool.resize(4);
  ASSERT_TRUE(eventually(sys, [&] { return pool.size() == 4; }));
  for (int i = 0; i < 40; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));

  const std::string label = "{actor=\"" + pool.path() + "/*\"}";
  std::string text = sys.metrics_text();
  EXPECT_EQ(metric_sample(text, "troupe_pool_workers{pool=\"" + pool.path() + "\"}"), "4") << text;
  EXPECT_EQ(metric_sample(text, "troupe_messages_processed_total" + label), "40") << text;
  // No per-worker series: the worker paths never appear as labels.
  EXPECT_EQ(text.find(pool.path() + "/w"), std::string::npos) << text;

  pool.resize(1);
  ASSERT_TRUE(eventually(sys, [&] { return pool.size() == 1; }));
  ASSERT_TRUE(sys.await_quiescence(10s));
  text = sys.metrics_text();
  EXPECT_EQ(metric_sample(text, "troupe_pool_workers{pool=\"" + pool.path() + "\"}"), "1") << text;
  EXPECT_EQ(metric_sample(text, "troupe_messages_processed_total" + label), "40") << text;
}

TEST(SystemMetrics, SamplesProcessingTimeByKindAndCanBeTurnedOff) {
  {
    System sys{threads(), {.timing_sample_every = 1}};
    auto ref = sys.spawn("timed", failing_on_negative().kind("timer_kind")).value();
    for (int i = 0; i < 5; ++i) (void)ref.tell(i);
    ASSERT_TRUE(sys.await_quiescence(10s));
    const std::string text = sys.metrics_text();
    EXPECT_EQ(metric_sample(text, "troupe_message_processing_seconds_count{kind=\"timer_kind\"}"),
              "5")
        << text;
  }
  {
    // One in four of 40: the sampling counts each message once (a second
    // countdown once left the histogram empty for any N above 1).
    System sys{threads(), {.timing_sample_every = 4}};
    auto ref = sys.spawn("sampled", failing_on_negative().kind("sampled_kind")).value();
    for (int i = 0; i < 40; ++i) (void)ref.tell(i);
    ASSERT_TRUE(sys.await_quiescence(10s));
    const std::string text = sys.metrics_text();
    EXPECT_EQ(metric_sample(text, "troupe_message_processing_seconds_count{kind=\"sampled_kind\"}"),
              "10")
        << text;
  }
  {
    System sys{threads(), {.timing_sample_every = 0}};
    auto ref = sys.spawn("untimed", failing_on_negative()).value();
    (void)ref.tell(1);
    ASSERT_TRUE(sys.await_quiescence(10s));
    EXPECT_EQ(sys.metrics_text().find("troupe_message_processing_seconds"), std::string::npos);
  }
}

TEST(SystemMetrics, UserMetricsAppearBesideTheRuntimes) {
  System sys{threads()};
  sys.metrics().counter("app_orders_total", "Orders taken.").inc(3);
  const std::string text = sys.metrics_text();
  EXPECT_EQ(metric_sample(text, "app_orders_total"), "3") << text;
  EXPECT_NE(text.find("# TYPE troupe_messages_sent_total counter"), std::string::npos);
}

}  // namespace
}  // namespace troupe
