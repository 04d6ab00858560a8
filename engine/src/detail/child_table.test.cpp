// ChildTable against a reference model: random inserts, lookups and erases
// of real cells, through growth, wrap-around and backward-shift deletion.
#include "troupe/detail/child_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe::detail {
namespace {

using testing::threads;

std::vector<std::shared_ptr<CellBase>> spawn_cells(System& sys, const std::string& prefix, int n) {
  std::vector<std::shared_ptr<CellBase>> cells;
  const auto idle = Props<int>::from_function([](Context<int>&, int&) {});
  for (int i = 0; i < n; ++i) {
    cells.push_back(sys.spawn(prefix + std::to_string(i), idle).value().cell_base());
  }
  return cells;
}

TEST(ChildTable, MatchesAnOrderedMapThroughRandomInsertsFindsAndErases) {
  System sys{threads(1)};
  constexpr int kNames = 300;
  const auto cells = spawn_cells(sys, "n", kNames);
  std::mt19937 rng(7);
  ChildTable table;
  std::map<std::string, CellBase*, std::less<>> model;
  for (int step = 0; step < 40000; ++step) {
    const auto& cell = cells[rng() % kNames];
    const std::string name(cell->name());
    switch (rng() % 3) {
      case 0:
        EXPECT_EQ(table.insert(cell), model.emplace(name, cell.get()).second) << name;
        break;
      case 1:
        EXPECT_EQ(table.erase(*cell), model.erase(name) == 1) << name;
        break;
      default: {
        const auto found = table.find(name);
        const auto it = model.find(name);
        EXPECT_EQ(found.get(), it == model.end() ? nullptr : it->second) << name;
      }
    }
    ASSERT_EQ(table.size(), model.size());
    if (step % 997 == 0) {
      // Every member is still found after the deletions shifted the runs.
      for (const auto& [n, c] : model) ASSERT_EQ(table.find(n).get(), c) << n;
      auto sorted = table.members();
      ChildTable::sort_by_name(sorted);
      ASSERT_EQ(sorted.size(), model.size());
      auto it = model.begin();
      for (const auto& c : sorted) EXPECT_EQ(c.get(), (it++)->second);
    }
  }
}

TEST(ChildTable, ErasesOnlyTheCellItHoldsUnderAName) {
  System sys{threads(1)};
  // Two cells with the same name under different parents.
  const auto top =
      sys.spawn("x", Props<int>::from_function([](Context<int>& ctx, int&) {
                  ctx.spawn("x", Props<int>::from_function([](Context<int>&, int&) {})).value();
                }))
          .value();
  (void)top.tell(0);
  ASSERT_TRUE(testing::eventually(sys, [&] { return sys.find<int>("/x/x").has_value(); }));
  const auto outer = top.cell_base();
  const auto inner = sys.find<int>("/x/x")->cell_base();
  ASSERT_EQ(outer->name(), inner->name());

  ChildTable table;
  ASSERT_TRUE(table.insert(outer));
  EXPECT_FALSE(table.insert(inner)) << "the name is taken";
  EXPECT_FALSE(table.erase(*inner)) << "another cell has the name";
  EXPECT_EQ(table.find("x"), outer);
  EXPECT_TRUE(table.erase(*outer));
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.find("x"), nullptr);
  EXPECT_FALSE(table.erase(*outer)) << "already gone";
  EXPECT_TRUE(table.insert(inner)) << "an emptied table takes children again";
}

TEST(ChildTable, ShrinksAsChildrenLeaveAndStillFindsTheRest) {
  System sys{threads(1)};
  constexpr int kCells = 2000;
  const auto cells = spawn_cells(sys, "s", kCells);
  ChildTable table;
  for (const auto& c : cells) ASSERT_TRUE(table.insert(c));
  const std::size_t full = table.capacity();
  EXPECT_GE(4 * full, 4u * kCells) << "at most three quarters full";
  for (int i = 0; i < kCells - 10; ++i) ASSERT_TRUE(table.erase(*cells[i]));
  EXPECT_LE(table.capacity(), 8 * 10u) << "ten children keep no table sized for " << kCells;
  EXPECT_LT(table.capacity(), full);
  for (int i = kCells - 10; i < kCells; ++i) EXPECT_EQ(table.find(cells[i]->name()), cells[i]);
  // Regrows from the small array without losing anyone.
  for (int i = 0; i < kCells - 10; ++i) ASSERT_TRUE(table.insert(cells[i]));
  for (const auto& c : cells) ASSERT_EQ(table.find(c->name()), c);
  for (const auto& c : cells) ASSERT_TRUE(table.erase(*c));
  EXPECT_EQ(table.capacity(), 0u) << "an emptied table frees its array";
}

TEST(ChildTable, HoldsItsChildrenAliveUntilErased) {
  System sys{threads(1)};
  auto cells = spawn_cells(sys, "a", 50);
  ChildTable table;
  for (const auto& c : cells) ASSERT_TRUE(table.insert(c));
  std::vector<std::weak_ptr<CellBase>> weak(cells.begin(), cells.end());
  const long before = weak[10].use_count();
  EXPECT_GE(before, 2);
  for (const auto& c : cells) EXPECT_TRUE(table.erase(*c));
  EXPECT_EQ(weak[10].use_count(), before - 1) << "erasing drops the table's reference";
}

}  // namespace
}  // namespace troupe::detail
