#include "troupe/sim/event_hash.hpp"

#include <bit>
#include <cstring>

namespace troupe::sim {

namespace {

// Hashing ran at one splitmix64 round per field and one multiplication per
// byte of every path: half of the simulator's time on ping-pong. The folds
// below are independent of each other inside an event, so the CPU overlaps
// them; only the running fold is a chain across events.
__extension__ using Wide = unsigned __int128;

/// The 128-bit product of `a` and `b`, its halves folded together.
std::uint64_t fold_multiply(std::uint64_t a, std::uint64_t b) {
  const Wide product = static_cast<Wide>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

// Odd constants with well-spread bits (the fractional digits of pi and e).
constexpr std::uint64_t kTextSeed = 0x243f6a8885a308d3ULL;
constexpr std::uint64_t kWord = 0x13198a2e03707344ULL;
constexpr std::uint64_t kTail = 0xa4093822299f31d1ULL;
constexpr std::uint64_t kTime = 0x082efa98ec4e6c89ULL;
constexpr std::uint64_t kActor = 0x452821e638d01377ULL;
constexpr std::uint64_t kValue = 0xbe5466cf34e90c6dULL;
constexpr std::uint64_t kPath = 0xc0ac29b7c97c50ddULL;
constexpr std::uint64_t kDetail = 0x3f84d5b5b5470917ULL;
constexpr std::uint64_t kSender = 0x9216d5d98979fb1bULL;
constexpr std::uint64_t kNumber = 0xb7e151628aed2a6bULL;
constexpr std::uint64_t kType = 0xbf7158809cf4f3c7ULL;
constexpr std::uint64_t kFold = 0x62e7160f38b4da57ULL;

/// 8 or 4 bytes from `p` as a little-endian number, on any host: one load
/// where the host is little-endian.
std::uint64_t load64(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

std::uint64_t load32(const char* p) {
  std::uint32_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap32(word);
  return word;
}

/// hash_text, inlined into hash_event: a call per text was a tenth of it.
[[gnu::always_inline]] inline std::uint64_t fold_text(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  // Short texts (most paths and type names end within 16 bytes) take one
  // or two folds and no loop; every byte is read, some twice.
  if (n <= 8) {
    std::uint64_t word = 0;
    if (n >= 4) {
      word = load32(p) | (load32(p + n - 4) << 32);
    } else if (n > 0) {
      word = (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
             (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
             static_cast<unsigned char>(p[n - 1]);
    }
    // The length is the other factor: the word alone holds 8 bytes of text,
    // so a length mixed into it could cancel a difference in the text.
    return fold_multiply(word ^ kTextSeed, n ^ kTail);
  }
  std::uint64_t folded = kTextSeed ^ (n * kWord);  // the length spread over every bit
  for (std::size_t at = 0; at + 8 < n; at += 8)
    folded = fold_multiply(folded ^ load64(p + at), kWord);
  return fold_multiply(folded ^ load64(p + n - 8), kTail);  // the last 8, overlapping
}

}  // namespace

std::uint64_t hash_text(std::string_view text) {
  return fold_text(text);
}

std::uint64_t hash_event(const Event& e) {
  return hash_event(e, e.sender);
}

std::uint64_t hash_event(const Event& e, ActorId sender) {
  const auto time = static_cast<std::uint64_t>(e.time.time_since_epoch().count());
  const auto kind = static_cast<std::uint64_t>(e.kind);
  std::uint64_t h = fold_multiply(time ^ kTime, (e.actor ^ kActor) + (kind << 56));
  h ^= fold_multiply(static_cast<std::uint64_t>(e.value) ^ kValue, fold_text(e.path) ^ kPath);
  if (!e.detail.empty()) h ^= fold_multiply(fold_text(e.detail), kDetail);
  if (!names_a_message(e.kind)) return h;
  h ^= fold_multiply(sender ^ kSender, e.message ^ kNumber);
  return h ^ fold_multiply(fold_text(e.type), kType);
}

std::uint64_t fold_event(std::uint64_t before, const Event& event) {
  return fold_event(before, event, event.sender);
}

std::uint64_t fold_event(std::uint64_t before, const Event& event, ActorId sender) {
  return fold_multiply(before ^ hash_event(event, sender), kFold);
}

}  // namespace troupe::sim
