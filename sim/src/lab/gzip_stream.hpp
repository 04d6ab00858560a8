// Trace files may be gzip-compressed (a name ending in .gz when written);
// a reader finds out from the first two bytes, so every command reads both.
#pragma once

#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

namespace troupe::sim {

/// True when the stream starts with gzip's magic bytes (nothing is consumed).
bool starts_with_gzip(std::istream& in);

/// The decompressed bytes of a gzip stream, a chunk at a time. Corrupt or
/// truncated input throws TraceError naming `name` from the read that finds it.
class GunzipBuffer final : public std::streambuf {
 public:
  GunzipBuffer(std::istream& source, std::string name);
  ~GunzipBuffer() override;
  GunzipBuffer(const GunzipBuffer&) = delete;
  GunzipBuffer& operator=(const GunzipBuffer&) = delete;

 protected:
  int_type underflow() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::istream& source_;
  std::string name_;
  std::vector<char> in_, out_;
  bool ended_ = false;
};

/// `text` as a gzip stream (deflate at the default level).
std::string gzip(const std::string& text);

}  // namespace troupe::sim
