#include "troupe/detail/child_table.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"

namespace troupe::detail {

namespace {

constexpr std::size_t kMinCapacity = 4;

}  // namespace

std::uint32_t ChildTable::tag_of(std::string_view name) {
  const std::uint64_t h = std::hash<std::string_view>{}(name);
  const auto tag = static_cast<std::uint32_t>(h ^ (h >> 32));
  return tag == 0 ? 1 : tag;
}

std::size_t ChildTable::probe(std::string_view name, std::uint32_t tag) const {
  TROUPE_ASSERT(capacity_ > 0 && size_ < capacity_);
  std::size_t i = tag & mask();
  while (tags_[i] != 0 && (tags_[i] != tag || slots_[i]->name() != name)) i = (i + 1) & mask();
  return i;
}

bool ChildTable::insert(const std::shared_ptr<CellBase>& child) {
  TROUPE_ASSERT(child != nullptr);
  // At most three quarters full: linear probing stays short.
  if (4 * (size_ + 1) > 3 * capacity_) rehash(capacity_ == 0 ? kMinCapacity : 2 * capacity_);
  const std::uint32_t tag = tag_of(child->name());
  const std::size_t i = probe(child->name(), tag);
  if (tags_[i] != 0) return false;
  slots_[i] = child;
  tags_[i] = tag;
  ++size_;
  return true;
}

std::shared_ptr<CellBase> ChildTable::find(std::string_view name) const {
  if (size_ == 0) return nullptr;
  return slots_[probe(name, tag_of(name))];
}

bool ChildTable::erase(const CellBase& child) {
  if (size_ == 0) return false;
  std::size_t hole = probe(child.name(), tag_of(child.name()));
  if (slots_[hole].get() != &child) return false;
  slots_[hole].reset();
  tags_[hole] = 0;
  --size_;
  // Backward-shift deletion: pull later members of the probe run into the
  // hole when their home slot does not lie between the hole and them, so
  // that every lookup still finds its child before an empty slot.
  for (std::size_t next = (hole + 1) & mask(); tags_[next] != 0; next = (next + 1) & mask()) {
    const std::size_t home = tags_[next] & mask();
    const bool stays = ((next - home) & mask()) < ((next - hole) & mask());
    if (stays) continue;
    slots_[hole] = std::move(slots_[next]);
    tags_[hole] = std::exchange(tags_[next], 0);
    hole = next;
  }
  if (size_ == 0) {
    slots_.reset();  // a cell whose children all stopped keeps no table
    tags_.reset();
    capacity_ = 0;
  } else if (capacity_ > kMinCapacity && 8 * size_ < capacity_) {
    rehash(capacity_ / 2);  // then at most a quarter full: no grow-shrink ping-pong
  }
  return true;
}

std::vector<std::shared_ptr<CellBase>> ChildTable::members() const {
  std::vector<std::shared_ptr<CellBase>> out;
  out.reserve(size_);
  for (std::size_t i = 0; i < capacity_; ++i) {
    if (tags_[i] != 0) out.push_back(slots_[i]);
  }
  return out;
}

void ChildTable::sort_by_name(std::vector<std::shared_ptr<CellBase>>& children) {
  std::sort(children.begin(), children.end(),
            [](const auto& a, const auto& b) { return a->name() < b->name(); });
}

void ChildTable::rehash(std::size_t capacity) {
  TROUPE_ASSERT(capacity >= kMinCapacity && (capacity & (capacity - 1)) == 0 &&
                4 * size_ <= 3 * capacity);
  auto old_slots = std::exchange(slots_, std::make_unique<std::shared_ptr<CellBase>[]>(capacity));
  auto old_tags = std::exchange(tags_, std::make_unique<std::uint32_t[]>(capacity));  // zeroed
  const std::size_t old_capacity = std::exchange(capacity_, capacity);
  for (std::size_t i = 0; i < old_capacity; ++i) {
    if (old_tags[i] == 0) continue;
    std::size_t j = old_tags[i] & mask();
    while (tags_[j] != 0) j = (j + 1) & mask();
    slots_[j] = std::move(old_slots[i]);
    tags_[j] = old_tags[i];
  }
}

}  // namespace troupe::detail
