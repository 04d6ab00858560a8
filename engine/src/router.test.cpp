#include "troupe/router.hpp"

#include <gtest/gtest.h>

#include <map>

namespace troupe {
namespace {

TEST(HashRing, AKeyStaysOnOneSlotWhileTheRingIsStable) {
  HashRing ring;
  for (std::uint64_t s = 0; s < 4; ++s) ring.add(s);
  for (std::uint64_t key = 0; key < 1000; ++key) ASSERT_EQ(ring.owner(key), ring.owner(key));
}

TEST(HashRing, SpreadsKeysOverEverySlot) {
  HashRing ring;
  for (std::uint64_t s = 0; s < 4; ++s) ring.add(s);
  std::map<std::uint64_t, int> per_slot;
  for (std::uint64_t key = 0; key < 4000; ++key) ++per_slot[ring.owner(key)];
  ASSERT_EQ(per_slot.size(), 4u);
  for (const auto& [slot, n] : per_slot) EXPECT_GT(n, 500) << "slot " << slot;
}

TEST(HashRing, AddingASlotMovesKeysOnlyToIt) {
  HashRing ring;
  for (std::uint64_t s = 0; s < 4; ++s) ring.add(s);
  std::map<std::uint64_t, std::uint64_t> before;
  for (std::uint64_t key = 0; key < 4000; ++key) before[key] = ring.owner(key);
  ring.add(4);
  int moved = 0;
  for (const auto& [key, slot] : before) {
    const auto now = ring.owner(key);
    if (now != slot) {
      ++moved;
      EXPECT_EQ(now, 4u);
    }
  }
  EXPECT_GT(moved, 400);  // about a fifth of the keys
  EXPECT_LT(moved, 1300);
  ring.remove(4);
  for (const auto& [key, slot] : before) ASSERT_EQ(ring.owner(key), slot);
}

TEST(Routing, ParsesItsNames) {
  EXPECT_EQ(parse_routing("smallest_mailbox"), Routing::smallest_mailbox);
  EXPECT_EQ(parse_routing("fastest"), std::nullopt);
  EXPECT_EQ(to_string(Routing::consistent_hash), "consistent_hash");
}

}  // namespace
}  // namespace troupe
