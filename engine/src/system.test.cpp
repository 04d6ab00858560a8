#include "troupe/system.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <variant>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::threads;

struct Add {
  int n;
};
struct Boom {};
using CounterMsg = std::variant<Add, Boom>;

class Counter : public Actor<CounterMsg> {
 public:
  explicit Counter(std::atomic<int>* total) : total_(total) {}
  void receive(Context<CounterMsg>&, CounterMsg& msg) override {
    if (std::holds_alternative<Boom>(msg)) throw std::runtime_error("boom");
    total_->fetch_add(std::get<Add>(msg).n);
  }

 private:
  std::atomic<int>* total_;
};

TEST(System, DeliversMessagesToAClassActor) {
  std::atomic<int> total{0};
  System sys{threads()};
  auto ref = sys.spawn("counter", Props<CounterMsg>::of<Counter>(&total)).value();
  for (int i = 1; i <= 100; ++i) EXPECT_EQ(ref.tell(Add{i}), SendResult::accepted);
  ASSERT_TRUE(eventually(sys, [&] { return total.load() == 5050; }));
  auto report = sys.shutdown(5s);
  EXPECT_TRUE(report.deadline_met);
  EXPECT_TRUE(sys.stats().balanced());
  EXPECT_EQ(sys.stats().processed, 100u);
}

TEST(System, RunsFunctionActors) {
  std::atomic<int> seen{0};
  System sys{threads()};
  auto ref =
      sys.spawn("fn", Props<int>::from_function([&](Context<int>&, int& v) { seen += v; })).value();
  (void)ref.tell(20);
  (void)ref.tell(22);
  ASSERT_TRUE(eventually(sys, [&] { return seen.load() == 42; }));
}

TEST(System, RejectsADuplicateNameAmongSiblings) {
  System sys{threads()};
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  ASSERT_TRUE(sys.spawn("same", fn).ok());
  auto second = sys.spawn("same", fn);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::duplicate_name);
  EXPECT_NE(second.error().message.find("same"), std::string::npos);
  EXPECT_THROW(second.value(), std::runtime_error);
}

TEST(System, RejectsInvalidNames) {
  System sys{threads()};
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  auto bad = sys.spawn("a/b", fn);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_name);
}

TEST(System, GeneratesNamesForUnnamedActors) {
  System sys{threads()};
  auto fn = Props<int>::from_function([](Context<int>&, int&) {});
  auto a = sys.spawn("", fn).value();
  auto b = sys.spawn("", fn).value();
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(a.path().rfind("/$", 0), 0u);
}

}  // namespace
}  // namespace troupe
