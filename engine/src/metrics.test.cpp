#include "troupe/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace troupe {
namespace {

TEST(MetricsRegistry, WritesTheTextFormatWithHelpTypeAndSortedSeries) {
  MetricsRegistry registry;
  registry.counter("app_requests_total", "Requests served.", {{"route", "/b"}}).inc(2);
  registry.counter("app_requests_total", "Requests served.", {{"route", "/a"}}).inc(5);
  registry.gauge("app_temperature", "Degrees.").set(21.5);

  EXPECT_EQ(registry.exposition(),
            "# HELP app_requests_total Requests served.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{route=\"/a\"} 5\n"
            "app_requests_total{route=\"/b\"} 2\n"
            "# HELP app_temperature Degrees.\n"
            "# TYPE app_temperature gauge\n"
            "app_temperature 21.5\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelpText) {
  MetricsRegistry registry;
  registry.counter("x_total", "Line one\nback\\slash \"quoted\".", {{"path", "a\\b\"c\nd"}}).inc();

  EXPECT_EQ(registry.exposition(),
            "# HELP x_total Line one\\nback\\\\slash \"quoted\".\n"
            "# TYPE x_total counter\n"
            "x_total{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsRegistry, WritesCumulativeHistogramBucketsWithInfSumAndCount) {
  MetricsRegistry registry;
  auto& h = registry.histogram("op_seconds", "Op time.", {0.1, 1}, {{"op", "read"}});
  h.observe(0.05);
  h.observe(0.1);  // on a bound: counted in that bucket (le is inclusive)
  h.observe(0.5);
  h.observe(7);

  EXPECT_EQ(registry.exposition(),
            "# HELP op_seconds Op time.\n"
            "# TYPE op_seconds histogram\n"
            "op_seconds_bucket{op=\"read\",le=\"0.1\"} 2\n"
            "op_seconds_bucket{op=\"read\",le=\"1\"} 3\n"
            "op_seconds_bucket{op=\"read\",le=\"+Inf\"} 4\n"
            "op_seconds_sum{op=\"read\"} 7.65\n"
            "op_seconds_count{op=\"read\"} 4\n");
}

TEST(MetricsRegistry, ReturnsTheSameSeriesForTheSameNameAndLabels) {
  MetricsRegistry registry;
  auto& a = registry.counter("c_total", "C.", {{"k", "v"}});
  auto& b = registry.counter("c_total", "C.", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &registry.counter("c_total", "C.", {{"k", "w"}}));
}

TEST(MetricsRegistry, AReservedNameIsListedAndRefusesAnotherTypeAtItsOwnCall) {
  MetricsRegistry r;
  r.reserve("work_seconds", "Work.", MetricType::histogram);
  const std::string text = r.exposition();
  EXPECT_NE(text.find("# TYPE work_seconds histogram\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("work_seconds_count"), std::string::npos) << "no series yet: " << text;
  EXPECT_THROW(r.counter("work_seconds", "mine"), std::invalid_argument);
  EXPECT_NO_THROW(r.reserve("work_seconds", "Work.", MetricType::histogram));  // idempotent
  r.histogram("work_seconds", "Work.", {1.0}, {{"kind", "a"}}).observe(0.5);
  EXPECT_NE(r.exposition().find("work_seconds_count{kind=\"a\"} 1"), std::string::npos);
  r.counter("jobs_total", "Jobs.");
  EXPECT_THROW(r.reserve("jobs_total", "Jobs.", MetricType::gauge), std::invalid_argument);
  EXPECT_THROW(r.reserve("bad name", "x", MetricType::counter), std::invalid_argument);
}

TEST(MetricsRegistry, RejectsInvalidNamesAndTypeClashesWithAClearError) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("9lives", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "h"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "h", {{"bad label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "h", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h_seconds", "h", {1}, {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h_seconds", "h", {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h_seconds", "h", {2, 1}), std::invalid_argument);
  registry.counter("used_total", "h");
  EXPECT_THROW(registry.gauge("used_total", "h"), std::invalid_argument);
  try {
    registry.counter("no spaces", "h");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid metric name 'no spaces'");
  }
  EXPECT_NO_THROW(registry.counter("ns:sub_total", "colons are allowed in metric names"));
}

TEST(MetricsRegistry, CollectorsAddSamplesAtScrapeTimeAndSumSameLabels) {
  MetricsRegistry registry;
  int scrapes = 0;
  registry.add_collector([&](SampleSink& sink) {
    ++scrapes;
    sink.gauge("queue_length", "Queued.", {{"pool", "p"}}, 3);
    sink.gauge("queue_length", "Queued.", {{"pool", "p"}}, 4);  // two workers, one series
  });
  EXPECT_EQ(registry.exposition(),
            "# HELP queue_length Queued.\n"
            "# TYPE queue_length gauge\n"
            "queue_length{pool=\"p\"} 7\n");
  registry.exposition();
  EXPECT_EQ(scrapes, 2);
}

TEST(MetricsRegistry, PrintsNonIntegersInTheShortestExactForm) {
  MetricsRegistry registry;
  registry.gauge("g", "G.").set(0.1);
  registry.gauge("h", "H.").set(-3);
  registry.gauge("i", "I.").set(1e300);
  const std::string text = registry.exposition();
  EXPECT_NE(text.find("\ng 0.1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nh -3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ni 1e+300\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, CountsEveryIncrementFromManyThreads) {
  MetricsRegistry registry;
  auto& counter = registry.counter("hits_total", "Hits.");
  auto& histogram = registry.histogram("lat_seconds", "Lat.", {0.5});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        counter.inc();
        histogram.observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  // A scrape while they run must not tear or block them.
  const std::string during = registry.exposition();
  EXPECT_NE(during.find("hits_total"), std::string::npos);
  for (auto& t : threads) t.join();

  EXPECT_EQ(counter.value(), std::uint64_t{kThreads} * kPerThread);
  const HistogramSnapshot s = histogram.snapshot();
  EXPECT_EQ(s.count, std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(s.cumulative[0], s.count / 2);
  EXPECT_DOUBLE_EQ(s.sum, kThreads * kPerThread / 2 * 1.25);
}

}  // namespace
}  // namespace troupe
