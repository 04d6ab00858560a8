// Readable views of a recorded run: the text timeline `troupe run` and
// `troupe show` print, and the self-contained HTML page of `show --html`.
#pragma once

#include <cstdio>
#include <string>

#include "troupe/sim/trace.hpp"

namespace troupe::cli {

/// Scale decisions, failures, restarts, escalations and shutdown phases, at
/// most `max_lines` of them, then the counts, the outcome and the hash.
void print_timeline(std::FILE* out, const sim::Trace& trace, std::size_t max_lines = 40);

/// An HTML page (inline SVG, no network) plotting pool size, mean mailbox
/// length and restarts over virtual time.
std::string html_report(const sim::Trace& trace);

}  // namespace troupe::cli
