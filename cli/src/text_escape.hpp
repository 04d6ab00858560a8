// Text from a trace file, made safe for where it is shown. A trace is user
// input: its paths, types and details may hold any byte, and none of them may
// drive a terminal or break a page.
#pragma once

#include <string>

namespace troupe::cli {

/// For XML and HTML text and attributes: & < > " ' escaped; the control
/// characters XML 1.0 cannot hold, and U+FFFE/U+FFFF, become '?'.
std::string markup_text(const std::string& text);

/// For a terminal: control bytes (C0, DEL, and C1 as UTF-8 encodes it)
/// shown as \xNN / \u00NN instead of acting on the terminal; everything else
/// as it is.
std::string terminal_text(const std::string& text);

}  // namespace troupe::cli
