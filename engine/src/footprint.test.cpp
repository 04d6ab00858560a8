// The memory an idle actor costs, counted on the heap: a guard against a
// field or an allocation that quietly makes every actor bigger. (The
// benchmark bench_savina/IdleActorMemory reports the resident size too.)
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <string>
#include <vector>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using testing::eventually;
using testing::threads;

struct Idle final : Actor<int> {
  explicit Idle(std::atomic<int>* started) : started_(started) {}
  void pre_start(Context<int>&) override { started_->fetch_add(1); }
  void receive(Context<int>&, int&) override {}
  std::atomic<int>* started_;
};

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

TEST(Footprint, AnIdleActorCostsUnder384BytesOfHeap) {
  if (kSanitized) GTEST_SKIP() << "sanitizers replace malloc and pad every block";
  constexpr int kActors = 20000;
  std::atomic<int> started{0};
  System sys{threads(1)};
  const auto props = Props<int>::of<Idle>(&started);
  std::vector<ActorRef<int>> refs;
  refs.reserve(kActors);
  std::vector<std::string> names;
  for (int i = 0; i < kActors; ++i) names.push_back(std::string("a").append(std::to_string(i)));

  const auto before = mallinfo2().uordblks;
  for (int i = 0; i < kActors; ++i) refs.push_back(sys.spawn(names[i], props).value());
  ASSERT_TRUE(eventually(sys, [&] { return started.load() == kActors; }));
  const auto after = mallinfo2().uordblks;

  const double per_actor = static_cast<double>(after - before) / kActors;
  RecordProperty("heap_bytes_per_idle_actor", std::to_string(per_actor));
  EXPECT_LT(per_actor, 384.0) << "everything an idle actor holds: its cell, its place among its "
                                 "parent's children and its instance";
}

}  // namespace
}  // namespace troupe
