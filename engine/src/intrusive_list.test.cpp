#include "troupe/detail/intrusive_list.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace troupe::detail {
namespace {

struct Item {
  explicit Item(int v) : value(v) {}
  int value;
  ListLinks<Item> links;
};
using List = IntrusiveList<Item, &Item::links>;

std::vector<int> values(const List& list) {
  std::vector<int> out;
  for (Item* item : list) out.push_back(item->value);
  return out;
}

TEST(IntrusiveList, IteratesInTheOrderOfJoining) {
  Item a(1), b(2), c(3);
  List list;
  list.push_back(a);
  list.push_back(b);
  list.push_back(c);
  EXPECT_EQ(values(list), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(list.size(), 3u);
}

TEST(IntrusiveList, ErasesFromTheHeadTheMiddleAndTheTail) {
  Item a(1), b(2), c(3), d(4);
  List list;
  for (Item* item : {&a, &b, &c, &d}) list.push_back(*item);
  EXPECT_TRUE(list.erase(b));
  EXPECT_EQ(values(list), (std::vector<int>{1, 3, 4}));
  EXPECT_TRUE(list.erase(a));
  EXPECT_EQ(values(list), (std::vector<int>{3, 4}));
  EXPECT_TRUE(list.erase(d));
  EXPECT_EQ(values(list), (std::vector<int>{3}));
  list.push_back(a);  // a left cleanly, so it can join again, at the end
  EXPECT_EQ(values(list), (std::vector<int>{3, 1}));
  EXPECT_EQ(list.size(), 2u);
}

TEST(IntrusiveList, KnowsItsMembersEvenALoneOne) {
  Item a(1), b(2);
  List list;
  EXPECT_FALSE(list.contains(a));
  list.push_back(a);
  EXPECT_TRUE(list.contains(a));  // the only element: no links, but the head
  EXPECT_FALSE(list.contains(b));
  EXPECT_FALSE(list.erase(b));
  EXPECT_TRUE(list.erase(a));
  EXPECT_FALSE(list.contains(a));
  EXPECT_TRUE(list.empty());
}

}  // namespace
}  // namespace troupe::detail
