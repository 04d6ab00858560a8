#include "troupe/sim/node_recycler.hpp"

#include <new>

namespace troupe::sim {

namespace {

// Unsized deletes: clang does not enable sized deallocation by default.
void* heap_allocate(std::size_t bytes, std::size_t alignment) {
  if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(bytes);
  return ::operator new (bytes, std::align_val_t{alignment});
}

void heap_deallocate(void* p, std::size_t alignment) {
  if (alignment <= __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
    ::operator delete(p);
  } else {
    ::operator delete (p, std::align_val_t{alignment});
  }
}

}  // namespace

NodeRecycler::~NodeRecycler() {
  for (FreeBlock*& list : free_) {
    while (FreeBlock* block = list) {
      list = block->next;
      ::operator delete(block);  // recycled blocks came from plain new
    }
  }
}

void* NodeRecycler::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (!recycled(bytes, alignment)) return heap_allocate(bytes, alignment);
  const std::size_t c = size_class(bytes == 0 ? 1 : bytes);
  if (FreeBlock* block = free_[c]) {
    free_[c] = block->next;
    return block;
  }
  return ::operator new(c* kGranule);  // aligned to 16 (recycled() checked it)
}

void NodeRecycler::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  if (!recycled(bytes, alignment)) {
    heap_deallocate(p, alignment);
    return;
  }
  const std::size_t c = size_class(bytes == 0 ? 1 : bytes);
  auto* block = static_cast<FreeBlock*>(p);
  block->next = free_[c];
  free_[c] = block;
}

}  // namespace troupe::sim
