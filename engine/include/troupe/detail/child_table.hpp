// The children of a cell, found by name: an open-addressing hash table of
// the children themselves (their names live in their paths), probed
// linearly, with no node per child. A set ordered by name cost a 64-byte
// node and twenty name comparisons per spawn at a million children; this
// costs 16 to 43 bytes and a few probes. Walks that must be deterministic
// sort a snapshot by name (rare: a stop, a supervision decision). The array
// halves when it falls below an eighth full, and goes when empty: a parent
// whose million children stopped keeps no 16 MB of empty slots.
// Not thread-safe: the owning cell guards it with its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace troupe::detail {

class CellBase;

class ChildTable {
 public:
  ChildTable() = default;
  ChildTable(const ChildTable&) = delete;
  ChildTable& operator=(const ChildTable&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// Adds `child` under its name unless another child has that name; true if added.
  bool insert(const std::shared_ptr<CellBase>& child);
  /// The child named `name`, or nullptr.
  std::shared_ptr<CellBase> find(std::string_view name) const;
  /// Removes `child` if it is the one under its name; true if removed.
  bool erase(const CellBase& child);
  /// Every child, in no particular order (sort_by_name orders them).
  std::vector<std::shared_ptr<CellBase>> members() const;
  /// Orders `children` by name: walks that must be deterministic.
  static void sort_by_name(std::vector<std::shared_ptr<CellBase>>& children);
  std::size_t capacity() const { return capacity_; }

  /// Names generated so far ("$1", "$2", ...).
  std::uint64_t generated_names = 0;

 private:
  /// The slot holding `name`, or the empty slot where it would go.
  std::size_t probe(std::string_view name) const;
  /// Moves every child into a fresh array of `capacity` slots.
  void rehash(std::size_t capacity);
  std::size_t mask() const { return capacity_ - 1; }

  std::unique_ptr<std::shared_ptr<CellBase>[]> slots_;
  std::size_t capacity_ = 0;  // a power of two, or 0 before the first insert
  std::size_t size_ = 0;
};

}  // namespace troupe::detail
