// Files the commands write: checked before any work is done, so a bad path
// costs nothing and never leaves half of a command's output behind.
#pragma once

#include <string>
#include <vector>

namespace troupe::cli {

/// Creates `path` (empty) if it is not there, or throws
/// std::invalid_argument naming `what`. An empty path is not asked for.
void check_writable(const std::string& path, const char* what);

/// True when both names lead to one file: the same text, the same file
/// through a link or a different spelling, or (when neither exists yet) the
/// same place once `.`, `..` and links are resolved.
bool same_file(const std::string& a, const std::string& b);

/// A command's input and its outputs, each with the option that named it.
struct NamedPath {
  std::string option;  // "the trace", "--html"
  std::string path;
};

/// Throws std::invalid_argument when an output is the input or another
/// output (it would be overwritten), or when an output cannot be written.
/// Checks every output before creating any; an output this check created
/// is removed again when a later one fails. Empty paths are not asked for.
void check_outputs(const NamedPath& input, const std::vector<NamedPath>& outputs);

/// Writes `text` to `path` and says so, or throws std::runtime_error.
void write_file(const std::string& path, const std::string& text);

}  // namespace troupe::cli
