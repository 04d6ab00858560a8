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

bool same_file(const std::string& a, const std::string& b) {
  if (a == b) return true;
  std::error_code ea, eb;
  if (fs::exists(a, ea) && fs::exists(b, eb)) {
    std::error_code e;
    return fs::equivalent(a, b, e);
  }
  const fs::path ca = fs::weakly_canonical(a, ea);
  const fs::path cb = fs::weakly_canonical(b, eb);
  return !ea && !eb && ca == cb;
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
      std::error_code e;
      const bool existed = fs::exists(out.path, e);
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
