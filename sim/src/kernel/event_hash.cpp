#include "troupe/sim/event_hash.hpp"

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

/// `size` (1 to 8) bytes from `p` as a little-endian number, on any host.
std::uint64_t little_endian(const char* p, std::size_t size) {
  std::uint64_t word = 0;
  for (std::size_t i = 0; i < size; ++i) {
    word |= static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  return word;
}

}  // namespace

std::uint64_t hash_text(std::string_view text) {
  std::uint64_t h = kTextSeed ^ text.size();
  const char* p = text.data();
  std::size_t left = text.size();
  for (; left >= 8; left -= 8, p += 8) h = fold_multiply(h ^ little_endian(p, 8), kWord);
  if (left > 0) h = fold_multiply(h ^ little_endian(p, left), kTail);
  return h;
}

std::uint64_t hash_event(const Event& e) {
  return hash_event(e, e.sender);
}

std::uint64_t hash_event(const Event& e, ActorId sender) {
  const auto time = static_cast<std::uint64_t>(e.time.time_since_epoch().count());
  const auto kind = static_cast<std::uint64_t>(e.kind);
  std::uint64_t h = fold_multiply(time ^ kTime, (e.actor ^ kActor) + (kind << 56));
  h ^= fold_multiply(static_cast<std::uint64_t>(e.value) ^ kValue, hash_text(e.path) ^ kPath);
  if (!e.detail.empty()) h ^= fold_multiply(hash_text(e.detail), kDetail);
  if (!names_a_message(e.kind)) return h;
  h ^= fold_multiply(sender ^ kSender, e.message ^ kNumber);
  return h ^ fold_multiply(hash_text(e.type), kType);
}

std::uint64_t fold_event(std::uint64_t before, const Event& event) {
  return fold_event(before, event, event.sender);
}

std::uint64_t fold_event(std::uint64_t before, const Event& event, ActorId sender) {
  return fold_multiply(before ^ hash_event(event, sender), kFold);
}

}  // namespace troupe::sim
