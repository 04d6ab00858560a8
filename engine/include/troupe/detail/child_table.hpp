// The children of a cell, found by name: an open-addressing hash table of
// the children themselves (their names live in their paths), probed
// linearly, with no node per child. A set ordered by name cost a 64-byte
// node and twenty name comparisons per spawn at a million children; this
// costs 20 to 54 bytes and a few probes. Each slot keeps 32 bits of its
// child's hash beside it, so a probe reads one small array and looks at a
// child (a cache miss at a million children) only when the bits match.
// Walks that must be deterministic sort a snapshot by name (rare: a stop, a
// supervision decision). The arrays halve when they fall below an eighth
// full, and go when empty: a parent whose million children stopped keeps
// no 20 MB of empty slots.
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
  /// 32 bits of the name's hash, never 0 (0 marks an empty slot).
  static std::uint32_t tag_of(std::string_view name);
  /// The slot holding `name`, or the empty slot where it would go.
  std::size_t probe(std::string_view name, std::uint32_t tag) const;
  /// Moves every child into fresh arrays of `capacity` slots.
  void rehash(std::size_t capacity);
  std::size_t mask() const { return capacity_ - 1; }

  std::unique_ptr<std::shared_ptr<CellBase>[]> slots_;
  std::unique_ptr<std::uint32_t[]> tags_;  // tags_[i] == 0 exactly when slots_[i] is empty
  std::size_t capacity_ = 0;               // a power of two, or 0 before the first insert
  std::size_t size_ = 0;
};

}  // namespace troupe::detail
