#include "timeline.hpp"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "text_escape.hpp"

namespace troupe::cli {

namespace {

double ms(TimePoint t) {
  return std::chrono::duration<double, std::milli>(t.time_since_epoch()).count();
}

bool on_timeline(EventKind k) {
  return k == EventKind::scaled || k == EventKind::failed || k == EventKind::restarted ||
         k == EventKind::budget_exceeded || k == EventKind::escalated || k == EventKind::shutdown ||
         k == EventKind::fault || k == EventKind::note;
}

/// What an event says about its message, if it names one: " Job #3 from /a".
std::string message_of(const RecordedEvent& e, const std::vector<RecordedEvent>& events) {
  if (!names_a_message(e.kind)) return {};
  std::string from = "outside";
  for (const auto& other : events) {
    if (other.actor == e.sender && e.sender != 0) {
      from = other.path;
      break;
    }
  }
  // Appended piece by piece: g++ 12 at -O3 warns falsely on "literal" +
  // std::string (-Wrestrict, GCC bug 105651).
  std::string text = " ";
  return text.append(terminal_text(e.type))
      .append(" #")
      .append(std::to_string(e.message))
      .append(" from ")
      .append(terminal_text(from));
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
                terminal_text(e.path).c_str(), terminal_text(e.detail).c_str());
  return buf;
}

}  // namespace

void print_timeline(std::FILE* out, const sim::Trace& trace, std::size_t max_lines) {
  const auto& h = trace.header;
  std::fprintf(out, "scenario %s, seed %llu, strategy %s%s\n", terminal_text(h.scenario).c_str(),
               static_cast<unsigned long long>(h.seed),
               std::string(sim::to_string(h.strategy)).c_str(), h.swarm ? ", swarm" : "");
  std::string params;
  for (const auto& [name, value] : h.params) {
    std::ostringstream v;
    v << value;
    params.append(" ").append(terminal_text(name)).append("=").append(v.str());
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
  for (const auto& [reason, n] : c.dead) {
    dead.append(" ").append(terminal_text(reason)).append("=").append(std::to_string(n));
  }
  std::fprintf(out, "dead letters:%s\n", dead.empty() ? " none" : dead.c_str());
  const std::int64_t broke = failure_event(trace);
  if (broke >= 0) {
    // The failure, with what its actor did just before it.
    const auto& at = trace.events[static_cast<std::size_t>(broke)];
    std::vector<std::size_t> before;
    for (std::size_t i = static_cast<std::size_t>(broke) + 1; i-- > 0 && before.size() < 8;) {
      if (trace.events[i].actor == at.actor) before.push_back(i);
    }
    std::fprintf(out, "\n== the failure, on %s (troupe show FILE --html draws it) ==\n",
                 at.path.empty() ? "-" : terminal_text(at.path).c_str());
    for (auto it = before.rbegin(); it != before.rend(); ++it) {
      const auto& e = trace.events[*it];
      std::fprintf(out, "%s%s%s\n", *it == static_cast<std::size_t>(broke) ? "> " : "  ",
                   line_for(e).c_str(), message_of(e, trace.events).c_str());
    }
  }
  const auto& f = trace.footer;
  std::fprintf(out, "outcome:  %s%s%s\n", terminal_text(f.outcome).c_str(),
               f.detail.empty() ? "" : " — ", terminal_text(f.detail).c_str());
  std::fprintf(out, "events:   %llu\nrun hash: %s\n", static_cast<unsigned long long>(f.events),
               sim::hash_hex(f.hash).c_str());
}

}  // namespace troupe::cli
