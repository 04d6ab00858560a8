// libFuzzer over what the troupe command does with a trace: read -> show
// (text) -> html -> replay. The input's hashes and seal are recomputed, so
// mutations reach the views and the replay instead of stopping at the seal;
// everything else a reader checks still applies.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>

#include "timeline.hpp"
#include "troupe/sim/replay.hpp"
#include "troupe/sim/trace.hpp"

namespace {

using namespace troupe::sim;

/// Replays only runs that stay small: the fuzzer looks for crashes, and a
/// mutated parameter of 100000 jobs is a slow run, not a defect.
bool small_enough(const Trace& t) {
  for (const auto& [name, value] : t.header.params) {
    if (value > 2000) return false;
  }
  return t.events.size() <= 20000;
}

void exercise(const Trace& trace) {
  static std::FILE* sink = std::fopen("/dev/null", "w");
  troupe::cli::print_timeline(sink, trace, SIZE_MAX);
  (void)troupe::cli::html_report(trace);
  // The re-sealed trace must read back exactly as a user's file would.
  std::stringstream file;
  write_trace(trace, file);
  const Trace back = read_trace(file, "resealed");
  if (!small_enough(back)) return;
  try {
    (void)replay_trace(back);
  } catch (const std::invalid_argument&) {
    // an unknown scenario, parameters or faults this build refuses: exit 2
  } catch (const std::length_error&) {
    // a run larger than a trace keeps: exit 2
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  Trace trace;
  try {
    trace = read_trace(in, "fuzz", Integrity::recompute);
  } catch (const TraceError&) {
    return 0;
  }
  exercise(trace);
  return 0;
}
