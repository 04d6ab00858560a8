#include "troupe/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace troupe {

namespace {

bool name_char(char c, bool first, bool colon_ok) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return letter || (colon_ok && c == ':') || (!first && digit);
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  // The shortest text that reads back as the same double.
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// Backslash and newline are escaped in HELP text; label values escape the
/// double quote as well.
std::string escape(const std::string& v, bool quote) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string label_text(const Labels& labels,
                       const std::pair<std::string, std::string>* extra = nullptr) {
  if (labels.empty() && extra == nullptr) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& l) {
    if (!first) out += ",";
    first = false;
    out += l.first + "=\"" + escape(l.second, true) + "\"";
  };
  for (const auto& l : labels) add(l);
  if (extra != nullptr) add(*extra);
  return out + "}";
}

const char* type_name(MetricType t) {
  switch (t) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

/// Everything to print, gathered under the registry lock and from collectors.
struct Snapshot final : SampleSink {
  struct Family {
    std::string help;
    MetricType type;
    std::map<Labels, double> values;
    std::map<Labels, HistogramSnapshot> histograms;
  };
  std::map<std::string, Family> families;

  Family& family(const std::string& name, const std::string& help, MetricType type) {
    auto [it, fresh] = families.try_emplace(name, Family{help, type, {}, {}});
    if (!fresh && it->second.type != type) {
      throw std::logic_error("metric " + name + " has two types");
    }
    return it->second;
  }
  void counter(const std::string& name, const std::string& help, const Labels& labels,
               double value) override {
    family(name, help, MetricType::counter).values[labels] += value;
  }
  void gauge(const std::string& name, const std::string& help, const Labels& labels,
             double value) override {
    family(name, help, MetricType::gauge).values[labels] += value;
  }
};

void validate_labels(const Labels& labels) {
  for (const auto& [name, value] : labels) validate_label_name(name);
}

}  // namespace

void validate_metric_name(const std::string& name) {
  bool ok = !name.empty();
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, true);
  if (!ok) throw std::invalid_argument("invalid metric name '" + name + "'");
}

void validate_label_name(const std::string& name) {
  bool ok = !name.empty() && name.rfind("__", 0) != 0 && name != "le";
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0, false);
  if (!ok) throw std::invalid_argument("invalid label name '" + name + "'");
}

std::vector<double> default_seconds_buckets() {
  return {0.00001, 0.0001, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
    throw std::invalid_argument("histogram bounds must be strictly ascending");
  }
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double v) {
  const auto i = static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                          bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  // Adding a double atomically is a compare-and-swap loop: skipped for the
  // zero a simulated handler with no service time takes.
  if (v != 0.0) sum_.fetch_add(v, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.bounds = bounds_;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running;  // the buckets are the count: one atomic update fewer per sample
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

MetricsRegistry::Series& MetricsRegistry::series(const std::string& name, const std::string& help,
                                                 MetricType type, const Labels& labels) {
  validate_metric_name(name);
  validate_labels(labels);
  auto [fit, fresh] = families_.try_emplace(name, Family{help, type, {}});
  if (!fresh && fit->second.type != type) {
    throw std::invalid_argument("metric " + name + " is already a " + type_name(fit->second.type));
  }
  return fit->second.series[labels];
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = series(name, help, MetricType::counter, labels);
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                              const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = series(name, help, MetricType::gauge, labels);
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& s = series(name, help, MetricType::histogram, labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(std::move(bounds));
  return *s.histogram;
}

void MetricsRegistry::reserve(const std::string& name, const std::string& help, MetricType type) {
  validate_metric_name(name);
  std::lock_guard lock(mu_);
  auto [it, fresh] = families_.try_emplace(name, Family{help, type, {}});
  if (!fresh && it->second.type != type) {
    throw std::invalid_argument("metric " + name + " is already a " + type_name(it->second.type));
  }
}

void MetricsRegistry::add_collector(Collector collector) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string MetricsRegistry::exposition() const {
  Snapshot snap;
  std::vector<Collector> collectors;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      auto& out = snap.family(name, f.help, f.type);
      for (const auto& [labels, s] : f.series) {
        if (s.counter) out.values[labels] = static_cast<double>(s.counter->value());
        if (s.gauge) out.values[labels] = s.gauge->value();
        if (s.histogram) out.histograms[labels] = s.histogram->snapshot();
      }
    }
    collectors = collectors_;
  }
  for (const auto& c : collectors) c(snap);  // outside the lock: collectors take others

  std::ostringstream os;
  for (const auto& [name, f] : snap.families) {
    os << "# HELP " << name << ' ' << escape(f.help, false) << '\n';
    os << "# TYPE " << name << ' ' << type_name(f.type) << '\n';
    for (const auto& [labels, v] : f.values) {
      os << name << label_text(labels) << ' ' << format_value(v) << '\n';
    }
    for (const auto& [labels, h] : f.histograms) {
      for (std::size_t i = 0; i <= h.bounds.size(); ++i) {
        const std::pair<std::string, std::string> le{
            "le", i < h.bounds.size() ? format_value(h.bounds[i]) : "+Inf"};
        os << name << "_bucket" << label_text(labels, &le) << ' ' << h.cumulative[i] << '\n';
      }
      os << name << "_sum" << label_text(labels) << ' ' << format_value(h.sum) << '\n';
      os << name << "_count" << label_text(labels) << ' ' << h.count << '\n';
    }
  }
  return os.str();
}

}  // namespace troupe
