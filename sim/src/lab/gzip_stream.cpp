#include "gzip_stream.hpp"

#include <zlib.h>

#include <limits>

#include "troupe/assert.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::sim {

namespace {
constexpr std::size_t kChunk = std::size_t{1} << 16;
/// deflateInit2/inflateInit2's window bits for the gzip wrapper (15 + 16).
constexpr int kGzipWindow = 15 + 16;
}  // namespace

struct GunzipBuffer::State {
  z_stream z{};
};

bool is_gzip_magic(const std::string& first_bytes) {
  return first_bytes == std::string("\x1f\x8b", 2);
}

PrefixedBuffer::PrefixedBuffer(std::string prefix, std::streambuf& rest)
    : prefix_(std::move(prefix)), rest_(rest), chunk_(kChunk) {
  setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
  prefix_done_ = prefix_.empty();
}

PrefixedBuffer::int_type PrefixedBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  const auto got = rest_.sgetn(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
  if (got <= 0) return traits_type::eof();
  setg(chunk_.data(), chunk_.data(), chunk_.data() + got);
  return traits_type::to_int_type(*gptr());
}

GunzipBuffer::GunzipBuffer(std::istream& source, std::string name)
    : state_(std::make_unique<State>()),
      source_(source),
      name_(std::move(name)),
      in_(kChunk),
      out_(kChunk) {
  if (inflateInit2(&state_->z, kGzipWindow) != Z_OK) {
    throw TraceError(name_ + ": cannot start gzip decompression");
  }
  setg(out_.data(), out_.data(), out_.data());
}

GunzipBuffer::~GunzipBuffer() {
  inflateEnd(&state_->z);
}

GunzipBuffer::int_type GunzipBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  z_stream& z = state_->z;
  while (!ended_) {
    if (z.avail_in == 0) {
      source_.read(in_.data(), static_cast<std::streamsize>(in_.size()));
      const auto got = source_.gcount();
      if (got <= 0) throw TraceError(name_ + ": the gzip data ends early: truncated");
      z.next_in = reinterpret_cast<Bytef*>(in_.data());
      z.avail_in = static_cast<uInt>(got);
    }
    z.next_out = reinterpret_cast<Bytef*>(out_.data());
    z.avail_out = static_cast<uInt>(out_.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      ended_ = true;
      // One gzip stream is one trace: what follows it (a second member,
      // garbage) would be read by no one, so it is refused, not skipped.
      if (z.avail_in > 0 || source_.peek() != std::char_traits<char>::eof()) {
        throw TraceError(name_ + ": data after the end of the gzip stream");
      }
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw TraceError(name_ + ": corrupt gzip data (" + (z.msg != nullptr ? z.msg : "zlib") + ")");
    }
    const std::size_t produced = out_.size() - z.avail_out;
    if (produced > 0) {
      setg(out_.data(), out_.data(), out_.data() + produced);
      return traits_type::to_int_type(*gptr());
    }
  }
  return traits_type::eof();
}

std::string gzip(const std::string& text) {
  z_stream z{};
  const int init =
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY);
  TROUPE_ASSERT(init == Z_OK);
  std::string out;
  std::vector<char> chunk(kChunk);
  std::size_t offset = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    // zlib counts in uInt: feed at most 1 GiB at a time.
    const std::size_t feed = std::min(text.size() - offset, std::size_t{1} << 30);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data() + offset));
    z.avail_in = static_cast<uInt>(feed);
    const bool last = offset + feed == text.size();
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk.data());
      z.avail_out = static_cast<uInt>(chunk.size());
      rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      TROUPE_ASSERT(rc != Z_STREAM_ERROR);
      out.append(chunk.data(), chunk.size() - z.avail_out);
    } while (z.avail_out == 0);
    offset += feed - z.avail_in;
    if (!last) continue;
  }
  deflateEnd(&z);
  return out;
}

}  // namespace troupe::sim
