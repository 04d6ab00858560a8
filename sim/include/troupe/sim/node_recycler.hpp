// NodeRecycler: a memory resource for the simulator's node containers (its
// timers, deferrals and service-time maps), whose nodes come and go with
// every message. A freed block goes on a list for its size and is handed out
// again; blocks are returned to the heap only when the recycler goes. One
// thread only, as the simulator itself. (libstdc++'s
// unsynchronized_pool_resource costs more per call than the heap it saves.)
#pragma once

#include <array>
#include <cstddef>
#include <memory_resource>

namespace troupe::sim {

#if defined(__SANITIZE_ADDRESS__)
#define TROUPE_NODE_RECYCLER_HEAP_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TROUPE_NODE_RECYCLER_HEAP_ONLY 1
#endif
#endif

class NodeRecycler final : public std::pmr::memory_resource {
 public:
  /// Under AddressSanitizer every block goes back to the heap at once, so
  /// that a use after free in the simulator's maps is still caught.
#ifdef TROUPE_NODE_RECYCLER_HEAP_ONLY
  static constexpr bool kRecycles = false;
#else
  static constexpr bool kRecycles = true;
#endif

  NodeRecycler() = default;
  NodeRecycler(const NodeRecycler&) = delete;
  NodeRecycler& operator=(const NodeRecycler&) = delete;
  ~NodeRecycler() override;

 private:
  /// Blocks up to this size are recycled, in classes of kGranule bytes.
  static constexpr std::size_t kGranule = 16;
  static constexpr std::size_t kLargestRecycled = 256;

  struct FreeBlock {
    FreeBlock* next;
  };

  static bool recycled(std::size_t bytes, std::size_t alignment) {
    return kRecycles && bytes <= kLargestRecycled && alignment <= kGranule &&
           kGranule <= __STDCPP_DEFAULT_NEW_ALIGNMENT__;
  }
  static std::size_t size_class(std::size_t bytes) {
    return (bytes + kGranule - 1) / kGranule;
  }

  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::array<FreeBlock*, kLargestRecycled / kGranule + 1> free_{};
};

}  // namespace troupe::sim
