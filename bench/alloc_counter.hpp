// Counts heap allocations in a benchmark binary by replacing the global
// operator new, so a benchmark can report allocations per message and back
// the claim that the hot path allocates nothing per message.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace troupe::bench {

inline std::atomic<std::uint64_t> g_allocations{0};

inline std::uint64_t allocations() {
  return g_allocations.load(std::memory_order_relaxed);
}

}  // namespace troupe::bench

// Replacements must be defined in exactly one translation unit: each bench
// binary is one. GCC cannot see that new and delete are replaced as a pair.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  troupe::bench::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
