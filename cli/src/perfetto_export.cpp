#include "perfetto_export.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace troupe::cli {

namespace {

using nlohmann::json;

/// Chrome's trace format counts microseconds; virtual time is in ns.
double us(std::int64_t ns) {
  return static_cast<double>(ns) / 1000.0;
}

std::int64_t ns_of(TimePoint t) {
  return std::chrono::duration_cast<Duration>(t.time_since_epoch()).count();
}

/// until - from, at least 0 and at most the largest int64, without overflow:
/// an edited trace may hold times at both ends of the range.
std::int64_t gap(std::int64_t from, std::int64_t until) {
  if (until <= from) return 0;
  const std::uint64_t span = static_cast<std::uint64_t>(until) - static_cast<std::uint64_t>(from);
  return static_cast<std::int64_t>(
      std::min<std::uint64_t>(span, std::numeric_limits<std::int64_t>::max()));
}

/// a + 1 ns without overflow: a trace may hold events at the end of time.
std::int64_t one_ns_after(std::int64_t a) {
  return a == std::numeric_limits<std::int64_t>::max() ? a : a + 1;
}

/// The track of messages sent from outside any actor (timers, the workload).
constexpr ActorId kOutside = 0;

}  // namespace

std::string perfetto_json(const sim::Trace& trace) {
  const auto& h = trace.header;
  json events = json::array();
  const auto meta = [&](const char* name, ActorId tid, json args) {
    events.push_back(
        {{"ph", "M"}, {"name", name}, {"pid", 1}, {"tid", tid}, {"args", std::move(args)}});
  };
  meta("process_name", 0, {{"name", "troupe " + h.scenario + " seed " + std::to_string(h.seed)}});
  meta("thread_name", kOutside, {{"name", "(outside actors)"}});
  meta("thread_sort_index", kOutside, {{"sort_index", 0}});

  // A receipt's slice ends at its handler's last send (at least 1 ns long):
  // the flows of those sends start inside it.
  std::map<ActorId, std::size_t> open_slice;  // actor -> index of its receipt slice
  std::map<ActorId, std::int64_t> slice_start;
  std::map<std::pair<ActorId, std::uint64_t>, std::uint64_t> flow_of;  // (receiver, n) -> flow id
  std::map<ActorId, bool> named;
  std::uint64_t next_flow = 1;
  int sort_index = 1;
  // A track is named by its actor's first path, also when the actor first
  // shows up as a sender (an edited trace may name a sender nothing else names).
  std::map<ActorId, std::string> first_path;
  for (const auto& e : trace.events) first_path.emplace(e.actor, e.path);
  const auto name_track = [&](ActorId actor) {
    if (actor == kOutside || named[actor]) return;
    named[actor] = true;
    const auto known = first_path.find(actor);
    const bool has_path = known != first_path.end() && !known->second.empty();
    meta("thread_name", actor,
         {{"name", has_path ? known->second : "actor " + std::to_string(actor)}});
    meta("thread_sort_index", actor, {{"sort_index", sort_index++}});
  };
  const auto extend = [&](ActorId actor, std::int64_t until_ns) {
    const auto open = open_slice.find(actor);
    if (open == open_slice.end()) return;
    json& slice = events[open->second];
    const double dur = us(one_ns_after(gap(slice_start[actor], until_ns)));
    slice["dur"] = std::max(slice["dur"].get<double>(), dur);
  };

  for (const auto& e : trace.events) {
    const std::int64_t t = ns_of(e.time);
    name_track(e.actor);
    const std::string type = e.type.empty() ? "message" : e.type;
    if (e.kind == EventKind::sent) {
      const ActorId from = e.sender;
      name_track(from);
      extend(from, one_ns_after(t));
      const std::uint64_t flow = next_flow++;
      flow_of[{e.actor, e.message}] = flow;
      events.push_back({{"ph", "X"},
                        {"name", "send " + type},
                        {"cat", "send"},
                        {"ts", us(t)},
                        {"dur", us(1)},
                        {"pid", 1},
                        {"tid", from},
                        {"args", {{"to", e.path}, {"message", e.message}, {"mailbox", e.value}}}});
      events.push_back({{"ph", "s"},
                        {"name", "message"},
                        {"cat", "message"},
                        {"id", flow},
                        {"ts", us(t)},
                        {"pid", 1},
                        {"tid", from}});
    } else if (e.kind == EventKind::handed_over) {
      // The flow goes on to the successor: it ends where the message is received.
      const auto flow = flow_of.find({e.sender, static_cast<std::uint64_t>(e.value)});
      const bool same_key = e.sender == e.actor && static_cast<std::uint64_t>(e.value) == e.message;
      if (e.value > 0 && e.message != 0 && !same_key && flow != flow_of.end()) {
        flow_of[{e.actor, e.message}] = flow->second;
        flow_of.erase(flow);
      }
    } else if (e.kind == EventKind::received) {
      open_slice[e.actor] = events.size();
      slice_start[e.actor] = t;
      events.push_back({{"ph", "X"},
                        {"name", type},
                        {"cat", "receive"},
                        {"ts", us(t)},
                        {"dur", us(1)},
                        {"pid", 1},
                        {"tid", e.actor},
                        {"args", {{"message", e.message}, {"sender", e.sender}}}});
      const auto flow = flow_of.find({e.actor, e.message});
      if (e.message != 0 && flow != flow_of.end()) {
        events.push_back({{"ph", "f"},
                          {"bp", "e"},
                          {"name", "message"},
                          {"cat", "message"},
                          {"id", flow->second},
                          {"ts", us(t)},
                          {"pid", 1},
                          {"tid", e.actor}});
        flow_of.erase(flow);
      }
    } else {
      if (e.kind == EventKind::stopped) open_slice.erase(e.actor);
      std::string name(to_string(e.kind));
      if (!e.detail.empty()) name += ": " + e.detail;
      events.push_back({{"ph", "i"},
                        {"s", "t"},
                        {"name", name},
                        {"cat", std::string(to_string(e.kind))},
                        {"ts", us(t)},
                        {"pid", 1},
                        {"tid", e.actor},
                        {"args", {{"value", e.value}, {"path", e.path}}}});
    }
  }
  // A message never received (a dead letter) keeps a flow start with no end:
  // viewers draw no arrow for it, and its send slice still shows.
  const auto& f = trace.footer;
  json doc{{"traceEvents", std::move(events)},
           {"displayTimeUnit", "ns"},
           {"otherData",
            {{"scenario", h.scenario},
             {"seed", std::to_string(h.seed)},
             {"outcome", f.outcome},
             {"detail", f.detail},
             {"run_hash", sim::hash_hex(f.hash)},
             {"time", "virtual"}}}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace troupe::cli
