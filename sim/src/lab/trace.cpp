#include "troupe/sim/trace.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

#include "gzip_stream.hpp"
#include "troupe/assert.hpp"
#include "troupe/sim/recorder.hpp"
#include "varint_text.hpp"

namespace troupe::sim {

namespace {

using nlohmann::json;

constexpr std::size_t kDecisionsPerLine = 4096;
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

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

json header_to_json(const TraceHeader& h) {
  json j{{"type", "header"},       {"format", h.format},
         {"scenario", h.scenario}, {"params", h.params},
         {"seed", h.seed},         {"strategy", std::string(to_string(h.strategy))},
         {"swarm", h.swarm},       {"faults", faults_to_json(h.faults)}};
  const PctSettings defaults{};
  if (h.strategy == Strategy::pct &&
      (h.pct.depth != defaults.depth || h.pct.expected_steps != defaults.expected_steps)) {
    j["pct_depth"] = h.pct.depth;
    j["pct_steps"] = h.pct.expected_steps;
  }
  return j;
}

/// A portable 64-bit fold (splitmix64's finaliser per word): the seal over
/// everything in a trace that the running event hash does not cover.
class Sealer {
 public:
  void add(std::uint64_t v) {
    std::uint64_t z = state_ ^ (v + 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    state_ = z ^ (z >> 31);
  }
  void add(const std::string& s) {
    add(static_cast<std::uint64_t>(s.size()));
    for (std::size_t i = 0; i < s.size(); i += 8) {
      std::uint64_t word = 0;
      for (std::size_t k = i; k < std::min(s.size(), i + 8); ++k) {
        word = (word << 8) | static_cast<unsigned char>(s[k]);
      }
      add(word);
    }
  }
  std::uint64_t value() const { return state_; }

 private:
  std::uint64_t state_ = 0x3c6ef372fe94f82bULL;
};

/// The seal: the header (in its canonical JSON, with the format it is
/// written or was read in), every decision by stream, and the footer's
/// fields. Events are covered through the footer's hash.
std::uint64_t seal_of(const Trace& t, const TraceHeader& header) {
  Sealer s;
  s.add(header_to_json(header).dump());
  if (t.first_event > 0) {  // a long run's trace: where its kept events start
    s.add(t.first_event);
    s.add(t.hash_before_first);
  }
  for (const auto& [stream, values] : t.decisions) {
    // A stream without values has no line in the file: the seal must not
    // depend on whether the map holds it, or a trace written with one (an
    // edited tape) would not read back.
    if (values.empty()) continue;
    s.add(stream);
    s.add(static_cast<std::uint64_t>(values.size()));
    for (const auto v : values) s.add(v);
  }
  const auto& f = t.footer;
  for (const auto* text : {&f.outcome, &f.invariant, &f.actor, &f.detail}) s.add(*text);
  s.add(f.events);
  s.add(f.hash);
  return s.value();
}

/// Reads a trace line by line within the limits of trace.hpp, with errors
/// that name the line. Limits are checked as bytes arrive, so no input (a
/// 1 GB line, /dev/zero) is ever held beyond them.
class LineReader {
 public:
  LineReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}

  bool next(json& out) {
    std::string line;
    while (read_line(line)) {
      if (line.empty()) continue;
      check_shape(line);
      // JSON lets an object repeat a key and the parser keeps the last one;
      // a reader that kept the first would see another trace. Refused.
      std::vector<std::set<std::string>> keys;
      std::string repeated;
      const auto watch_keys = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) {
          keys.emplace_back();
        } else if (event == json::parse_event_t::object_end && !keys.empty()) {
          keys.pop_back();
        } else if (event == json::parse_event_t::key && !keys.empty() && repeated.empty()) {
          if (!keys.back().insert(parsed.get<std::string>()).second) {
            repeated = parsed.get<std::string>();
          }
        }
        return true;
      };
      out = json::parse(line, watch_keys, false);
      if (out.is_discarded() && !newline_) fail("the file ends in the middle of a line: truncated");
      if (out.is_discarded() || !out.is_object()) fail("not a JSON object");
      if (!repeated.empty()) fail("the key '" + repeated + "' appears twice in one object");
      return true;
    }
    return false;
  }
  /// Bytes read, newlines included (a gzipped file of blank lines is small).
  void charge(std::uint64_t bytes) {
    total_bytes_ += bytes;
    if (total_bytes_ > kTraceMaxBytes) fail("the file is larger than a trace may be (1 GiB)");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw TraceError(name_ + ":" + std::to_string(number_) + ": " + why);
  }

  const json& field(const json& j, const char* name) const {
    const auto it = j.find(name);
    if (it == j.end()) fail(std::string("missing field '") + name + "'");
    return *it;
  }
  std::string text(const json& j, const char* name) const {
    const json& v = field(j, name);
    if (!v.is_string()) wrong_type(name, "a string");
    return v.get<std::string>();
  }
  bool boolean(const json& j, const char* name) const {
    const json& v = field(j, name);
    if (!v.is_boolean()) wrong_type(name, "true or false");
    return v.get<bool>();
  }
  /// A whole number >= 0 that fits 64 bits: no float, no sign.
  std::uint64_t whole_value(const json& v, const std::string& name) const {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) fail("field '" + name + "' must not be negative");
    // The JSON parser reads a whole number past 64 bits as a double.
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (d != std::trunc(d)) fail("field '" + name + "' must be a whole number, not a fraction");
      if (std::fabs(d) >= 0x1p63)
        fail("field '" + name + "' must be a whole number that fits 64 bits");
      fail("field '" + name + "' must be a whole number written without '.' or an exponent");
    }
    wrong_type(name, "a whole number");
  }
  std::uint64_t whole(const json& j, const char* name) const {
    return whole_value(field(j, name), name);
  }
  /// A whole number within [min, max].
  std::int64_t integer(const json& j, const char* name, std::int64_t min, std::int64_t max) const {
    const json& v = field(j, name);
    if (v.is_number_float()) fail(std::string("field '") + name + "' must be a whole number");
    if (!v.is_number()) wrong_type(name, "a whole number");
    const bool too_big = v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(max);
    if (too_big || v.get<std::int64_t>() < min || v.get<std::int64_t>() > max) {
      fail(std::string("field '") + name + "' = " + v.dump() + " is outside [" +
           std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return v.get<std::int64_t>();
  }
  /// Any JSON number (JSON has no NaN or infinity, and overflow is a parse error).
  double real_value(const json& v, const std::string& name) const {
    if (!v.is_number()) wrong_type(name, "a number");
    return v.get<double>();
  }
  double real(const json& j, const char* name) const { return real_value(field(j, name), name); }

  /// Refuses a field the line's kind does not have: every byte of a trace
  /// is either checked by its hashes or refused, never silently carried.
  void only_fields(const json& j, std::initializer_list<std::string_view> known,
                   const char* line) const {
    for (const auto& [name, value] : j.items()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        fail("unknown field '" + name + "' in " + line);
      }
    }
  }

  [[noreturn]] void wrong_type(const std::string& name, const char* expected) const {
    fail("field '" + name + "' has the wrong type (expected " + expected + ")");
  }

 private:
  static constexpr std::streamsize kChunkBytes = 64 << 10;
  std::string chunk_;  ///< bytes read and not yet taken by a line
  std::size_t at_ = 0;
  /// One line without its newline; refuses it the moment it passes the cap.
  bool read_line(std::string& line) {
    line.clear();
    if (at_ == chunk_.size() && !refill()) return false;
    ++number_;
    for (;;) {
      const std::size_t newline = chunk_.find('\n', at_);
      const std::size_t end = newline == std::string::npos ? chunk_.size() : newline;
      const std::size_t take = end - at_;
      if (line.size() + take > kTraceMaxLineBytes) fail("line longer than the limit of 64 MiB");
      charge(take);
      line.append(chunk_, at_, take);
      at_ = end;
      if (newline != std::string::npos) {
        ++at_;
        charge(1);  // blank lines count: a file of newlines is bytes too
        newline_ = true;
        return true;
      }
      if (!refill()) {
        newline_ = false;
        return true;
      }
    }
  }
  /// The next bytes, 64 KiB at a time: a byte at a time was 12 s for the
  /// 64 MiB of one refused line under ThreadSanitizer.
  bool refill() {
    std::streambuf* buf = in_.rdbuf();
    if (buf == nullptr) return false;
    chunk_.resize(kChunkBytes);
    const std::streamsize got = buf->sgetn(chunk_.data(), kChunkBytes);
    chunk_.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    at_ = 0;
    return !chunk_.empty();
  }
  /// Nesting depth and value count before parsing: a parsed value costs far
  /// more memory than its text, so a line's shape is bounded first.
  void check_shape(const std::string& line) const {
    int depth = 0;
    std::size_t values = 1;
    bool in_string = false, escaped = false;
    for (const char c : line) {
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        if (++depth > kTraceMaxJsonDepth) fail("JSON nested deeper than a trace line may be");
      } else if (c == '}' || c == ']') {
        --depth;
      } else if (c == ',' && ++values > kTraceMaxValuesPerLine) {
        fail("more values on one line than a trace line may hold");
      }
    }
  }

  std::istream& in_;
  std::string name_;
  std::uint64_t number_ = 0;
  std::uint64_t total_bytes_ = 0;
  bool newline_ = true;
};

FaultPlan faults_from_json(const json& j, const LineReader& r) {
  FaultPlan plan;
  if (!j.is_object()) r.fail("field 'faults' must be an object");
  try {
    for (const auto& [kind, list] : j.items()) {
      // The writer lists a kind only when it has faults of that kind.
      if (!list.is_array() || list.empty()) {
        r.fail("fault list '" + kind + "' must be an array of at least one fault");
      }
      for (const auto& f : list) {
        if (!f.is_object()) r.fail("a fault in '" + kind + "' must be an object");
        const std::string where = "a '" + kind + "' fault";
        if (kind == "crash_on_message") {
          r.only_fields(f, {"path", "message"}, where.c_str());
          plan.crash_on_message(r.text(f, "path"), r.whole(f, "message"));
        } else if (kind == "crash_random") {
          r.only_fields(f, {"probability", "path_prefix"}, where.c_str());
          plan.crash_with_probability(r.real(f, "probability"), r.text(f, "path_prefix"));
        } else if (kind == "delay") {
          r.only_fields(f, {"probability", "delay_ns"}, where.c_str());
          plan.delay_deliveries(r.real(f, "probability"),
                                Duration(r.integer(f, "delay_ns", 0, kInt64Max)));
        } else if (kind == "stall") {
          r.only_fields(f, {"path", "at_ns", "duration_ns"}, where.c_str());
          plan.stall(r.text(f, "path"), TimePoint{} + Duration(r.integer(f, "at_ns", 0, kInt64Max)),
                     Duration(r.integer(f, "duration_ns", 0, kInt64Max)));
        } else if (kind == "slow") {
          r.only_fields(f, {"path_prefix", "factor"}, where.c_str());
          plan.slow(r.text(f, "path_prefix"), r.real(f, "factor"));
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

Params params_from_json(const json& j, const LineReader& r) {
  if (!j.is_object()) r.wrong_type("params", "an object of numbers");
  Params out;
  for (const auto& [name, value] : j.items()) out[name] = r.real_value(value, "params." + name);
  return out;
}

std::optional<EventKind> parse_kind(const std::string& text) {
  for (int k = 0; k <= static_cast<int>(kLastEventKind); ++k) {
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
  if (r.text(j, "type") != "header") r.fail("the first line must be the header");
  TraceHeader h;
  h.format = static_cast<int>(r.integer(j, "format", 0, std::numeric_limits<int>::max()));
  if (h.format >= 3 && h.format < kOldestTraceFormat) {
    r.fail("trace format " + std::to_string(h.format) +
           " was recorded by an older troupe; this one reads format " +
           std::to_string(kTraceFormat) +
           " (its event hashes are computed another way): record the run again");
  }
  if (h.format < kOldestTraceFormat || h.format > kTraceFormat) {
    const std::string reads =
        kOldestTraceFormat == kTraceFormat
            ? std::to_string(kTraceFormat)
            : std::to_string(kOldestTraceFormat) + " to " + std::to_string(kTraceFormat);
    r.fail("trace format " + std::to_string(h.format) + " is not supported (this troupe reads " +
           reads + ")");
  }
  h.scenario = r.text(j, "scenario");
  h.params = params_from_json(r.field(j, "params"), r);
  h.seed = r.whole(j, "seed");
  const auto strategy = parse_strategy(r.text(j, "strategy"));
  if (!strategy) r.fail("unknown strategy '" + r.text(j, "strategy") + "'");
  h.strategy = *strategy;
  h.swarm = r.boolean(j, "swarm");
  h.faults = faults_from_json(r.field(j, "faults"), r);
  if (j.find("pct_depth") != j.end() || j.find("pct_steps") != j.end()) {
    h.pct.depth = r.whole(j, "pct_depth");
    h.pct.expected_steps = r.whole(j, "pct_steps");
    if (h.pct.depth == 0 || h.pct.depth > kMaxPctDepth || h.pct.expected_steps == 0) {
      r.fail("'pct_depth' must be in [1, " + std::to_string(kMaxPctDepth) +
             "] and 'pct_steps' >= 1");
    }
    // Written only for PCT, and only when they are not the defaults.
    const PctSettings defaults{};
    if (h.strategy != Strategy::pct) r.fail("'pct_depth' and 'pct_steps' belong to a pct trace");
    if (h.pct.depth == defaults.depth && h.pct.expected_steps == defaults.expected_steps) {
      r.fail("'pct_depth' and 'pct_steps' are the defaults, which a trace leaves out");
    }
  }
  return h;
}

void read_decisions(const json& j, const LineReader& r, Trace& t, std::uint64_t& count) {
  const json& values = r.field(j, "values");
  if (!values.is_array()) r.wrong_type("values", "an array of whole numbers");
  count += values.size();
  if (count > DecisionTape::kMaxDecisions) {
    r.fail("more decisions than a trace holds (" + std::to_string(DecisionTape::kMaxDecisions) +
           ")");
  }
  r.only_fields(j, {"type", "stream", "values"}, "a decisions line");
  auto& stream = t.decisions[r.whole(j, "stream")];
  for (const auto& v : values) stream.push_back(r.whole_value(v, "values"));
}

RecordedEvent read_event(const json& j, const LineReader& r, TimePoint previous) {
  RecordedEvent e;
  const auto kind = parse_kind(r.text(j, "kind"));
  if (!kind) r.fail("unknown event kind '" + r.text(j, "kind") + "'");
  e.kind = *kind;
  e.time = TimePoint{} + Duration(r.integer(j, "t_ns", 0, kInt64Max));
  if (e.time < previous) r.fail("the event's time is before the previous event's: out of order");
  e.actor = r.whole(j, "actor");
  e.path = r.text(j, "path");
  e.detail = r.text(j, "detail");
  e.value = r.integer(j, "value", std::numeric_limits<std::int64_t>::min(), kInt64Max);
  if (names_a_message(e.kind)) {
    e.sender = r.whole(j, "sender");
    e.message = r.whole(j, "message");
    e.type = r.text(j, "message_type");
    r.only_fields(j,
                  {"type", "t_ns", "kind", "actor", "path", "detail", "value", "sender", "message",
                   "message_type", "hash"},
                  "an event that names a message");
  } else {
    r.only_fields(j, {"type", "t_ns", "kind", "actor", "path", "detail", "value", "hash"},
                  "an event that names no message");
  }
  return e;
}

/// Compact: {"stream":S,"count":N,"varints":"..."}.
void read_compact_decisions(const json& j, const LineReader& r, Trace& t, std::uint64_t& count) {
  r.only_fields(j, {"type", "stream", "count", "varints"}, "a decisions line");
  const std::uint64_t stream = r.whole(j, "stream");
  const std::uint64_t n = r.whole(j, "count");
  if (n == 0 || n > kTraceMaxValuesPerLine) {
    r.fail("'count' must be in [1, " + std::to_string(kTraceMaxValuesPerLine) + "]");
  }
  std::string why;
  const auto values = decode_varints(r.text(j, "varints"), kTraceMaxValuesPerLine, why);
  if (!values) r.fail("field 'varints': " + why);
  if (values->size() != n) {
    r.fail("the line's 'count' is " + std::to_string(n) + " but it holds " +
           std::to_string(values->size()) + " decisions");
  }
  count += n;
  if (count > DecisionTape::kMaxDecisions) {
    r.fail("more decisions than a trace holds (" + std::to_string(DecisionTape::kMaxDecisions) +
           ")");
  }
  auto& into = t.decisions[stream];
  into.insert(into.end(), values->begin(), values->end());
}

/// The compact encoding's event kinds by index, from the header's "event_kinds".
std::vector<EventKind> read_event_kinds(const json& j, const LineReader& r) {
  const json& names = r.field(j, "event_kinds");
  if (!names.is_array() || names.empty() || names.size() > 256) {
    r.wrong_type("event_kinds", "an array of 1 to 256 event kind names");
  }
  std::vector<EventKind> kinds;
  for (const auto& name : names) {
    if (!name.is_string()) r.wrong_type("event_kinds", "an array of event kind names");
    const auto kind = parse_kind(name.get<std::string>());
    if (!kind) r.fail("unknown event kind '" + name.get<std::string>() + "' in 'event_kinds'");
    if (std::find(kinds.begin(), kinds.end(), *kind) != kinds.end()) {
      r.fail("event kind '" + name.get<std::string>() + "' is listed twice in 'event_kinds'");
    }
    kinds.push_back(*kind);
  }
  return kinds;
}

/// The compact format's message type names by index, from the header's
/// "message_types" (absent when no message was sent).
std::vector<std::string> read_message_types(const json& j, const LineReader& r) {
  std::vector<std::string> types;
  if (j.find("message_types") == j.end()) return types;
  const json& names = r.field(j, "message_types");
  static_assert(kTraceMaxMessageTypes == 4096, "the message below says 4096");
  if (!names.is_array() || names.empty() || names.size() > kTraceMaxMessageTypes) {
    r.wrong_type("message_types", "an array of 1 to 4096 type names");
  }
  for (const auto& name : names) {
    if (!name.is_string() || name.get<std::string>().empty()) {
      r.wrong_type("message_types", "an array of non-empty type names");
    }
    if (std::find(types.begin(), types.end(), name.get<std::string>()) != types.end()) {
      r.fail("message type '" + name.get<std::string>() + "' is listed twice in 'message_types'");
    }
    types.push_back(name.get<std::string>());
  }
  return types;
}

/// Reads the compact format's event rows; each actor's last path fills rows
/// that leave it out.
class CompactEvents {
 public:
  CompactEvents(std::vector<EventKind> kinds, std::vector<std::string> types)
      : kinds_(std::move(kinds)), types_(std::move(types)) {}

  /// A path left out, or a type named by its index, is copied into the
  /// event: a few bytes of row could stand for a long text again and again.
  /// What rows repeat is bounded.
  void charge_repeated(std::size_t bytes, const LineReader& r) {
    repeated_bytes_ += bytes;
    if (repeated_bytes_ > kMaxRepeatedBytes) {
      r.fail("the paths and types the rows repeat pass the limit of 256 MiB");
    }
  }

  /// Every type the header lists is one some row names: the writer lists no other.
  void check_every_type_used(const LineReader& r) const {
    for (std::size_t i = 0; i < types_.size(); ++i) {
      if (!used_types_[i]) r.fail("message type '" + types_[i] + "' is listed but no event has it");
    }
  }

  RecordedEvent read_row(const json& row, const LineReader& r, TimePoint previous) {
    if (!row.is_array() || row.size() < 4 || row.size() > 9) {
      r.fail("an event row must be an array of 4 to 9 values");
    }
    const auto whole = [&](const json& v, const char* what) {
      if (!v.is_number_unsigned()) {
        r.fail(std::string("an event's ") + what + " must be a whole number >= 0");
      }
      return v.get<std::uint64_t>();
    };
    const std::uint64_t dt = whole(row[0], "time step");
    if (dt > static_cast<std::uint64_t>(kInt64Max - ns(previous))) {
      r.fail("an event's time passes the largest time point");
    }
    RecordedEvent e;
    e.time = previous + Duration(static_cast<std::int64_t>(dt));
    const std::uint64_t kind = whole(row[1], "kind");
    if (kind >= kinds_.size()) r.fail("an event's kind is not an index into 'event_kinds'");
    e.kind = kinds_[kind];
    e.actor = whole(row[2], "actor");
    if (!row[3].is_number_integer()) r.fail("an event's value must be a whole number");
    if (row[3].is_number_unsigned() && row[3].get<std::uint64_t>() > std::uint64_t(kInt64Max)) {
      r.fail("an event's value is outside the 64-bit range");
    }
    e.value = row[3].get<std::int64_t>();
    // A message's sender, number and type index come next; then the path and detail.
    std::size_t at = 4;
    if (names_a_message(e.kind)) {
      if (row.size() < 7) r.fail("a row that names a message must give sender, message and type");
      e.sender = whole(row[4], "sender");
      e.message = whole(row[5], "message number");
      const std::uint64_t type = whole(row[6], "type");
      if (type >= types_.size()) r.fail("an event's type is not an index into 'message_types'");
      e.type = types_[type];
      used_types_[type] = true;
      charge_repeated(e.type.size(), r);
      at = 7;
    }
    if (row.size() > at + 2) r.fail("an event row has values past its detail");
    if (row.size() > at && !row[at].is_null()) {
      if (!row[at].is_string()) r.fail("an event's path must be a string or null");
      e.path = row[at].get<std::string>();
      const auto known = last_path_.find(e.actor);
      if (known != last_path_.end() && known->second == e.path) {
        r.fail("an event row repeats its actor's path: a row gives it only when it changed");
      }
      last_path_[e.actor] = e.path;
    } else {
      if (row.size() == at + 1) r.fail("an event row ends in a null path with no detail after it");
      const auto it = last_path_.find(e.actor);
      if (it == last_path_.end()) {
        r.fail("the first event of actor " + std::to_string(e.actor) + " must give its path");
      }
      e.path = it->second;
      charge_repeated(e.path.size(), r);
    }
    if (row.size() == at + 2) {
      if (!row[at + 1].is_string() || row[at + 1].get<std::string>().empty()) {
        r.fail("an event's detail, when given, must be a non-empty string");
      }
      e.detail = row[at + 1].get<std::string>();
    }
    return e;
  }

 private:
  /// Far above a real trace's (2^20 events of paths of 256 bytes).
  static constexpr std::uint64_t kMaxRepeatedBytes = std::uint64_t{256} << 20;
  std::vector<EventKind> kinds_;
  std::vector<std::string> types_;
  std::vector<bool> used_types_ = std::vector<bool>(types_.size(), false);
  std::map<ActorId, std::string> last_path_;
  std::uint64_t repeated_bytes_ = 0;
};

TraceFooter read_footer(const json& j, const LineReader& r) {
  TraceFooter f;
  f.outcome = r.text(j, "outcome");
  f.invariant = r.text(j, "invariant");
  f.actor = r.text(j, "actor");
  f.detail = r.text(j, "detail");
  f.events = r.whole(j, "events");
  f.hash = parse_hash(r.text(j, "hash"), r);
  return f;
}

/// The running hash of a trace's events, from where its kept events start.
struct HashCheck {
  std::uint64_t hash;
  void add(const Event& e) { hash = fold_event(hash, e); }
};

/// A trace of a long run keeps its last events: where they start.
void read_suffix_start(const json& j, const LineReader& r, Trace& t) {
  if (j.find("events_from") == j.end()) {
    if (j.find("hash_before") != j.end()) r.fail("'hash_before' belongs with 'events_from'");
    return;
  }
  t.first_event = r.whole(j, "events_from");
  t.hash_before_first = parse_hash(r.text(j, "hash_before"), r);
  // Far below any count a run reaches, and no sum with it can wrap.
  constexpr std::uint64_t kMaxEventIndex = std::uint64_t{1} << 62;
  if (t.first_event == 0 || t.first_event > kMaxEventIndex) {
    r.fail("'events_from' must be in [1, 2^62] when present");
  }
}

/// The lines after the header, with the running hash recomputed as events
/// arrive: an edited event is refused on its own line. `compact` is set for
/// the compact encoding (event rows), empty for the verbose one (an object
/// per event).
void read_body(LineReader& r, Trace& t, std::uint64_t& seal, Integrity integrity,
               std::optional<CompactEvents>& compact) {
  HashCheck check{t.first_event > 0 ? t.hash_before_first : Recorder::kInitialHash};
  std::uint64_t decisions = 0;
  bool footer = false;
  const auto add_event = [&](RecordedEvent e) {
    if (t.events.size() == kTraceMaxEvents) r.fail("more events than a trace holds");
    t.events.push_back(std::move(e));
    check.add(view(t.events.back()));
    t.hashes.push_back(check.hash);
  };
  const auto check_hash = [&](const json& j, const char* what) {
    const auto recorded = parse_hash(r.text(j, "hash"), r);
    if (integrity == Integrity::verify && recorded != check.hash) {
      r.fail(std::string(what) + " does not match its running hash (edited?)");
    }
  };
  const auto last_time = [&] { return t.events.empty() ? TimePoint{} : t.events.back().time; };
  json j;
  while (r.next(j)) {
    if (footer) r.fail("lines after the footer");
    const auto type = r.text(j, "type");
    if (type == "decisions") {
      if (compact) {
        read_compact_decisions(j, r, t, decisions);
      } else {
        read_decisions(j, r, t, decisions);
      }
    } else if (type == "event" && !compact) {
      add_event(read_event(j, r, last_time()));
      check_hash(j, "the event");
    } else if (type == "events" && compact) {
      r.only_fields(j, {"type", "rows", "hash"}, "an events line");
      const json& rows = r.field(j, "rows");
      if (!rows.is_array() || rows.empty() || rows.size() > kTraceEventsPerLine) {
        r.wrong_type("rows", "an array of 1 to 256 event rows");
      }
      for (const auto& row : rows) add_event(compact->read_row(row, r, last_time()));
      check_hash(j, "the line's events");
    } else if (type == "footer") {
      if (compact) compact->check_every_type_used(r);
      t.footer = read_footer(j, r);
      seal = parse_hash(r.text(j, "seal"), r);
      r.only_fields(j,
                    {"type", "outcome", "invariant", "actor", "detail", "events", "hash", "seal"},
                    "the footer");
      if (integrity == Integrity::recompute) t.footer.hash = check.hash;
      if (t.footer.hash != check.hash) r.fail("the footer's hash does not match the events");
      footer = true;
    } else if (type == "event" || type == "events") {
      r.fail("a '" + type + "' line does not belong in a trace of format " +
             std::to_string(t.header.format));
    } else {
      r.fail("unknown line type '" + type + "'");
    }
  }
  if (!footer) r.fail("no footer: the trace is truncated");
}

void write_verbose_body(const Trace& t, std::ostream& out) {
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
    json line{{"type", "event"},  {"t_ns", ns(e.time)}, {"kind", std::string(to_string(e.kind))},
              {"actor", e.actor}, {"path", e.path},     {"detail", e.detail},
              {"value", e.value}};
    if (names_a_message(e.kind)) {
      line["sender"] = e.sender;
      line["message"] = e.message;
      line["message_type"] = e.type;
    }
    line["hash"] = hash_hex(t.hashes[i]);
    out << line.dump() << '\n';
  }
}

/// The message types of a trace's events, in the order they first appear.
std::vector<std::string_view> message_types_of(const Trace& t) {
  std::vector<std::string_view> types;
  std::map<std::string_view, std::size_t> seen;
  for (const auto& e : t.events) {
    if (names_a_message(e.kind) && seen.emplace(e.type, types.size()).second) {
      types.push_back(e.type);
    }
  }
  return types;
}

void write_compact_body(const Trace& t, std::ostream& out,
                        const std::vector<std::string_view>& types) {
  std::map<std::string_view, std::size_t> type_index;
  for (std::size_t i = 0; i < types.size(); ++i) type_index.emplace(types[i], i);
  for (const auto& [stream, values] : t.decisions) {
    for (std::size_t from = 0; from < values.size(); from += kDecisionsPerLine) {
      const auto to = std::min(values.size(), from + kDecisionsPerLine);
      const std::vector<std::uint64_t> line(values.begin() + static_cast<std::ptrdiff_t>(from),
                                            values.begin() + static_cast<std::ptrdiff_t>(to));
      out << json{{"type", "decisions"},
                  {"stream", stream},
                  {"count", line.size()},
                  {"varints", encode_varints(line)}}
                 .dump()
          << '\n';
    }
  }
  std::map<ActorId, std::string_view> last_path;
  TimePoint previous{};
  for (std::size_t from = 0; from < t.events.size(); from += kTraceEventsPerLine) {
    const auto to = std::min(t.events.size(), from + kTraceEventsPerLine);
    json rows = json::array();
    for (std::size_t i = from; i < to; ++i) {
      const auto& e = t.events[i];
      json row{ns(e.time) - ns(previous), static_cast<std::uint64_t>(e.kind), e.actor, e.value};
      previous = e.time;
      if (names_a_message(e.kind)) {
        row.push_back(e.sender);
        row.push_back(e.message);
        row.push_back(type_index.at(e.type));
      }
      const auto known = last_path.find(e.actor);
      if (known == last_path.end() || known->second != e.path) {
        row.push_back(e.path);
        last_path[e.actor] = e.path;
      } else if (!e.detail.empty()) {
        row.push_back(nullptr);
      }
      if (!e.detail.empty()) row.push_back(e.detail);
      rows.push_back(std::move(row));
    }
    out << json{{"type", "events"}, {"rows", std::move(rows)}, {"hash", hash_hex(t.hashes[to - 1])}}
               .dump()
        << '\n';
  }
}

}  // namespace

std::string hash_hex(std::uint64_t hash) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, hash);
  return buf;
}

void write_trace(const Trace& t, std::ostream& out, TraceEncoding encoding) {
  TROUPE_ASSERT(t.hashes.size() == t.events.size());
  TraceHeader written = t.header;
  // A trace read in one format is written in the one asked for.
  written.format = kTraceFormat;
  json header = header_to_json(written);
  if (t.first_event > 0) {
    header["events_from"] = t.first_event;
    header["hash_before"] = hash_hex(t.hash_before_first);
  }
  if (encoding == TraceEncoding::compact) {
    json kinds = json::array();
    for (std::size_t k = 0; k <= static_cast<std::size_t>(kLastEventKind); ++k) {
      kinds.push_back(std::string(to_string(static_cast<EventKind>(k))));
    }
    header["event_kinds"] = kinds;
  }
  const auto types = message_types_of(t);
  if (encoding == TraceEncoding::compact && !types.empty()) header["message_types"] = types;
  out << header.dump() << '\n';
  if (encoding == TraceEncoding::compact) {
    write_compact_body(t, out, types);
  } else {
    write_verbose_body(t, out);
  }
  const auto& f = t.footer;
  out << json{{"type", "footer"},         {"outcome", f.outcome},
              {"invariant", f.invariant}, {"actor", f.actor},
              {"detail", f.detail},       {"events", f.events},
              {"hash", hash_hex(f.hash)}, {"seal", hash_hex(seal_of(t, written))}}
             .dump()
      << '\n';
}

void write_trace_file(const Trace& trace, const std::string& path, TraceEncoding encoding) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  if (path.ends_with(".gz")) {
    std::ostringstream text;
    write_trace(trace, text, encoding);
    out << gzip(text.str());
  } else {
    write_trace(trace, out, encoding);
  }
  out.flush();
  if (!out) throw std::runtime_error("writing " + path + " failed");
}

Trace read_trace(std::istream& in, const std::string& name) {
  return read_trace(in, name, Integrity::verify);
}

namespace {

Trace read_plain_trace(std::istream& in, const std::string& name, Integrity integrity) {
  LineReader r(in, name);
  Trace t;
  json j;
  if (!r.next(j)) throw TraceError(name + ": empty file, not a trace");
  t.header = read_header(j, r);
  read_suffix_start(j, r, t);
  std::optional<CompactEvents> compact;
  // The compact encoding's header lists the event kinds its rows index.
  if (j.find("event_kinds") != j.end()) {
    compact.emplace(read_event_kinds(j, r), read_message_types(j, r));
  } else if (j.find("message_types") != j.end()) {
    r.fail("'message_types' belongs to a compact trace, which lists 'event_kinds' too");
  }
  r.only_fields(
      j,
      {"type", "format", "scenario", "params", "seed", "strategy", "swarm", "faults", "pct_depth",
       "pct_steps", "events_from", "hash_before", "event_kinds", "message_types"},
      "the header");
  std::uint64_t seal = 0;
  read_body(r, t, seal, integrity, compact);
  if (integrity == Integrity::recompute) t.footer.events = t.first_event + t.events.size();
  if (t.footer.events != t.first_event + t.events.size()) {
    r.fail("the footer counts " + std::to_string(t.footer.events) + " events, the file holds " +
           std::to_string(t.events.size()) +
           (t.first_event > 0 ? " from event " + std::to_string(t.first_event) : ""));
  }
  if (integrity == Integrity::verify && seal != seal_of(t, t.header)) {
    r.fail("the seal does not match the header, decisions and footer (edited by hand?)");
  }
  return t;
}

}  // namespace

Trace read_trace(std::istream& in, const std::string& name, Integrity integrity) {
  // The first two bytes say whether the file is gzipped; they are taken
  // and handed back in front of the rest (a pipe cannot put them back).
  std::string first;
  std::streambuf* source = in.rdbuf();
  if (source == nullptr) throw TraceError(name + ": cannot read");
  for (int i = 0; i < 2; ++i) {
    const auto c = source->sbumpc();
    if (c == std::char_traits<char>::eof()) break;
    first.push_back(static_cast<char>(c));
  }
  const bool gzipped = is_gzip_magic(first);
  PrefixedBuffer whole(std::move(first), *source);
  std::istream bytes(&whole);
  if (!gzipped) return read_plain_trace(bytes, name, integrity);
  GunzipBuffer gunzip(bytes, name);
  std::istream text(&gunzip);
  return read_plain_trace(text, name, integrity);
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
