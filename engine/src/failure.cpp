#include "troupe/failure.hpp"

#include "troupe/assert.hpp"

namespace troupe {

namespace {

constexpr std::string_view kEllipsis = "...";
// An origin path longer than this is shown by its head and tail: the top of
// the tree says which subtree, the end names the actor.
constexpr std::size_t kPathShownMax = kFailureTextMax / 4;
constexpr std::size_t kPathHeadBytes = kPathShownMax / 4;

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

/// The longest prefix of `s` of at most `n` bytes that ends on a UTF-8
/// character boundary: a cut text must stay valid in JSON traces.
std::string_view utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && continuation_byte(s[n])) --n;
  return s.substr(0, n);
}

/// The longest suffix of `s` of at most `n` bytes that starts on a boundary.
std::string_view utf8_suffix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return s;
  std::size_t start = s.size() - n;
  while (start < s.size() && continuation_byte(s[start])) ++start;
  return s.substr(start);
}

std::string shortened_path(std::string_view path) {
  if (path.size() <= kPathShownMax) return std::string(path);
  const auto head = utf8_prefix(path, kPathHeadBytes);
  const auto tail = utf8_suffix(path, kPathShownMax - kPathHeadBytes - kEllipsis.size());
  std::string out;
  out.reserve(head.size() + kEllipsis.size() + tail.size());
  out.append(head).append(kEllipsis).append(tail);
  TROUPE_ASSERT(out.size() <= kPathShownMax);
  return out;
}

/// `s` cut to at most kFailureTextMax bytes, marked with "..." where it was cut.
std::string bounded(std::string s) {
  if (s.size() <= kFailureTextMax) return s;
  s.resize(utf8_prefix(s, kFailureTextMax - kEllipsis.size()).size());
  s.append(kEllipsis);
  TROUPE_ASSERT(s.size() <= kFailureTextMax);
  return s;
}

}  // namespace

Failure escalated_failure(const std::string& supervisor_path, const Failure& cause, TimePoint now) {
  const bool first = cause.escalations == 0;
  Failure out{supervisor_path, {}, cause.message_seq, now};
  out.origin_path = first ? cause.actor_path : cause.origin_path;
  out.origin_what = first ? bounded(cause.what) : cause.origin_what;
  out.escalations = cause.escalations + 1;
  TROUPE_ASSERT(out.escalations > cause.escalations);  // 2^32 levels never happen
  const std::string levels =
      out.escalations == 1 ? "" : " (" + std::to_string(out.escalations) + " levels)";
  out.what = bounded("escalated from " + shortened_path(out.origin_path) + levels + ": " +
                     out.origin_what);
  return out;
}

std::string duration_text(Duration d) {
  using namespace std::chrono;
  const auto ns = d.count();
  if (ns % duration_cast<nanoseconds>(seconds(1)).count() == 0) {
    return std::to_string(duration_cast<seconds>(d).count()) + "s";
  }
  if (ns % duration_cast<nanoseconds>(milliseconds(1)).count() == 0) {
    return std::to_string(duration_cast<milliseconds>(d).count()) + "ms";
  }
  if (ns % duration_cast<nanoseconds>(microseconds(1)).count() == 0) {
    return std::to_string(duration_cast<microseconds>(d).count()) + "us";
  }
  return std::to_string(ns) + "ns";
}

std::string_view to_string(TerminationReason reason) {
  switch (reason) {
    case TerminationReason::stopped:
      return "stopped";
    case TerminationReason::stopped_by_parent:
      return "stopped_by_parent";
    case TerminationReason::shutdown:
      return "shutdown";
    case TerminationReason::failed:
      return "failed";
    case TerminationReason::budget_exhausted:
      return "budget_exhausted";
  }
  return "unknown";
}

}  // namespace troupe
