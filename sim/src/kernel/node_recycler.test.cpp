#include "troupe/sim/node_recycler.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory_resource>
#include <string>
#include <vector>

namespace troupe::sim {
namespace {

TEST(NodeRecycler, AFreedBlockIsHandedOutAgainForTheSameSize) {
  if (!NodeRecycler::kRecycles) GTEST_SKIP() << "AddressSanitizer: every block goes to the heap";
  NodeRecycler pool;
  void* first = pool.allocate(48, 8);
  pool.deallocate(first, 48, 8);
  void* again = pool.allocate(40, 8);  // the same 16-byte class
  EXPECT_EQ(again, first);
  void* other = pool.allocate(48, 8);  // none free: a fresh block
  EXPECT_NE(other, first);
  pool.deallocate(again, 40, 8);
  pool.deallocate(other, 48, 8);
}

TEST(NodeRecycler, BlocksOfDifferentClassesAreKeptApart) {
  NodeRecycler pool;
  void* small = pool.allocate(16, 8);
  pool.deallocate(small, 16, 8);
  void* big = pool.allocate(200, 8);
  EXPECT_NE(big, small) << "a 16-byte block cannot hold 200 bytes";
  pool.deallocate(big, 200, 8);
}

TEST(NodeRecycler, LargeAndOverAlignedBlocksGoToTheHeapAndAreUsable) {
  NodeRecycler pool;
  auto* large = static_cast<unsigned char*>(pool.allocate(4096, 8));
  for (int i = 0; i < 4096; ++i) large[i] = static_cast<unsigned char>(i);
  pool.deallocate(large, 4096, 8);
  void* aligned = pool.allocate(64, 64);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(aligned) % 64, 0u);
  pool.deallocate(aligned, 64, 64);
  void* empty = pool.allocate(0, 1);
  EXPECT_NE(empty, nullptr);
  pool.deallocate(empty, 0, 1);
}

TEST(NodeRecycler, MapsOnItBehaveAsOnTheHeapThroughChurn) {
  // The simulator's use: ordered maps whose nodes come and go. The same
  // operations on a map on the heap must give the same contents.
  NodeRecycler pool;
  std::pmr::map<std::uint64_t, std::string> recycled{&pool};
  std::map<std::uint64_t, std::string> plain;
  std::uint64_t x = 12345;
  for (int step = 0; step < 20000; ++step) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t key = (x >> 33) % 500;
    if ((x >> 20) % 3 == 0) {
      recycled.erase(key);
      plain.erase(key);
    } else {
      const std::string value = std::string(static_cast<std::size_t>(key % 40), 'v');
      recycled[key] = value;
      plain[key] = value;
    }
  }
  ASSERT_EQ(recycled.size(), plain.size());
  auto it = plain.begin();
  for (const auto& [key, value] : recycled) {
    EXPECT_EQ(key, it->first);
    EXPECT_EQ(value, it->second);
    ++it;
  }
}

}  // namespace
}  // namespace troupe::sim
