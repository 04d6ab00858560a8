// `troupe show --perfetto FILE`: a trace in the Chrome trace event format
// (JSON), which Perfetto (ui.perfetto.dev, opened from a file) and
// chrome://tracing read. One track per actor, named by its path and
// ordered by spawn; a receipt is a slice named by the message's type that
// lasts until the handler's last send; a send is a short slice on the
// sender's track; a flow arrow joins each send to its receipt. Failures,
// restarts, faults, resizes, notes and shutdown phases are instant events.
// Times are virtual: microseconds since the run began.
#pragma once

#include <string>

#include "troupe/sim/trace.hpp"

namespace troupe::cli {

std::string perfetto_json(const sim::Trace& trace);

}  // namespace troupe::cli
