#include "output_files.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace troupe::cli {

namespace fs = std::filesystem;

void check_writable(const std::string& path, const char* what) {
  if (path.empty()) return;
  std::ofstream probe(path, std::ios::app);
  if (!probe) {
    throw std::invalid_argument(
        std::string("cannot write ").append(what).append(" to ").append(path));
  }
}

namespace {

/// Where `name` leads: absolute, with `.`, `..` and links resolved, also
/// through a last link that points at a file not yet there.
fs::path destination(const std::string& name) {
  std::error_code e;
  fs::path at = fs::absolute(name, e);
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(at, e)); ++hops) {
    const fs::path target = fs::read_symlink(at, e);
    if (e) break;
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  const fs::path resolved = fs::weakly_canonical(at, e);
  return e ? at.lexically_normal() : resolved;
}

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ea, eb;
  if (fs::exists(a, ea) && fs::exists(b, eb)) {
    std::error_code e;
    return fs::equivalent(a, b, e);
  }
  return destination(a) == destination(b);
}

void check_outputs(const NamedPath& input, const std::vector<NamedPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (out.path.empty()) continue;
    if (!input.path.empty() && same_file(out.path, input.path)) {
      throw std::invalid_argument(out.option + " " + out.path + " is " + input.option +
                                  " itself: it would be overwritten");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path)) {
        throw std::invalid_argument(out.option + " and " + outputs[j].option + " name one file, " +
                                    out.path + ": give each its own");
      }
    }
  }
  std::vector<std::string> created;
  try {
    for (const NamedPath& out : outputs) {
      // A link counts as there, even one to nothing: it is the user's.
      std::error_code e;
      const bool existed = fs::exists(fs::symlink_status(out.path, e));
      check_writable(out.path, out.option.c_str());
      if (!existed) created.push_back(out.path);
    }
  } catch (...) {
    for (const auto& path : created) {
      std::error_code ignored;
      fs::remove(path, ignored);
    }
    throw;
  }
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << text;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path);
  std::printf("wrote %s\n", path.c_str());
}

}  // namespace troupe::cli
