// A double-ended ring buffer that grows by doubling up to a hard limit and never
// allocates per element: the storage behind every mailbox and run queue. Not thread-safe;
// the owning cell guards it with its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

#include "troupe/assert.hpp"

namespace troupe::detail {

template <class T>
class RingQueue {
 public:
  RingQueue() = default;
  RingQueue(const RingQueue&) = delete;
  RingQueue& operator=(const RingQueue&) = delete;
  ~RingQueue() {
    clear();
    release(slots_, capacity_);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Elements the buffer holds room for (0 when none is allocated).
  std::size_t capacity() const { return capacity_; }

  /// Appends; the caller has checked the mailbox's own bound.
  void push_back(T&& value) {
    if (size_ == capacity_) grow();
    ::new (static_cast<void*>(slot(size_))) T(std::move(value));
    ++size_;
  }

  /// Prepends (a mailbox putting unstashed messages back at its front).
  void push_front(T&& value) {
    if (size_ == capacity_) grow();
    head_ = (head_ + capacity_ - 1) & (capacity_ - 1);
    ::new (static_cast<void*>(slot(0))) T(std::move(value));
    ++size_;
  }

  /// Removes the i-th element from the front, moving those before it up.
  void erase_at(std::size_t i) {
    TROUPE_ASSERT(i < size_);
    for (; i > 0; --i) *slot(i) = std::move(*slot(i - 1));
    pop_front();
  }

  T& front() {
    TROUPE_ASSERT(size_ > 0);
    return *slot(0);
  }
  const T& front() const { return const_cast<RingQueue&>(*this).front(); }

  void pop_front() {
    TROUPE_ASSERT(size_ > 0);
    std::destroy_at(slot(0));
    head_ = (head_ + 1) & (capacity_ - 1);
    --size_;
  }

  /// The i-th element from the front.
  T& at(std::size_t i) {
    TROUPE_ASSERT(i < size_);
    return *slot(i);
  }
  const T& at(std::size_t i) const { return const_cast<RingQueue&>(*this).at(i); }

  T& back() {
    TROUPE_ASSERT(size_ > 0);
    return *slot(size_ - 1);
  }

  void pop_back() {
    TROUPE_ASSERT(size_ > 0);
    std::destroy_at(slot(size_ - 1));
    --size_;
  }

  void clear() {
    while (size_ > 0) pop_front();
  }

  /// Exchanges contents and buffers (a mailbox handed to a successor).
  void swap(RingQueue& other) noexcept {
    std::swap(slots_, other.slots_);
    std::swap(capacity_, other.capacity_);
    std::swap(head_, other.head_);
    std::swap(size_, other.size_);
  }

  /// Gives the buffer back when nothing is queued: for queues that are empty
  /// most of the time, so that their idle owner holds no memory.
  void release_if_empty() {
    if (size_ != 0) return;
    release(slots_, capacity_);
    slots_ = nullptr;
    capacity_ = 0;
    head_ = 0;
  }

 private:
  static constexpr std::size_t kInitialCapacity = 4;
  /// 32-bit positions keep the queue at 24 bytes (two in every actor); no
  /// mailbox, stash or run queue comes near this many elements.
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 31;

  T* slot(std::size_t i) { return slots_ + ((head_ + i) & (capacity_ - 1)); }

  void grow() {
    const std::size_t bigger = capacity_ == 0 ? kInitialCapacity : std::size_t{capacity_} * 2;
    // slot() masks with capacity - 1: a power of two (checked on growth only).
    TROUPE_ASSERT((bigger & (bigger - 1)) == 0 && bigger > size_ && bigger <= kMaxCapacity);
    T* fresh = std::allocator<T>{}.allocate(bigger);
    for (std::size_t i = 0; i < size_; ++i) {
      ::new (static_cast<void*>(fresh + i)) T(std::move(*slot(i)));
      std::destroy_at(slot(i));
    }
    release(slots_, capacity_);
    slots_ = fresh;
    capacity_ = static_cast<std::uint32_t>(bigger);
    head_ = 0;
  }

  static void release(T* slots, std::size_t capacity) {
    if (slots != nullptr) std::allocator<T>{}.deallocate(slots, capacity);
  }

  T* slots_ = nullptr;
  std::uint32_t capacity_ = 0;  // a power of two, or 0
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace troupe::detail
