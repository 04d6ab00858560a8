// Trace files may be gzip-compressed (a name ending in .gz when written);
// a reader finds out from the first two bytes, so every command reads both.
#pragma once

#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

namespace troupe::sim {

/// A stream's first bytes, already taken from it, then the rest of it: the
/// reader looks at the first two bytes for gzip's magic on any input,
/// including a pipe that cannot put bytes back.
class PrefixedBuffer final : public std::streambuf {
 public:
  PrefixedBuffer(std::string prefix, std::streambuf& rest);

 protected:
  int_type underflow() override;

 private:
  std::string prefix_;
  bool prefix_done_ = false;
  std::streambuf& rest_;
  std::vector<char> chunk_;
};

/// True when `first_bytes` (a stream's first two) are gzip's magic.
bool is_gzip_magic(const std::string& first_bytes);

/// The decompressed bytes of a gzip stream, a chunk at a time. Corrupt or
/// truncated input, or bytes after the stream's end (another member,
/// garbage), throws TraceError naming `name` from the read that finds it.
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
