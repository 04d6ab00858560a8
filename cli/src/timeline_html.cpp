// `troupe show --html`: one self-contained page (no network). The trace's
// events go into the page as JSON; a script draws one lane per actor over
// virtual time on a canvas, with arrows from each send to its receipt and
// markers for failures, restarts, faults, resizes and notes (timeline_page.js).
// Below it, step charts drawn here as SVG: pool size, mailbox length, restarts.
#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "text_escape.hpp"
#include "timeline.hpp"
#include "timeline_page_js.hpp"
#include "troupe/assert.hpp"

namespace troupe::cli {

namespace {

using nlohmann::json;

double ms(TimePoint t) {
  return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (ms, value), a step line
};

/// One chart: step lines of each series over [0, end_ms], each starting at
/// its first point's value.
std::string svg_chart(const std::string& title, const std::vector<Series>& series, double end_ms) {
  constexpr double kW = 760, kH = 180, kLeft = 50, kBottom = 24, kTop = 10;
  double top = 1;
  for (const auto& s : series) {
    for (const auto& [t, v] : s.points) top = std::max(top, v);
  }
  const double span = std::max(end_ms, 1.0);
  auto x = [&](double t) { return kLeft + (kW - kLeft - 10) * std::clamp(t, 0.0, span) / span; };
  auto y = [&](double v) { return kTop + (kH - kTop - kBottom) * (1 - v / top); };
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  std::ostringstream os;
  os << "<h2>" << markup_text(title) << "</h2>\n<svg class=\"chart\" width=\"" << kW
     << "\" height=\"" << kH << "\" xmlns=\"http://www.w3.org/2000/svg\">\n"
     << "<line x1=\"" << kLeft << "\" y1=\"" << y(0) << "\" x2=\"" << kW - 10 << "\" y2=\"" << y(0)
     << "\" stroke=\"#999\"/>\n<line x1=\"" << kLeft << "\" y1=\"" << kTop << "\" x2=\"" << kLeft
     << "\" y2=\"" << y(0) << "\" stroke=\"#999\"/>\n"
     << "<text x=\"4\" y=\"" << kTop + 10 << "\" font-size=\"11\">" << top << "</text>\n"
     << "<text x=\"4\" y=\"" << y(0) << "\" font-size=\"11\">0</text>\n"
     << "<text x=\"" << kW - 120 << "\" y=\"" << kTop + 10 << "\" font-size=\"11\">" << end_ms
     << " ms</text>\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const char* colour = colours[i % 5];
    std::ostringstream pts;
    double last = s.points.empty() ? 0 : s.points.front().second;
    pts << x(0) << "," << y(last) << " ";
    for (const auto& [t, v] : s.points) {
      pts << x(t) << "," << y(last) << " " << x(t) << "," << y(v) << " ";
      last = v;
    }
    pts << x(span) << "," << y(last);
    os << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"1.5\" points=\""
       << pts.str() << "\"/>\n<text x=\"" << kLeft + 10 + 150 * static_cast<double>(i) << "\" y=\""
       << kH - 4 << "\" font-size=\"11\" fill=\"" << colour << "\">" << markup_text(s.name)
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

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
}

/// A pool's workers are its children named w1, w2, ...
bool is_pool_worker(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash + 2 > path.size() || path[slash + 1] != 'w') return false;
  return std::all_of(path.begin() + static_cast<std::ptrdiff_t>(slash) + 2, path.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// Pool size: the live workers of each pool, from the run's start (spawns
/// and stops), so a pool that never resized is drawn at its size.
std::vector<Series> pool_sizes(const std::vector<RecordedEvent>& events) {
  std::map<std::string, Series> pools;
  std::map<ActorId, std::string> live_worker_pool;
  std::map<std::string, int> live;
  for (const auto& e : events) {
    if (e.kind == EventKind::spawned && is_pool_worker(e.path)) {
      const std::string pool = parent_of(e.path);
      live_worker_pool[e.actor] = pool;
      auto& s = pools[pool];
      s.name = pool;
      s.points.emplace_back(ms(e.time), ++live[pool]);
    } else if (e.kind == EventKind::stopped) {
      const auto it = live_worker_pool.find(e.actor);
      if (it == live_worker_pool.end()) continue;
      pools[it->second].points.emplace_back(ms(e.time), --live[it->second]);
      live_worker_pool.erase(it);
    }
  }
  std::vector<Series> out;
  for (auto& [path, s] : pools) out.push_back(std::move(s));
  return out;
}

/// Mailbox length over time, per pool (its workers summed) or per actor not
/// in a pool: set by each send (the length after it), one less at each
/// receipt. The five with the highest peak are drawn.
std::vector<Series> mailbox_lengths(const std::vector<RecordedEvent>& events) {
  std::map<ActorId, std::int64_t> length;
  std::map<std::string, std::int64_t> total;
  std::map<std::string, Series> by_owner;
  std::map<std::string, std::int64_t> peak;
  for (const auto& e : events) {
    if (e.kind != EventKind::sent && e.kind != EventKind::received) continue;
    const std::string owner = is_pool_worker(e.path) ? parent_of(e.path) : e.path;
    std::int64_t& mine = length[e.actor];
    const std::int64_t before = mine;
    mine = e.kind == EventKind::sent ? std::max<std::int64_t>(e.value, 0)
                                     : std::max<std::int64_t>(mine - 1, 0);
    std::int64_t& sum = total[owner];
    sum += mine - before;
    auto& s = by_owner[owner];
    s.name = owner;
    s.points.emplace_back(ms(e.time), static_cast<double>(sum));
    peak[owner] = std::max(peak[owner], sum);
  }
  std::vector<std::pair<std::int64_t, std::string>> order;
  for (const auto& [owner, p] : peak) order.emplace_back(-p, owner);
  std::sort(order.begin(), order.end());
  std::vector<Series> out;
  for (std::size_t i = 0; i < order.size() && i < 5; ++i) {
    out.push_back(std::move(by_owner[order[i].second]));
  }
  return out;
}

/// Collects script errors before anything else runs: the page says how
/// many it had (body data-errors), which the browser test reads.
constexpr const char* kTimelineErrorTrap =
    "window.troupeErrors=[];window.addEventListener('error',function(e){"
    "window.troupeErrors.push(String(e.message));"
    "document.documentElement.setAttribute('data-errors',String(window.troupeErrors.length));});";

constexpr const char* kTimelineCss =
    "body{font-family:sans-serif;margin:1.5em}h2{font-size:1em}"
    "#controls{margin:.5em 0;font-size:13px}#controls label{margin-right:.6em}"
    "#lanes{display:flex;border:1px solid #ccc;max-height:70vh;overflow-y:auto}"
    "#labels{flex:none;width:220px;font-size:11px;font-family:monospace}"
    ".lane-label{height:18px;line-height:18px;white-space:nowrap;overflow:hidden;"
    "text-overflow:ellipsis;padding:0 4px;border-bottom:1px solid #f0f0f0}"
    "#canvas-box{flex:auto;position:relative}canvas{display:block}"
    "#tip{position:fixed;background:#ffe;border:1px solid #999;padding:2px 6px;font-size:12px;"
    "pointer-events:none;display:none;max-width:600px}#status{font-size:12px;color:#555}"
    ".failure-marker{color:#c00;font-weight:bold}";

constexpr const char* kTimelineControls =
    "<div id=\"controls\">actors matching <input id=\"actor-filter\" size=\"24\" "
    "placeholder=\"path text or /regex/\"> <span id=\"kind-filters\"></span> "
    "<button id=\"fit\">whole run</button> <button id=\"zoom-failure\">the failure</button> "
    "(wheel: zoom, drag: pan)<div id=\"status\"></div></div>"
    "<div id=\"lanes\"><div id=\"labels\"></div><div id=\"canvas-box\">"
    "<canvas id=\"timeline\"></canvas></div></div><div id=\"tip\"></div>"
    "<p id=\"failure-line\"></p>";

/// How well an event explains a failure of its actor: higher is better.
int blame(EventKind k) {
  switch (k) {
    case EventKind::budget_exceeded:
      return 4;
    case EventKind::failed:
    case EventKind::escalated:
    case EventKind::not_restarted:
      return 3;
    case EventKind::dead_letter:
      return 2;
    case EventKind::stopped:
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::int64_t failure_event(const sim::Trace& trace) {
  const auto& f = trace.footer;
  if (f.invariant.empty() && f.outcome.rfind("fail", 0) != 0) return -1;
  if (trace.events.empty()) return -1;
  // The latest event of the named actor that best explains it (a budget
  // exhausted over a failure over a dead letter over a stop over anything).
  std::int64_t best = -1;
  int best_blame = -1;
  for (std::size_t i = trace.events.size(); i-- > 0;) {
    const auto& e = trace.events[i];
    if (f.actor.empty() || e.path != f.actor) continue;
    if (blame(e.kind) > best_blame) {
      best_blame = blame(e.kind);
      best = static_cast<std::int64_t>(i);
    }
  }
  if (best >= 0) return best;
  // No actor named (stuck, over budget, lost work): the last failure, else the end.
  for (std::size_t i = trace.events.size(); i-- > 0;) {
    if (trace.events[i].kind == EventKind::failed) return static_cast<std::int64_t>(i);
  }
  return static_cast<std::int64_t>(trace.events.size() - 1);
}

std::string timeline_data_json(const sim::Trace& trace) {
  const auto& h = trace.header;
  const auto& f = trace.footer;
  json kinds = json::array();
  for (std::size_t k = 0; k <= static_cast<std::size_t>(kLastEventKind); ++k) {
    kinds.push_back(std::string(to_string(static_cast<EventKind>(k))));
  }
  // Lanes in the order actors first appear; lane 0 is "outside any actor".
  std::map<ActorId, std::size_t> lane{{0, 0}};
  json actors = json::array({json::array({0, "(outside actors)", -1})});
  std::map<std::string, std::size_t> type_index;
  json types = json::array();
  json events = json::array();
  for (const auto& e : trace.events) {
    auto [it, fresh] = lane.emplace(e.actor, lane.size());
    if (fresh) {
      const std::int64_t parent =
          e.kind == EventKind::spawned && lane.count(static_cast<ActorId>(e.value)) != 0
              ? static_cast<std::int64_t>(lane.at(static_cast<ActorId>(e.value)))
              : -1;
      actors.push_back(json::array({e.actor, e.path, parent}));
    }
    json row = json::array({std::chrono::duration_cast<Duration>(e.time.time_since_epoch()).count(),
                            static_cast<int>(e.kind), it->second, e.value});
    if (names_a_message(e.kind)) {
      auto [t, added] = type_index.emplace(e.type, types.size());
      if (added) types.push_back(e.type);
      const auto sender = lane.find(e.sender);
      row.push_back(sender != lane.end() ? static_cast<std::int64_t>(sender->second) : -1);
      row.push_back(e.message);
      row.push_back(t->second);
    } else {
      row.push_back(-1);
      row.push_back(0);
      row.push_back(-1);
    }
    if (!e.detail.empty()) row.push_back(e.detail);
    events.push_back(std::move(row));
  }
  const json data{{"scenario", h.scenario},
                  {"seed", std::to_string(h.seed)},
                  {"strategy", std::string(sim::to_string(h.strategy))},
                  {"outcome", f.outcome},
                  {"invariant", f.invariant},
                  {"actor", f.actor},
                  {"detail", f.detail},
                  {"hash", sim::hash_hex(f.hash)},
                  {"first_event", trace.first_event},
                  {"kinds", kinds},
                  {"types", types},
                  {"actors", actors},
                  {"events", events},
                  {"focus", failure_event(trace)}};
  std::string text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  // Inside <script>, "</" or "<!--" could end or unbalance the element:
  // every "<" is written as the JSON escape "\u003c", which reads the same.
  for (std::size_t at = text.find('<'); at != std::string::npos; at = text.find('<', at)) {
    text.replace(at, 1, "\\u003c");
  }
  return text;
}

std::string html_report(const sim::Trace& trace) {
  const double end_ms = end_of(trace.events);
  Series restarts{"restarts (cumulative)", {}};
  restarts.points.emplace_back(0, 0);
  for (const auto& e : trace.events) {
    if (e.kind == EventKind::restarted) {
      restarts.points.emplace_back(ms(e.time), static_cast<double>(restarts.points.size()));
    }
  }
  const auto& h = trace.header;
  const auto& f = trace.footer;
  const bool failed = failure_event(trace) >= 0;
  std::ostringstream os;
  os << "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>troupe: "
     << markup_text(h.scenario) << " seed " << h.seed << "</title>\n<style>" << kTimelineCss
     << "</style>\n<script>" << kTimelineErrorTrap << "</script></head><body>\n<h1>"
     << markup_text(h.scenario) << ", seed " << h.seed << " (" << sim::to_string(h.strategy)
     << ")</h1>\n<p>outcome: <b>" << markup_text(f.outcome) << "</b> " << markup_text(f.detail);
  if (failed) os << " &mdash; <a id=\"to-failure\" href=\"#failure\">show the failure</a>";
  os << "<br>events: " << f.events << ", run hash " << sim::hash_hex(f.hash) << "</p>\n"
     << kTimelineControls << "\n<script type=\"application/json\" id=\"trace-data\">"
     << timeline_data_json(trace) << "</script>\n<script>" << kTimelineScript << "</script>\n";
  const auto pools = pool_sizes(trace.events);
  if (pools.empty()) {
    os << "<h2>pool size</h2><p>no pool in this run</p>\n";
  } else {
    os << svg_chart("pool size (live workers)", pools, end_ms);
  }
  const auto mailboxes = mailbox_lengths(trace.events);
  os << svg_chart("mailbox length (pools: their workers summed; the 5 highest peaks)", mailboxes,
                  end_ms);
  os << svg_chart("restarts", {restarts}, end_ms);
  os << "</body></html>\n";
  return os.str();
}

}  // namespace troupe::cli
