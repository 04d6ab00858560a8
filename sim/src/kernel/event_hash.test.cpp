// The event hash is part of the trace format: every field and every byte
// of text must count, and its values must not change without a new format.
#include "troupe/sim/event_hash.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace troupe::sim {
namespace {

TEST(EventHash, EveryByteAndTheLengthOfATextCount) {
  // Lengths around the 8-byte step, trailing zero bytes, one bit apart.
  std::set<std::uint64_t> seen;
  std::set<std::string> texts;
  for (std::size_t n = 0; n <= 24; ++n) {
    const std::string zeros(n, '\0');
    const std::string letters(n, 'a');
    texts.insert(zeros);
    texts.insert(letters);
    if (n > 0) {
      for (std::size_t at = 0; at < n; ++at) {
        std::string flipped = letters;
        flipped[at] ^= 1;
        texts.insert(flipped);
      }
    }
  }
  for (const auto& text : texts) seen.insert(hash_text(text));
  EXPECT_EQ(seen.size(), texts.size());
}

TEST(EventHash, TheValuesAreFixedBecauseTracesStoreThem) {
  // Changing these means a new trace format (kTraceFormat): recorded traces
  // hold running hashes, and a replay of an old trace would only diverge.
  EXPECT_EQ(hash_text(""), 0xbf6565d77ed04d03ULL);
  EXPECT_EQ(hash_text("/taskpool/w1"), 0xd6e00d1a70fa5c58ULL);
  const Event sent{EventKind::sent, TimePoint{} + Duration(5), 3, "/a", "", 1, 2, 7, "int"};
  EXPECT_EQ(hash_event(sent), 0x5fee921d50a05b55ULL);
}

TEST(EventHash, TheFoldDependsOnOrder) {
  const Event a{EventKind::spawned, TimePoint{}, 1, "/a", "", 0};
  const Event b{EventKind::spawned, TimePoint{}, 2, "/b", "", 0};
  constexpr std::uint64_t start = 0x6a09e667f3bcc908ULL;
  EXPECT_NE(fold_event(fold_event(start, a), b), fold_event(fold_event(start, b), a));
  // A receipt's sender given apart is the same as one inside the event.
  Event received{EventKind::received, TimePoint{}, 1, "/a", "", 1, 0, 1, "int"};
  const std::uint64_t apart = fold_event(start, received, 9);
  received.sender = 9;
  EXPECT_EQ(apart, fold_event(start, received));
}

}  // namespace
}  // namespace troupe::sim
