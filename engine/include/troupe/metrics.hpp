// Metrics: counters, gauges and histograms with labels, and their Prometheus
// text exposition (format 0.0.4). Updates are lock-free (atomic cells; look a
// series up once and keep the reference); the registry lock is taken only to
// create a series and to scrape. Collectors add samples computed at scrape
// time, which is how the runtime exports its counts with no hot-path cost.
//
//   auto& hits = registry.counter("app_hits_total", "Hits.", {{"route", "/a"}});
//   hits.inc();
//   std::string text = registry.exposition();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

/// Label pairs, in the order given.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType : std::uint8_t { counter, gauge, histogram };

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// A point-in-time copy of a histogram: cumulative bucket counts.
struct HistogramSnapshot {
  std::vector<double> bounds;             // upper bounds, ascending, without +Inf
  std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf
  double sum = 0;
  std::uint64_t count = 0;
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  HistogramSnapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // per bound, then +Inf
  std::atomic<double> sum_{0};
};

/// Where collectors put the samples they compute at scrape time.
class SampleSink {
 public:
  virtual ~SampleSink() = default;
  virtual void counter(const std::string& name, const std::string& help, const Labels& labels,
                       double value) = 0;
  virtual void gauge(const std::string& name, const std::string& help, const Labels& labels,
                     double value) = 0;
};

using Collector = std::function<void(SampleSink&)>;

/// Throw std::invalid_argument for names Prometheus would not accept.
void validate_metric_name(const std::string& name);
void validate_label_name(const std::string& name);

/// The default buckets for durations in seconds.
std::vector<double> default_seconds_buckets();

class MetricsRegistry {
 public:
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                       const Labels& labels = {});
  void add_collector(Collector collector);
  /// Takes `name` for a family of `type` before it has any series: a later
  /// registration of another type throws then, at its own call, and the
  /// exposition lists the family (HELP and TYPE, no samples).
  void reserve(const std::string& name, const std::string& help, MetricType type);

  /// The Prometheus text format (0.0.4): families sorted by name, series by labels.
  std::string exposition() const;

 private:
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    std::string help;
    MetricType type;
    std::map<Labels, Series> series;
  };
  Series& series(const std::string& name, const std::string& help, MetricType type,
                 const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<Collector> collectors_;
};

}  // namespace troupe
