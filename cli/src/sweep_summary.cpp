#include "sweep_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>

#include "text_escape.hpp"

namespace troupe::cli {

namespace {

using nlohmann::json;

/// Pieces appended into one string (g++ 12 at -O3 warns falsely on
/// "literal" + std::string: GCC bug 105651).
template <class... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string out;
  (out.append(std::string_view(pieces)), ...);
  return out;
}

/// A summary lists signatures and seeds, never the runs themselves: far
/// below this; the cap keeps a hostile file from exhausting memory.
constexpr std::uintmax_t kMaxSummaryBytes = std::uintmax_t{64} << 20;
/// A summary nests 5 deep; parsed JSON costs many times its text, so the
/// shape is checked before parsing.
constexpr int kMaxSummaryDepth = 8;
/// Far beyond any real sweep; keeps sums of shards finite.
constexpr double kMaxSeconds = 1e9;
constexpr double kMaxRate = 1e12;
constexpr std::uint64_t kMaxKeep = 1000;

json signature_to_json(const FailureSignature& s) {
  json examples = json::array();
  for (const auto& e : s.examples) {
    examples.push_back({{"seed", e.seed}, {"events", e.events}, {"trace", e.trace}});
  }
  return {{"kind", s.kind},
          {"invariant", s.invariant},
          {"path", s.path},
          {"count", s.count},
          {"examples", examples}};
}

/// Reads one object's fields, refusing what a summary never holds: a
/// missing or unknown field, a wrong type, a negative or fractional count.
class Fields {
 public:
  Fields(const json& j, std::string where, const std::string& name)
      : j_(j), where_(std::move(where)), name_(name) {
    if (!j_.is_object()) fail("is not a JSON object");
  }
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument(cat(name_, ": ", where_, " ", why));
  }
  const json& get(const char* field) {
    seen_.insert(field);
    const auto it = j_.find(field);
    if (it == j_.end()) fail(cat("has no field '", field, "'"));
    return *it;
  }
  std::uint64_t whole(const char* field) {
    const json& v = get(field);
    if (!v.is_number_unsigned()) fail(cat("'", field, "' must be a whole number >= 0"));
    return v.get<std::uint64_t>();
  }
  double real(const char* field, double max, const char* max_text) {
    const json& v = get(field);
    if (!v.is_number() || !(v.get<double>() >= 0 && v.get<double>() <= max)) {
      fail(cat("'", field, "' must be a number in [0, ", max_text, "]"));
    }
    return v.get<double>();
  }
  std::string text(const char* field) {
    const json& v = get(field);
    if (!v.is_string()) fail(cat("'", field, "' must be a string"));
    return v.get<std::string>();
  }
  bool flag(const char* field) {
    const json& v = get(field);
    if (!v.is_boolean()) fail(cat("'", field, "' must be true or false"));
    return v.get<bool>();
  }
  const json& array(const char* field) {
    const json& v = get(field);
    if (!v.is_array()) fail(cat("'", field, "' must be an array"));
    return v;
  }
  std::string where(const std::string& inner) const { return cat(where_, ".", inner); }
  /// Every field present was read: an unknown one is a typo or another tool's file.
  void no_others() const {
    for (const auto& [key, value] : j_.items()) {
      if (!seen_.contains(key)) fail(cat("has an unknown field '", key, "'"));
    }
  }

 private:
  const json& j_;
  std::string where_;
  const std::string& name_;
  std::set<std::string> seen_;
};

std::vector<std::uint64_t> ascending_wholes(const json& a, Fields& f, const char* field) {
  std::vector<std::uint64_t> out;
  for (const auto& v : a) {
    if (!v.is_number_unsigned()) f.fail(cat("'", field, "' must hold whole numbers"));
    const auto n = v.get<std::uint64_t>();
    if (!out.empty() && n <= out.back()) {
      f.fail(cat("'", field, "' must be ascending without repeats"));
    }
    out.push_back(n);
  }
  return out;
}

/// Refuses nesting deeper than a summary has, before parsing.
void check_depth(const std::string& text, const std::string& name) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
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
      if (++depth > kMaxSummaryDepth) {
        throw std::invalid_argument(cat(name, ": nested deeper than a summary is"));
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

FailureSignature signature_from_json(const json& j, const std::string& where,
                                     const std::string& name, const SweepSummary& s) {
  Fields f(j, where, name);
  FailureSignature sig;
  sig.kind = f.text("kind");
  sig.invariant = f.text("invariant");
  sig.path = f.text("path");
  sig.count = f.whole("count");
  if (sig.kind != "violation" && sig.kind != "stuck" && sig.kind != "over_budget" &&
      sig.kind != "error") {
    f.fail(cat("'kind' must be violation, stuck, over_budget or error, got '", sig.kind, "'"));
  }
  if (sig.count == 0) f.fail("'count' must be >= 1");
  for (const auto& e : f.array("examples")) {
    Fields ef(e, f.where("examples[]"), name);
    FailureExample ex;
    ex.seed = ef.whole("seed");
    ex.events = ef.whole("events");
    ex.trace = ef.text("trace");
    ef.no_others();
    if (ex.seed < s.from || ex.seed - s.from >= s.seeds) {
      ef.fail(cat("'seed' ", std::to_string(ex.seed), " is outside the sweep's seeds"));
    }
    if (!owns_seed(s, ex.seed)) {
      ef.fail(cat("'seed' ", std::to_string(ex.seed), " is not one of the summary's shards"));
    }
    if (!sig.examples.empty() && !sig.examples.back().before(ex)) {
      ef.fail("examples must be in order: shortest run first, then lowest seed");
    }
    for (const auto& earlier : sig.examples) {
      if (earlier.seed == ex.seed)
        ef.fail(cat("seed ", std::to_string(ex.seed), " is listed twice"));
    }
    sig.examples.push_back(std::move(ex));
  }
  if (sig.examples.size() > s.keep || sig.examples.size() > sig.count) {
    f.fail("holds more examples than 'keep' or 'count' allow");
  }
  f.no_others();
  return sig;
}

}  // namespace

bool SweepSummary::same_findings(const SweepSummary& o) const {
  const auto without_files = [](std::vector<FailureSignature> sigs) {
    for (auto& s : sigs) {
      for (auto& e : s.examples) e.trace.clear();
    }
    return sigs;
  };
  return scenario == o.scenario && params == o.params && strategy == o.strategy &&
         swarm == o.swarm && from == o.from && seeds == o.seeds && keep == o.keep &&
         seeds_run == o.seeds_run && failed == o.failed && stopped_by == o.stopped_by &&
         nondeterministic == o.nondeterministic &&
         without_files(signatures) == without_files(o.signatures);
}

std::string summary_to_json(const SweepSummary& s) {
  json sigs = json::array();
  for (const auto& sig : s.signatures) sigs.push_back(signature_to_json(sig));
  const json j{{"troupe_summary", kSummaryFormat},
               {"scenario", s.scenario},
               {"params", s.params},
               {"strategy", s.strategy},
               {"swarm", s.swarm},
               {"from", s.from},
               {"seeds", s.seeds},
               {"shards", {{"count", s.shard_count}, {"run", s.shards_run}}},
               {"keep", s.keep},
               {"seeds_run", s.seeds_run},
               {"failed", s.failed},
               {"elapsed_s", s.elapsed_s},
               {"runs_per_s", s.runs_per_s},
               {"stopped_by", s.stopped_by},
               {"signatures", sigs},
               {"determinism",
                {{"checked", s.determinism_checked}, {"nondeterministic", s.nondeterministic}}}};
  return j.dump(2) + "\n";
}

std::uint64_t seeds_in_shards(const SweepSummary& s) {
  std::uint64_t n = 0;
  for (const auto shard : s.shards_run) {
    if (shard < s.seeds) n += (s.seeds - shard - 1) / s.shard_count + 1;
  }
  return n;
}

bool owns_seed(const SweepSummary& s, std::uint64_t seed) {
  if (seed < s.from || seed - s.from >= s.seeds) return false;
  return std::binary_search(s.shards_run.begin(), s.shards_run.end(),
                            (seed - s.from) % s.shard_count);
}

SweepSummary summary_from_json(const std::string& text, const std::string& name) {
  check_depth(text, name);
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw std::invalid_argument(name + ": not JSON (truncated?)");
  Fields f(j, "the summary", name);
  const json& format = f.get("troupe_summary");
  if (!format.is_number_unsigned() || format.get<std::uint64_t>() != kSummaryFormat) {
    f.fail(cat("is not a troupe summary of format ", std::to_string(kSummaryFormat)));
  }
  SweepSummary s;
  s.scenario = f.text("scenario");
  const json& params = f.get("params");
  if (!params.is_object()) f.fail("'params' must be an object");
  for (const auto& [key, value] : params.items()) {
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      f.fail(cat("parameter '", key, "' must be a finite number"));
    }
    s.params[key] = value.get<double>();
  }
  s.strategy = f.text("strategy");
  s.swarm = f.flag("swarm");
  s.from = f.whole("from");
  s.seeds = f.whole("seeds");
  if (s.seeds == 0) f.fail("'seeds' must be >= 1");
  if (s.seeds - 1 > std::numeric_limits<std::uint64_t>::max() - s.from) {
    f.fail("'from' and 'seeds' pass the largest seed");
  }
  {
    Fields sf(f.get("shards"), "'shards'", name);
    s.shard_count = sf.whole("count");
    if (s.shard_count == 0) sf.fail("'count' must be >= 1");
    s.shards_run = ascending_wholes(sf.array("run"), sf, "run");
    if (s.shards_run.empty()) sf.fail("'run' names no shard");
    if (s.shards_run.back() >= s.shard_count) sf.fail("'run' names a shard past 'count'");
    sf.no_others();
  }
  s.keep = f.whole("keep");
  if (s.keep == 0 || s.keep > kMaxKeep) f.fail("'keep' must be in [1, 1000]");
  s.seeds_run = f.whole("seeds_run");
  s.failed = f.whole("failed");
  if (s.seeds_run > s.seeds) f.fail("'seeds_run' is more than 'seeds'");
  if (s.seeds_run > seeds_in_shards(s)) f.fail("'seeds_run' is more than its shards hold");
  if (s.failed > s.seeds_run) f.fail("'failed' is more than 'seeds_run'");
  s.elapsed_s = f.real("elapsed_s", kMaxSeconds, "1e9");
  s.runs_per_s = f.real("runs_per_s", kMaxRate, "1e12");
  for (const auto& v : f.array("stopped_by")) {
    if (!v.is_string() || (v != "--duration" && v != "--max-failures")) {
      f.fail("'stopped_by' may hold only \"--duration\" and \"--max-failures\"");
    }
    s.stopped_by.push_back(v.get<std::string>());
  }
  std::uint64_t counted = 0;
  std::set<std::string> keys;
  for (const auto& sig : f.array("signatures")) {
    s.signatures.push_back(signature_from_json(sig, "a signature", name, s));
    if (!keys.insert(s.signatures.back().key()).second) {
      f.fail(cat("lists the signature '", s.signatures.back().key(), "' twice"));
    }
    counted += s.signatures.back().count;
    if (counted > s.failed) break;
  }
  if (counted != s.failed) f.fail("'failed' is not the sum of the signatures' counts");
  // A sweep runs every seed of its shards unless a limit stopped it: fewer
  // without a reason is a summary that lost work.
  if (s.stopped_by.empty() && s.seeds_run != seeds_in_shards(s)) {
    f.fail(cat("ran ", std::to_string(s.seeds_run), " of its shards' ",
               std::to_string(seeds_in_shards(s)), " seeds and names nothing that stopped it"));
  }
  {
    Fields df(f.get("determinism"), "'determinism'", name);
    s.determinism_checked = df.whole("checked");
    if (s.determinism_checked > s.seeds_run) df.fail("'checked' is more than 'seeds_run'");
    s.nondeterministic = ascending_wholes(df.array("nondeterministic"), df, "nondeterministic");
    for (const auto seed : s.nondeterministic) {
      if (!owns_seed(s, seed)) {
        df.fail(cat("seed ", std::to_string(seed), " is not one of the summary's shards"));
      }
    }
    if (s.nondeterministic.size() > s.determinism_checked) {
      df.fail("lists more seeds than were checked");
    }
    df.no_others();
  }
  f.no_others();
  return s;
}

void write_summary_file(const SweepSummary& summary, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(cat("cannot write the summary to ", path));
  out << summary_to_json(summary);
  out.flush();
  if (!out) throw std::runtime_error(cat("cannot write the summary to ", path));
}

SweepSummary read_summary_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(cat("cannot open ", path));
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSummaryBytes) {
      throw std::invalid_argument(path + ": larger than any summary (64 MB)");
    }
  }
  if (in.bad()) throw std::invalid_argument(cat("cannot read ", path));
  return summary_from_json(text, path);
}

SweepSummary merge_summaries(const std::vector<SweepSummary>& parts,
                             const std::vector<std::string>& names) {
  if (parts.empty()) throw std::invalid_argument("merge needs at least one summary");
  const SweepSummary& first = parts.front();
  SweepSummary m = first;
  m.shards_run.clear();
  m.seeds_run = m.failed = m.determinism_checked = 0;
  m.elapsed_s = m.runs_per_s = 0;
  m.stopped_by.clear();
  m.nondeterministic.clear();
  SignatureBook book(first.keep);
  std::map<std::uint64_t, std::size_t> shard_owner;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const SweepSummary& p = parts[i];
    const auto differs = [&](const char* what) {
      throw std::invalid_argument(
          cat(names[i], ": not the same sweep as ", names[0], " (", what, " differs)"));
    };
    if (p.scenario != first.scenario) differs("scenario");
    if (p.params != first.params) differs("params");
    if (p.strategy != first.strategy) differs("strategy");
    if (p.swarm != first.swarm) differs("swarm");
    if (p.from != first.from || p.seeds != first.seeds) differs("the seed range");
    if (p.shard_count != first.shard_count) differs("the shard count");
    if (p.keep != first.keep) differs("keep");
    for (const auto shard : p.shards_run) {
      const auto [it, fresh] = shard_owner.try_emplace(shard, i);
      if (!fresh) {
        throw std::invalid_argument(cat("shard ", std::to_string(shard), " is in both ",
                                        names[it->second], " and ", names[i]));
      }
    }
    m.seeds_run += p.seeds_run;
    m.failed += p.failed;
    m.determinism_checked += p.determinism_checked;
    m.elapsed_s = std::max(m.elapsed_s, p.elapsed_s);  // shards run side by side
    m.runs_per_s += p.runs_per_s;
    m.stopped_by.insert(m.stopped_by.end(), p.stopped_by.begin(), p.stopped_by.end());
    m.nondeterministic.insert(m.nondeterministic.end(), p.nondeterministic.begin(),
                              p.nondeterministic.end());
    for (const auto& sig : p.signatures) book.add_all(sig);
  }
  for (const auto& [shard, owner] : shard_owner) m.shards_run.push_back(shard);
  std::sort(m.stopped_by.begin(), m.stopped_by.end());
  m.stopped_by.erase(std::unique(m.stopped_by.begin(), m.stopped_by.end()), m.stopped_by.end());
  std::sort(m.nondeterministic.begin(), m.nondeterministic.end());
  m.signatures = book.by_count();
  return m;
}

std::vector<std::uint64_t> missing_shards(const SweepSummary& s) {
  std::vector<std::uint64_t> missing;
  std::size_t next = 0;
  for (std::uint64_t k = 0; k < s.shard_count && missing.size() < 1000; ++k) {
    if (next < s.shards_run.size() && s.shards_run[next] == k) {
      ++next;
    } else {
      missing.push_back(k);
    }
  }
  return missing;
}

std::string signature_count(const SweepSummary& s) {
  if (s.signatures.empty()) return "";
  return cat(", ", std::to_string(s.signatures.size()),
             s.signatures.size() == 1 ? " signature" : " signatures");
}

void print_signatures(const SweepSummary& s) {
  if (s.signatures.empty()) return;
  std::printf("failures by signature (most frequent first; the %llu shortest runs of each kept):\n",
              static_cast<unsigned long long>(s.keep));
  for (const auto& sig : s.signatures) {
    std::string examples;
    for (const auto& e : sig.examples) {
      examples.append(" ").append(e.trace.empty() ? cat("seed ", std::to_string(e.seed)) : e.trace);
    }
    std::printf("%8llu x %s  e.g.%s\n", static_cast<unsigned long long>(sig.count),
                terminal_text(sig.key()).c_str(),
                examples.empty() ? " (no trace written)" : terminal_text(examples).c_str());
  }
}

std::string summary_to_junit(const SweepSummary& s) {
  const bool nondeterministic = !s.nondeterministic.empty();
  const std::size_t cases = 1 + s.signatures.size() + (nondeterministic ? 1 : 0);
  const std::size_t failures = s.signatures.size() + (nondeterministic ? 1 : 0);
  const std::string suite = cat("troupe explore ", s.scenario);
  const std::string classname = cat("troupe.", s.scenario);
  std::ostringstream out;
  char time[32];
  std::snprintf(time, sizeof time, "%.3f", s.elapsed_s);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"troupe\" tests=\"" << cases << "\" failures=\"" << failures
      << "\" time=\"" << time << "\">\n"
      << "  <testsuite name=\"" << markup_text(suite) << "\" tests=\"" << cases << "\" failures=\""
      << failures << "\" errors=\"0\" time=\"" << time << "\">\n"
      << "    <properties>\n"
      << "      <property name=\"strategy\" value=\"" << markup_text(s.strategy) << "\"/>\n"
      << "      <property name=\"seeds\" value=\"" << s.from << ".." << s.from + (s.seeds - 1)
      << "\"/>\n"
      << "      <property name=\"seeds_run\" value=\"" << s.seeds_run << "\"/>\n";
  for (const auto& [name, value] : s.params) {
    out << "      <property name=\"param." << markup_text(name) << "\" value=\"" << value
        << "\"/>\n";
  }
  out << "    </properties>\n";
  out << "    <testcase classname=\"" << markup_text(classname)
      << "\" name=\"sweep: " << s.seeds_run << " seeds run, " << s.failed << " failed\" time=\""
      << time << "\"/>\n";
  for (const auto& sig : s.signatures) {
    out << "    <testcase classname=\"" << markup_text(classname) << "\" name=\""
        << markup_text(sig.key()) << "\" time=\"0\">\n"
        << "      <failure type=\"" << markup_text(sig.kind) << "\" message=\"" << sig.count
        << " of " << s.seeds_run << " seeds: " << markup_text(sig.key()) << "\">";
    for (const auto& e : sig.examples) {
      out << "seed " << e.seed << " (" << e.events << " events)"
          << (e.trace.empty() ? std::string() : cat(": ", markup_text(e.trace))) << "\n";
    }
    out << "</failure>\n    </testcase>\n";
  }
  if (nondeterministic) {
    out << "    <testcase classname=\"" << markup_text(classname)
        << "\" name=\"determinism\" time=\"0\">\n"
        << "      <failure type=\"nondeterministic\" message=\"" << s.nondeterministic.size()
        << " seeds ran differently twice\">";
    for (const auto seed : s.nondeterministic) out << "seed " << seed << "\n";
    out << "</failure>\n    </testcase>\n";
  }
  out << "  </testsuite>\n</testsuites>\n";
  return out.str();
}

void write_junit_file(const SweepSummary& summary, const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error(cat("cannot write the JUnit report to ", path));
  out << summary_to_junit(summary);
  out.flush();
  if (!out) throw std::runtime_error(cat("cannot write the JUnit report to ", path));
}

}  // namespace troupe::cli
