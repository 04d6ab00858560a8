// Readable views of a recorded run: the text timeline `troupe run` and
// `troupe show` print, and the self-contained HTML page of `show --html`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "troupe/sim/trace.hpp"

namespace troupe::cli {

/// Scale decisions, failures, restarts, escalations and shutdown phases, at
/// most `max_lines` of them, then the counts, the outcome and the hash.
void print_timeline(std::FILE* out, const sim::Trace& trace, std::size_t max_lines = 40);

/// A self-contained HTML page (no network): one lane per actor over virtual
/// time with arrows from sends to receipts, failures and other events
/// marked, the failure's event highlighted; then charts of pool size,
/// mailbox length and restarts. (timeline_html.cpp, timeline_page.js)
std::string html_report(const sim::Trace& trace);

/// The page's data: actors (lanes), message types and events as JSON, safe
/// to put inside a <script> element.
std::string timeline_data_json(const sim::Trace& trace);

/// The index of the event shown as the failure: for a failed run, the
/// latest event of the actor the verdict names that best explains it (an
/// exhausted budget, else a failure, a dead letter, a stop, any event);
/// with no actor named, the run's last failure, else its last event; -1
/// when the run passed.
std::int64_t failure_event(const sim::Trace& trace);

}  // namespace troupe::cli
