// IntrusiveList: a doubly linked list whose elements carry their own links,
// so that joining and leaving it costs no allocation and no search. The
// runtime keeps its live actors in one: an actor pays two pointers for its
// registration instead of a tree node. Not thread-safe; the owner locks.
#pragma once

#include <cstddef>
#include <iterator>

#include "troupe/assert.hpp"

namespace troupe::detail {

template <class T>
struct ListLinks {
  T* prev = nullptr;
  T* next = nullptr;
};

/// `Links` names the member of T that holds its links for this list.
template <class T, ListLinks<T> T::*Links>
class IntrusiveList {
 public:
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T*;
    using difference_type = std::ptrdiff_t;
    using pointer = T* const*;
    using reference = T* const&;

    Iterator() = default;
    explicit Iterator(T* at) : at_(at) {}
    T* const& operator*() const { return at_; }
    Iterator& operator++() {
      at_ = (at_->*Links).next;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator&) const = default;

   private:
    T* at_ = nullptr;
  };

  IntrusiveList() = default;
  IntrusiveList(const IntrusiveList&) = delete;
  IntrusiveList& operator=(const IntrusiveList&) = delete;

  /// Appends: iteration follows the order of joining.
  void push_back(T& element) {
    TROUPE_ASSERT(!contains(element));
    ListLinks<T>& links = element.*Links;
    links.prev = tail_;
    links.next = nullptr;
    if (tail_ != nullptr) {
      (tail_->*Links).next = &element;
    } else {
      head_ = &element;
    }
    tail_ = &element;
    ++size_;
  }

  /// Unlinks `element`; false when it was not in the list.
  bool erase(T& element) {
    if (!contains(element)) return false;
    ListLinks<T>& links = element.*Links;
    if (links.prev != nullptr) {
      (links.prev->*Links).next = links.next;
    } else {
      head_ = links.next;
    }
    if (links.next != nullptr) {
      (links.next->*Links).prev = links.prev;
    } else {
      tail_ = links.prev;
    }
    links = ListLinks<T>{};
    --size_;
    return true;
  }

  /// Only the head has no predecessor; an element outside has neither link.
  bool contains(const T& element) const {
    return (element.*Links).prev != nullptr || head_ == &element;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Iterator begin() const { return Iterator(head_); }
  Iterator end() const { return Iterator(); }

 private:
  T* head_ = nullptr;
  T* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace troupe::detail
