#include "timeline.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "troupe/assert.hpp"

namespace troupe::cli {

namespace {

double ms(TimePoint t) {
  return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

bool on_timeline(EventKind k) {
  return k == EventKind::scaled || k == EventKind::failed || k == EventKind::restarted ||
         k == EventKind::budget_exceeded || k == EventKind::escalated || k == EventKind::shutdown ||
         k == EventKind::fault;
}

struct Counts {
  std::uint64_t sent = 0, received = 0, failed = 0, restarts = 0, faults = 0, scale = 0;
  std::map<std::string, std::uint64_t> dead;  // by reason
};

Counts count(const std::vector<RecordedEvent>& events) {
  Counts c;
  for (const auto& e : events) {
    switch (e.kind) {
      case EventKind::sent:
        ++c.sent;
        break;
      case EventKind::received:
        ++c.received;
        break;
      case EventKind::failed:
        ++c.failed;
        break;
      case EventKind::restarted:
        ++c.restarts;
        break;
      case EventKind::fault:
        ++c.faults;
        break;
      case EventKind::scaled:
        ++c.scale;
        break;
      case EventKind::dead_letter:
        c.dead[e.detail] += static_cast<std::uint64_t>(e.value);
        break;
      default:
        break;
    }
  }
  return c;
}

std::string line_for(const RecordedEvent& e) {
  char buf[512];
  const std::string kind(to_string(e.kind));
  // A scaled event's detail says "from -> to: why".
  std::snprintf(buf, sizeof buf, "%10.3f ms  %-16s %-22s %s", ms(e.time), kind.c_str(),
                e.path.c_str(), e.detail.c_str());
  return buf;
}

}  // namespace

void print_timeline(std::FILE* out, const sim::Trace& trace, std::size_t max_lines) {
  const auto& h = trace.header;
  std::fprintf(out, "scenario %s, seed %llu, strategy %s%s\n", h.scenario.c_str(),
               static_cast<unsigned long long>(h.seed),
               std::string(sim::to_string(h.strategy)).c_str(), h.swarm ? ", swarm" : "");
  std::string params;
  for (const auto& [name, value] : h.params) {
    std::ostringstream v;
    v << value;
    params += " " + name + "=" + v.str();
  }
  std::fprintf(out, "params:%s\n\n== timeline (virtual time) ==\n", params.c_str());
  std::size_t shown = 0, hidden = 0;
  for (const auto& e : trace.events) {
    if (!on_timeline(e.kind)) continue;
    const std::string line = line_for(e);
    if (shown < max_lines) {
      std::fprintf(out, "%s\n", line.c_str());
      ++shown;
    } else {
      ++hidden;
    }
  }
  if (hidden > 0) std::fprintf(out, "... %zu more (troupe show FILE --all)\n", hidden);
  const Counts c = count(trace.events);
  std::fprintf(out,
               "\n== summary ==\nmessages: %llu sent, %llu handled; %llu failures, %llu restarts, "
               "%llu faults injected, %llu resizes\n",
               static_cast<unsigned long long>(c.sent), static_cast<unsigned long long>(c.received),
               static_cast<unsigned long long>(c.failed),
               static_cast<unsigned long long>(c.restarts),
               static_cast<unsigned long long>(c.faults), static_cast<unsigned long long>(c.scale));
  std::string dead;
  for (const auto& [reason, n] : c.dead) dead += " " + reason + "=" + std::to_string(n);
  std::fprintf(out, "dead letters:%s\n", dead.empty() ? " none" : dead.c_str());
  const auto& f = trace.footer;
  std::fprintf(out, "outcome:  %s%s%s\n", f.outcome.c_str(), f.detail.empty() ? "" : " — ",
               f.detail.c_str());
  std::fprintf(out, "events:   %llu\nrun hash: %s\n", static_cast<unsigned long long>(f.events),
               sim::hash_hex(f.hash).c_str());
}

namespace {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (ms, value)
};

std::string escape_html(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// One chart: step lines of each series over [0, end_ms].
std::string svg_chart(const std::string& title, const std::vector<Series>& series, double end_ms) {
  constexpr double kW = 760, kH = 180, kLeft = 50, kBottom = 24, kTop = 10;
  double top = 1;
  for (const auto& s : series) {
    for (const auto& [t, v] : s.points) top = std::max(top, v);
  }
  const double span = std::max(end_ms, 1.0);
  auto x = [&](double t) { return kLeft + (kW - kLeft - 10) * t / span; };
  auto y = [&](double v) { return kTop + (kH - kTop - kBottom) * (1 - v / top); };
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  std::ostringstream os;
  os << "<h2>" << escape_html(title) << "</h2>\n<svg width=\"" << kW << "\" height=\"" << kH
     << "\" xmlns=\"http://www.w3.org/2000/svg\">\n"
     << "<line x1=\"" << kLeft << "\" y1=\"" << y(0) << "\" x2=\"" << kW - 10 << "\" y2=\"" << y(0)
     << "\" stroke=\"#999\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft
     << "\" y2=\"" << y(0) << "\" stroke=\"#999\"/>\n"
     << "<text x=\"4\" y=\"" << kTop + 10 << "\" font-size=\"11\">" << top << "</text>\n"
     << "<text x=\"4\" y=\"" << y(0) << "\" font-size=\"11\">0</text>\n"
     << "<text x=\"" << kW - 120 << "\" y=\"" << kH - 4 << "\" font-size=\"11\">" << end_ms
     << " ms</text>\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const char* colour = colours[i % 5];
    std::ostringstream pts;
    double last = 0;
    pts << x(0) << "," << y(0) << " ";
    for (const auto& [t, v] : s.points) {
      pts << x(t) << "," << y(last) << " " << x(t) << "," << y(v) << " ";
      last = v;
    }
    pts << x(span) << "," << y(last);
    os << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\""
       << pts.str() << "\"/>\n<text x=\"" << kLeft + 10 + 150 * static_cast<double>(i) << "\" y=\""
       << kH - 4 << "\" font-size=\"11\" fill=\"" << colour << "\">" << escape_html(s.name)
       << "</text>\n";
  }
  os << "</svg>\n";
  return os.str();
}

/// The chart's time span: the latest event, whatever the order of events (a
/// trace in memory need not come from the reader, which checks the order).
double end_of(const std::vector<RecordedEvent>& events) {
  double end_ms = 0;
  for (const auto& e : events) end_ms = std::max(end_ms, ms(e.time));
  return end_ms;
}

/// The bucket of a time within [0, end_ms]: clamped in floating point before
/// the conversion, so no time (negative, past the end) indexes outside.
std::size_t bucket_of(double t_ms, double end_ms, std::size_t buckets) {
  TROUPE_ASSERT(buckets > 0);
  const double scaled = static_cast<double>(buckets) * t_ms / std::max(end_ms, 1.0);
  if (!(scaled > 0)) return 0;  // negative, or NaN
  const double last = static_cast<double>(buckets - 1);
  return static_cast<std::size_t>(std::min(scaled, last));
}

}  // namespace

std::string html_report(const sim::Trace& trace) {
  const double end_ms = end_of(trace.events);
  std::map<std::string, Series> pools;
  Series restarts{"restarts (cumulative)", {}};
  Series mailbox{"mean mailbox length at a send", {}};
  constexpr int kBuckets = 200;
  std::vector<double> sum(kBuckets, 0), n(kBuckets, 0);
  for (const auto& e : trace.events) {
    if (e.kind == EventKind::scaled) {
      auto& s = pools[e.path];
      s.name = e.path;
      s.points.emplace_back(ms(e.time), static_cast<double>(e.value));
    } else if (e.kind == EventKind::restarted) {
      restarts.points.emplace_back(ms(e.time), static_cast<double>(restarts.points.size() + 1));
    } else if (e.kind == EventKind::sent) {
      const std::size_t b = bucket_of(ms(e.time), end_ms, kBuckets);
      sum[b] += static_cast<double>(e.value);
      n[b] += 1;
    }
  }
  for (int b = 0; b < kBuckets; ++b) {
    const auto i = static_cast<std::size_t>(b);
    mailbox.points.emplace_back(end_ms * b / kBuckets, n[i] > 0 ? sum[i] / n[i] : 0);
  }
  std::vector<Series> pool_series;
  for (auto& [path, s] : pools) pool_series.push_back(std::move(s));
  const auto& h = trace.header;
  const auto& f = trace.footer;
  std::ostringstream os;
  os << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>troupe: "
     << escape_html(h.scenario) << " seed " << h.seed
     << "</title>\n<style>body{font-family:sans-serif;margin:2em}h2{font-size:1em}</style></head>"
        "<body>\n<h1>"
     << escape_html(h.scenario) << ", seed " << h.seed << " (" << sim::to_string(h.strategy)
     << ")</h1>\n<p>outcome: <b>" << escape_html(f.outcome) << "</b> " << escape_html(f.detail)
     << "<br>events: " << f.events << ", run hash " << sim::hash_hex(f.hash) << "</p>\n";
  if (pool_series.empty()) {
    os << "<h2>pool size</h2><p>no pool in this run</p>\n";
  } else {
    os << svg_chart("pool size (workers)", pool_series, end_ms);
  }
  os << svg_chart("mean mailbox length", {mailbox}, end_ms);
  os << svg_chart("restarts", {restarts}, end_ms);
  os << "</body></html>\n";
  return os.str();
}

}  // namespace troupe::cli
