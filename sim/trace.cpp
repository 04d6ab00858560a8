#include "sim/trace.hpp"

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/recorder.hpp"

namespace troupe::sim {

namespace {

using nlohmann::json;

/// The longest line a reader accepts: a corrupt file never exhausts memory.
constexpr std::size_t kMaxLineBytes = 64 << 20;
constexpr std::size_t kDecisionsPerLine = 4096;

std::int64_t ns(TimePoint t) {
  return t.time_since_epoch().count();
}
std::int64_t ns(Duration d) {
  return d.count();
}

json faults_to_json(const FaultPlan& plan) {
  json j = json::object();
  for (const auto& c : plan.crashes()) {
    j["crash_on_message"].push_back({{"path", c.path}, {"message", c.message}});
  }
  for (const auto& c : plan.random_crashes()) {
    j["crash_random"].push_back({{"probability", c.probability}, {"path_prefix", c.path_prefix}});
  }
  for (const auto& d : plan.delays()) {
    j["delay"].push_back({{"probability", d.probability}, {"delay_ns", ns(d.delay)}});
  }
  for (const auto& s : plan.stalls()) {
    j["stall"].push_back({{"path", s.path}, {"at_ns", ns(s.at)}, {"duration_ns", ns(s.duration)}});
  }
  for (const auto& s : plan.slowdowns()) {
    j["slow"].push_back({{"path_prefix", s.path_prefix}, {"factor", s.factor}});
  }
  return j;
}

/// Reads one line's JSON, with errors that name the line.
class LineReader {
 public:
  LineReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}

  bool next(json& out) {
    std::string line;
    while (std::getline(in_, line)) {
      ++number_;
      if (line.size() > kMaxLineBytes) fail("line too long");
      if (line.empty()) continue;
      out = json::parse(line, nullptr, false);
      if (out.is_discarded() && in_.eof()) fail("the file ends in the middle of a line: truncated");
      if (out.is_discarded() || !out.is_object()) fail("not a JSON object");
      return true;
    }
    return false;
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw TraceError(name_ + ":" + std::to_string(number_) + ": " + why);
  }
  template <class T>
  T get(const json& j, const char* field) const {
    const auto it = j.find(field);
    if (it == j.end()) fail(std::string("missing field '") + field + "'");
    try {
      return it->get<T>();
    } catch (const json::exception&) {
      fail(std::string("field '") + field + "' has the wrong type");
    }
  }
  std::uint64_t number() const { return number_; }

 private:
  std::istream& in_;
  std::string name_;
  std::uint64_t number_ = 0;
};

Duration nanos(std::int64_t v) {
  return Duration(v);
}

FaultPlan faults_from_json(const json& j, const LineReader& r) {
  FaultPlan plan;
  if (!j.is_object()) r.fail("field 'faults' must be an object");
  try {
    for (const auto& [kind, list] : j.items()) {
      if (!list.is_array()) r.fail("fault list '" + kind + "' must be an array");
      for (const auto& f : list) {
        if (kind == "crash_on_message") {
          plan.crash_on_message(r.get<std::string>(f, "path"), r.get<std::uint64_t>(f, "message"));
        } else if (kind == "crash_random") {
          plan.crash_with_probability(r.get<double>(f, "probability"),
                                      r.get<std::string>(f, "path_prefix"));
        } else if (kind == "delay") {
          plan.delay_deliveries(r.get<double>(f, "probability"),
                                nanos(r.get<std::int64_t>(f, "delay_ns")));
        } else if (kind == "stall") {
          plan.stall(r.get<std::string>(f, "path"),
                     TimePoint{} + nanos(r.get<std::int64_t>(f, "at_ns")),
                     nanos(r.get<std::int64_t>(f, "duration_ns")));
        } else if (kind == "slow") {
          plan.slow(r.get<std::string>(f, "path_prefix"), r.get<double>(f, "factor"));
        } else {
          r.fail("unknown fault kind '" + kind + "'");
        }
      }
    }
  } catch (const std::invalid_argument& e) {
    r.fail(std::string("invalid fault: ") + e.what());
  }
  return plan;
}

std::optional<EventKind> parse_kind(const std::string& text) {
  for (int k = 0; k <= static_cast<int>(EventKind::scaled); ++k) {
    if (to_string(static_cast<EventKind>(k)) == text) return static_cast<EventKind>(k);
  }
  return std::nullopt;
}

std::uint64_t parse_hash(const std::string& text, const LineReader& r) {
  if (text.size() != 16 || text.find_first_not_of("0123456789abcdef") != std::string::npos) {
    r.fail("a hash must be 16 lowercase hex digits, got '" + text + "'");
  }
  return std::stoull(text, nullptr, 16);
}

TraceHeader read_header(const json& j, const LineReader& r) {
  if (r.get<std::string>(j, "type") != "header") r.fail("the first line must be the header");
  TraceHeader h;
  h.format = r.get<int>(j, "format");
  if (h.format != kTraceFormat) {
    r.fail("trace format " + std::to_string(h.format) + " is not supported (this troupe reads " +
           std::to_string(kTraceFormat) + ")");
  }
  h.scenario = r.get<std::string>(j, "scenario");
  h.params = r.get<Params>(j, "params");
  h.seed = r.get<std::uint64_t>(j, "seed");
  const auto strategy = parse_strategy(r.get<std::string>(j, "strategy"));
  if (!strategy) r.fail("unknown strategy '" + r.get<std::string>(j, "strategy") + "'");
  h.strategy = *strategy;
  h.swarm = r.get<bool>(j, "swarm");
  const auto it = j.find("faults");
  if (it == j.end()) r.fail("missing field 'faults'");
  h.faults = faults_from_json(*it, r);
  return h;
}

RecordedEvent read_event(const json& j, const LineReader& r) {
  RecordedEvent e;
  const auto kind = parse_kind(r.get<std::string>(j, "kind"));
  if (!kind) r.fail("unknown event kind '" + r.get<std::string>(j, "kind") + "'");
  e.kind = *kind;
  e.time = TimePoint{} + nanos(r.get<std::int64_t>(j, "t_ns"));
  e.actor = r.get<std::uint64_t>(j, "actor");
  e.path = r.get<std::string>(j, "path");
  e.detail = r.get<std::string>(j, "detail");
  e.value = r.get<std::int64_t>(j, "value");
  return e;
}

TraceFooter read_footer(const json& j, const LineReader& r) {
  TraceFooter f;
  f.outcome = r.get<std::string>(j, "outcome");
  f.invariant = r.get<std::string>(j, "invariant");
  f.actor = r.get<std::string>(j, "actor");
  f.detail = r.get<std::string>(j, "detail");
  f.events = r.get<std::uint64_t>(j, "events");
  f.hash = parse_hash(r.get<std::string>(j, "hash"), r);
  return f;
}

/// The running hash of a trace's events, from where its kept events start.
struct HashCheck {
  std::uint64_t hash;
  void add(const Event& e) { hash = fold_event(hash, e); }
};

/// A trace of a long run keeps its last events: where they start.
void read_suffix_start(const json& j, const LineReader& r, Trace& t) {
  if (j.find("events_from") == j.end()) return;
  t.first_event = r.get<std::uint64_t>(j, "events_from");
  t.hash_before_first = parse_hash(r.get<std::string>(j, "hash_before"), r);
  // Far below any count a run reaches, and no sum with it can wrap.
  constexpr std::uint64_t kMaxEventIndex = std::uint64_t{1} << 62;
  if (t.first_event == 0 || t.first_event > kMaxEventIndex) {
    r.fail("'events_from' must be in [1, 2^62] when present");
  }
}

Event as_event(const RecordedEvent& e) {
  return Event{e.kind, e.time, e.actor, e.path, e.detail, e.value};
}

}  // namespace

std::string hash_hex(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, hash);
  return buf;
}

void write_trace(const Trace& t, std::ostream& out) {
  const auto& h = t.header;
  json header{{"type", "header"},       {"format", h.format},
              {"scenario", h.scenario}, {"params", h.params},
              {"seed", h.seed},         {"strategy", std::string(to_string(h.strategy))},
              {"swarm", h.swarm},       {"faults", faults_to_json(h.faults)}};
  if (t.first_event > 0) {
    header["events_from"] = t.first_event;
    header["hash_before"] = hash_hex(t.hash_before_first);
  }
  out << header.dump() << '\n';
  for (const auto& [stream, values] : t.decisions) {
    for (std::size_t from = 0; from < values.size(); from += kDecisionsPerLine) {
      const auto to = std::min(values.size(), from + kDecisionsPerLine);
      out << json{{"type", "decisions"},
                  {"stream", stream},
                  {"values",
                   std::vector<std::uint64_t>(values.begin() + static_cast<std::ptrdiff_t>(from),
                                              values.begin() + static_cast<std::ptrdiff_t>(to))}}
                 .dump()
          << '\n';
    }
  }
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& e = t.events[i];
    out << json{{"type", "event"},
                {"t_ns", ns(e.time)},
                {"kind", std::string(to_string(e.kind))},
                {"actor", e.actor},
                {"path", e.path},
                {"detail", e.detail},
                {"value", e.value},
                {"hash", hash_hex(t.hashes.at(i))}}
               .dump()
        << '\n';
  }
  const auto& f = t.footer;
  out << json{{"type", "footer"},        {"outcome", f.outcome}, {"invariant", f.invariant},
              {"actor", f.actor},        {"detail", f.detail},   {"events", f.events},
              {"hash", hash_hex(f.hash)}}
             .dump()
      << '\n';
}

void write_trace_file(const Trace& trace, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  write_trace(trace, out);
  out.flush();
  if (!out) throw std::runtime_error("writing " + path + " failed");
}

Trace read_trace(std::istream& in, const std::string& name) {
  LineReader r(in, name);
  Trace t;
  json j;
  if (!r.next(j)) throw TraceError(name + ": empty file, not a trace");
  t.header = read_header(j, r);
  read_suffix_start(j, r, t);
  // Recomputes the running hash (from where the kept events start): catches
  // edited events.
  HashCheck check{t.first_event > 0 ? t.hash_before_first : Recorder::kInitialHash};
  bool footer = false;
  while (r.next(j)) {
    if (footer) r.fail("lines after the footer");
    const auto type = r.get<std::string>(j, "type");
    if (type == "decisions") {
      auto values = r.get<std::vector<std::uint64_t>>(j, "values");
      auto& stream = t.decisions[r.get<std::uint64_t>(j, "stream")];
      stream.insert(stream.end(), values.begin(), values.end());
    } else if (type == "event") {
      t.events.push_back(read_event(j, r));
      check.add(as_event(t.events.back()));
      const auto recorded = parse_hash(r.get<std::string>(j, "hash"), r);
      if (recorded != check.hash) r.fail("the event does not match its running hash (edited?)");
      t.hashes.push_back(recorded);
    } else if (type == "footer") {
      t.footer = read_footer(j, r);
      footer = true;
    } else {
      r.fail("unknown line type '" + type + "'");
    }
  }
  if (!footer) throw TraceError(name + ": no footer: the trace is truncated");
  if (t.footer.events != t.first_event + t.events.size()) {
    throw TraceError(name + ": the footer counts " + std::to_string(t.footer.events) +
                     " events, the file holds " + std::to_string(t.events.size()) +
                     (t.first_event > 0 ? " from event " + std::to_string(t.first_event) : ""));
  }
  if (t.footer.hash != check.hash) {
    throw TraceError(name + ": the footer's hash does not match the events");
  }
  return t;
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ": cannot open");
  return read_trace(in, path);
}

std::string describe(const RecordedEvent& e) {
  std::ostringstream os;
  char time[32];
  std::snprintf(time, sizeof time, "%.3fms",
                std::chrono::duration<double, std::milli>(e.time.time_since_epoch()).count());
  os << time << ' ' << to_string(e.kind) << ' ' << (e.path.empty() ? "-" : e.path);
  if (!e.detail.empty()) os << " \"" << e.detail << '"';
  os << " value=" << e.value;
  return os.str();
}

}  // namespace troupe::sim
