#include "troupe/sim/node_recycler.hpp"

#include <new>

namespace troupe::sim {

NodeRecycler::~NodeRecycler() {
  for (std::size_t c = 1; c < free_.size(); ++c) {
    while (FreeBlock* block = free_[c]) {
      free_[c] = block->next;
      ::operator delete(block, c* kGranule);
    }
  }
}

void* NodeRecycler::do_allocate(std::size_t bytes, std::size_t alignment) {
  if (!recycled(bytes, alignment)) return ::operator new (bytes, std::align_val_t{alignment});
  const std::size_t c = size_class(bytes == 0 ? 1 : bytes);
  if (FreeBlock* block = free_[c]) {
    free_[c] = block->next;
    return block;
  }
  return ::operator new(c* kGranule);  // aligned to 16 (recycled() checked it)
}

void NodeRecycler::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  if (!recycled(bytes, alignment)) {
    ::operator delete (p, bytes, std::align_val_t{alignment});
    return;
  }
  const std::size_t c = size_class(bytes == 0 ? 1 : bytes);
  auto* block = static_cast<FreeBlock*>(p);
  block->next = free_[c];
  free_[c] = block;
}

}  // namespace troupe::sim
