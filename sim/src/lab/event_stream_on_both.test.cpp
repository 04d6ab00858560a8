// The event stream on both schedulers, with the same actor code: subscribe,
// publish and unsubscribe; typed filtering and adapters; the per-subscriber
// bound (every publication to every subscriber delivered or counted); the
// runtime's own DeadLetter, LifecycleEvent and SupervisionEvent; subscribers
// stopping mid-stream; bad input; shutdown; many publishing threads with
// subscribers churning; and the same order for the same seed in the simulator.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::On;

struct Price {
  int n = 0;
};
struct Quote {
  int n = 0;
};
struct Boom {};
using In = std::variant<Price, Quote, Boom, DeadLetter, LifecycleEvent, SupervisionEvent>;

/// What the subscribers saw, shared with the test (handlers may run on threads).
struct Seen {
  std::mutex mu;
  std::vector<std::string> lines;
  std::vector<DeadLetter> dead;
  std::vector<LifecycleEvent> lifecycle;
  std::vector<SupervisionEvent> supervision;
  void add(std::string line) {
    std::lock_guard lock(mu);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mu);
    return lines;
  }
  std::size_t size() {
    std::lock_guard lock(mu);
    return lines.size();
  }
};

std::string line(std::string_view who, std::string_view what, int n) {
  std::string s(who);  // built by append: g++ 12 -O3 -Wrestrict
  s.append(":").append(what).append(std::to_string(n));
  return s;
}

/// Records every event it gets; throws on Boom; works `work` per message.
class Recorder : public Actor<In> {
 public:
  Recorder(Seen* seen, std::string name, Duration work = Duration::zero(), int stop_after = 0)
      : seen_(seen), name_(std::move(name)), work_(work), stop_after_(stop_after) {}
  void receive(Context<In>& ctx, In& m) override {
    if (work_ > Duration::zero()) ctx.work(work_);
    if (std::holds_alternative<Boom>(m)) throw std::runtime_error("boom");
    if (const auto* p = std::get_if<Price>(&m)) seen_->add(line(name_, "price", p->n));
    if (const auto* q = std::get_if<Quote>(&m)) seen_->add(line(name_, "quote", q->n));
    if (const auto* d = std::get_if<DeadLetter>(&m)) {
      std::lock_guard lock(seen_->mu);
      seen_->dead.push_back(*d);
    }
    if (const auto* l = std::get_if<LifecycleEvent>(&m)) {
      std::lock_guard lock(seen_->mu);
      seen_->lifecycle.push_back(*l);
    }
    if (const auto* s = std::get_if<SupervisionEvent>(&m)) {
      std::lock_guard lock(seen_->mu);
      seen_->supervision.push_back(*s);
    }
    if (stop_after_ > 0 && ++handled_ == stop_after_) ctx.stop();
  }

 private:
  Seen* seen_;
  std::string name_;
  Duration work_;
  int stop_after_;
  int handled_ = 0;
};

class EventStreamOnBoth : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5)); }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }
  EventStream& stream() { return sys().event_stream(); }
  void settle() { ASSERT_TRUE(sys().await_quiescence(30s)); }
  ActorRef<In> recorder(const std::string& name, Seen* seen, Duration work = Duration::zero(),
                        int stop_after = 0, std::size_t capacity = 1024) {
    return sys()
        .spawn(
            name,
            Props<In>::of<Recorder>(seen, name, work, stop_after).mailbox({.capacity = capacity}))
        .value();
  }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, EventStreamOnBoth, testing::both_schedulers(),
                         testing::scheduler_name);

TEST_P(EventStreamOnBoth, ASubscriberGetsEveryPublicationUntilItUnsubscribes) {
  Seen seen;
  auto a = recorder("a", &seen);
  const Subscription sub = stream().subscribe<Price>(a).value();
  EXPECT_EQ(stream().subscribers<Price>(), 1u);
  for (int i = 1; i <= 3; ++i) {
    const PublishResult r = stream().publish(Price{i});
    EXPECT_EQ(r.status, PublishStatus::published);
    EXPECT_EQ(r.delivered, 1u);
  }
  settle();
  EXPECT_TRUE(stream().unsubscribe(sub));
  EXPECT_FALSE(stream().unsubscribe(sub));  // once
  EXPECT_EQ(stream().publish(Price{4}).delivered, 0u);
  settle();
  EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"a:price1", "a:price2", "a:price3"}));
  EXPECT_EQ(stream().subscriptions(), 0u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, ASubscriberOfOneTypeGetsOnlyThatTypeAndAdaptersMapEvents) {
  Seen seen;
  auto prices = recorder("prices", &seen);
  auto quotes = recorder("quotes", &seen);
  ASSERT_TRUE(stream().subscribe<Price>(prices).ok());
  ASSERT_TRUE(stream().subscribe<Quote>(quotes).ok());
  // An adapter: quotes' actor also hears prices, as quotes of ten times the price.
  ASSERT_TRUE(
      stream().subscribe<Price>(quotes, [](const Price& p) { return In(Quote{p.n * 10}); }).ok());
  EXPECT_EQ(stream().publish(Price{1}).delivered, 2u);
  EXPECT_EQ(stream().publish(Quote{2}).delivered, 1u);
  settle();
  auto lines = seen.snapshot();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"prices:price1", "quotes:quote10", "quotes:quote2"}));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, ASlowSubscriberOverBoundGetsCountedOverflowNotSilentLoss) {
  Seen seen;
  auto slow = recorder("slow", &seen, 1ms);
  ASSERT_TRUE(stream().subscribe<Price>(slow, {.bound = 16}).ok());
  constexpr int kPublished = 500;
  std::uint64_t delivered = 0, dead = 0;
  for (int i = 0; i < kPublished; ++i) {
    const PublishResult r = stream().publish(Price{i});
    delivered += r.delivered;
    dead += r.dead_letters;
  }
  settle();
  const SystemStats s = sys().stats();
  EXPECT_EQ(delivered + dead, static_cast<std::uint64_t>(kPublished));
  EXPECT_GT(dead, 0u);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::subscriber_overflow), dead);
  EXPECT_EQ(seen.size(), delivered);  // every delivery was handled
  EXPECT_EQ(stream().stats().delivered, delivered);
  EXPECT_TRUE(s.balanced());
}

TEST_P(EventStreamOnBoth, BadSubscriptionsAreClearErrors) {
  Seen seen;
  auto a = recorder("a", &seen);
  const auto empty = stream().subscribe<Price>(ActorRef<In>{});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos);
  const auto zero = stream().subscribe<Price>(a, {.bound = 0});
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.error().message.find("bound"), std::string::npos);
  EXPECT_FALSE(stream().subscribe<Price>(a, {.bound = kMaxSubscriberBound + 1}).ok());
  const auto message = stream().subscribe<Price>(a, {.with_message = true});
  ASSERT_FALSE(message.ok());
  EXPECT_NE(message.error().message.find("with_message"), std::string::npos);
  EXPECT_FALSE(stream().unsubscribe(Subscription{}));
  sys().stop(a);
  settle();
  EXPECT_FALSE(stream().subscribe<Price>(a).ok());  // stopped
  EXPECT_EQ(stream().subscriptions(), 0u);
  EXPECT_EQ(stream().publish(Price{1}).delivered, 0u);  // nobody listens: nothing counted
  EXPECT_EQ(sys().stats().sent, 0u);
}

TEST_P(EventStreamOnBoth, DeadLettersArePublishedWithTheMessageOnlyToThoseWhoAsk) {
  Seen with, without;
  auto w = recorder("with", &with);
  auto wo = recorder("without", &without);
  ASSERT_TRUE(stream().subscribe<DeadLetter>(w, {.with_message = true}).ok());
  ASSERT_TRUE(stream().subscribe<DeadLetter>(wo).ok());
  Seen other;
  auto target = recorder("target", &other);
  sys().stop(target);
  settle();
  EXPECT_EQ(target.tell(Price{42}), SendResult::actor_stopped);
  settle();
  std::lock_guard a(with.mu);
  std::lock_guard b(without.mu);
  ASSERT_EQ(with.dead.size(), 1u);
  ASSERT_EQ(without.dead.size(), 1u);
  EXPECT_EQ(with.dead[0].reason, DeadLetterReason::actor_stopped);
  EXPECT_EQ(with.dead[0].recipient_path, "/target");
  const In* held = with.dead[0].message.as<In>();
  ASSERT_NE(held, nullptr);
  ASSERT_TRUE(std::holds_alternative<Price>(*held));
  EXPECT_EQ(std::get<Price>(*held).n, 42);
  EXPECT_EQ(with.dead[0].message.as<Price>(), nullptr);  // the recipient's type, not a guess
  EXPECT_EQ(without.dead[0].recipient_path, "/target");
  EXPECT_FALSE(without.dead[0].message.has_value());
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, LifecycleAndSupervisionEventsArrive) {
  Seen watch;
  auto watcher = recorder("watcher", &watch);
  ASSERT_TRUE(stream().subscribe<LifecycleEvent>(watcher).ok());
  ASSERT_TRUE(stream().subscribe<SupervisionEvent>(watcher).ok());
  Seen other;
  auto worker = recorder("worker", &other);
  settle();
  (void)worker.tell(Boom{});  // the default policy restarts it
  settle();
  sys().stop(worker);
  settle();
  std::lock_guard lock(watch.mu);
  std::vector<std::string> steps;
  for (const auto& e : watch.lifecycle) {
    if (e.path == "/worker") steps.emplace_back(to_string(e.kind));
  }
  EXPECT_EQ(steps, (std::vector<std::string>{"started", "restarted", "stopped"}));
  ASSERT_EQ(watch.supervision.size(), 1u);
  EXPECT_EQ(watch.supervision[0].child_path, "/worker");
  EXPECT_EQ(watch.supervision[0].directive, Directive::restart);
  EXPECT_NE(watch.supervision[0].failure.find("boom"), std::string::npos);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, ASubscriberThatStopsMidStreamIsRemovedAndItsMissesCounted) {
  Seen seen;
  auto quitter = recorder("quitter", &seen, Duration::zero(), 5);
  Seen stays;
  auto stayer = recorder("stayer", &stays);
  ASSERT_TRUE(stream().subscribe<Price>(quitter).ok());
  ASSERT_TRUE(stream().subscribe<Price>(stayer).ok());
  constexpr int kPublished = 100;
  std::uint64_t offered = 0;
  for (int i = 0; i < kPublished; ++i) {
    const PublishResult r = stream().publish(Price{i});
    offered += r.delivered + r.dead_letters;
    if (i == 10) settle();  // the quitter has stopped by now
  }
  settle();
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(stays.size(), static_cast<std::size_t>(kPublished));
  // Until it stopped the quitter was offered everything; after, it is gone.
  // (On threads it may stop before the 11th publication.)
  EXPECT_GE(offered, static_cast<std::uint64_t>(kPublished + 5));
  EXPECT_LE(offered, static_cast<std::uint64_t>(kPublished + 11));
  if (GetParam() == On::simulator) {
    EXPECT_EQ(offered, static_cast<std::uint64_t>(kPublished + 11));
  }
  EXPECT_EQ(stream().subscribers<Price>(), 1u);
  EXPECT_EQ(stream().stats().stopped_removed, 1u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, ADeadLetterSubscriberCannotFeedItself) {
  // It fails on everything, and holds at most one: its own dead letters and
  // those of DeadLetter deliveries are counted, never published again.
  Seen seen;
  auto fragile = sys()
                     .spawn("fragile", Props<In>::from_function([](Context<In>&, In&) {
                                         throw std::runtime_error("no");
                                       }).restart({.max_restarts = 1000, .within = 1h}))
                     .value();
  ASSERT_TRUE(stream().subscribe<DeadLetter>(fragile, {.bound = 1}).ok());
  Seen other;
  auto target = recorder("target", &other);
  sys().stop(target);
  settle();
  for (int i = 0; i < 20; ++i) (void)target.tell(Price{i});
  settle();
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 20u);
  EXPECT_GT(stream().stats().dead_letters_muted, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(EventStreamOnBoth, ActorsPublishFromHandlersAndTheSimulatorHoldsItAfterDeclaredWork) {
  Seen seen;
  auto sink = recorder("sink", &seen);
  ASSERT_TRUE(stream().subscribe<Price>(sink).ok());
  auto publisher =
      sys()
          .spawn("publisher", Props<Quote>::from_function([](Context<Quote>& ctx, Quote& q) {
                   ctx.work(2ms);
                   const PublishResult r = ctx.publish(Price{q.n});
                   if (!r.ok()) throw std::runtime_error("refused");
                 }))
          .value();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(publisher.tell(Quote{i}), SendResult::accepted);
  settle();
  EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"sink:price0", "sink:price1", "sink:price2",
                                                       "sink:price3", "sink:price4"}));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(EventStreamOnBoth, PublishingAfterShutdownIsClosedAndSubscriptionsEnd) {
  Seen seen;
  auto a = recorder("a", &seen);
  ASSERT_TRUE(stream().subscribe<Price>(a).ok());
  ASSERT_TRUE(stream().subscribe<DeadLetter>(a).ok());
  (void)stream().publish(Price{1});
  (void)sys().shutdown(5s);
  EXPECT_EQ(stream().publish(Price{2}).status, PublishStatus::closed);
  EXPECT_FALSE(stream().publish(Price{3}).ok());
  const auto late = stream().subscribe<Price>(a);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::system_shutting_down);
  EXPECT_EQ(stream().subscriptions(), 0u);
  EXPECT_EQ(seen.snapshot(), (std::vector<std::string>{"a:price1"}));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST(EventStreamThreads, ManyPublishersWithSubscribersChurningLoseNothing) {
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
  EventStream& stream = sys.event_stream();
  Seen seen;
  std::atomic<bool> done{false};
  std::atomic<std::uint64_t> offered{0};
  std::vector<std::thread> publishers;
  for (int t = 0; t < 3; ++t) {
    publishers.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const PublishResult r = stream.publish(Price{t * 10000 + i});
        offered.fetch_add(r.delivered + r.dead_letters);
        if (i % 3 == 0) (void)stream.publish(Quote{i});
      }
    });
  }
  std::thread churn([&] {
    for (int round = 0; !done.load() && round < 400; ++round) {
      std::string name = "sub";
      name.append(std::to_string(round));
      auto ref =
          sys.spawn(
                 name,
                 Props<In>::of<Recorder>(&seen, name, Duration::zero(), 7).mailbox({.capacity = 8}))
              .value();
      auto sub = stream.subscribe<Price>(ref, {.bound = 4});
      if (!sub.ok()) {
        // It may have had its seven prices and stopped before subscribe
        // returned (an idle worker picks it up at once): said, not lost.
        ASSERT_EQ(sub.error().message, "EventStream::subscribe: the subscriber has stopped");
        ASSERT_FALSE(ref.alive());
        continue;
      }
      if (round % 2 == 0) (void)stream.unsubscribe(sub.value());
      if (round % 5 == 0) sys.stop(ref);
    }
  });
  for (auto& p : publishers) p.join();
  done = true;
  churn.join();
  ASSERT_TRUE(sys.await_quiescence(30s));
  const SystemStats s = sys.stats();
  const EventStreamStats st = stream.stats();
  EXPECT_EQ(st.delivered + st.dead_letters, offered.load());
  EXPECT_TRUE(s.balanced());
}

TEST(EventStreamThreads, ShutdownWhilePublishersRunClosesTheStreamWithoutLoss) {
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
  EventStream& stream = sys.event_stream();
  Seen seen;
  auto slow = sys.spawn("slow", Props<In>::of<Recorder>(&seen, "slow", 50us)).value();
  ASSERT_TRUE(stream.subscribe<Price>(slow, {.bound = 64}).ok());
  ASSERT_TRUE(stream.subscribe<DeadLetter>(slow).ok());
  std::atomic<int> closed{0};
  std::thread publisher([&] {
    for (int i = 0; i < 20000 && closed.load() == 0; ++i) {
      if (!stream.publish(Price{i}).ok()) ++closed;
    }
  });
  std::this_thread::sleep_for(2ms);
  (void)sys.shutdown(1s);
  publisher.join();
  EXPECT_EQ(stream.publish(Price{-1}).status, PublishStatus::closed);
  EXPECT_EQ(stream.subscriptions(), 0u);
  EXPECT_TRUE(sys.stats().balanced());
}

/// Three publishers and three subscribers in the simulator, with a random
/// schedule: the order each subscriber saw.
std::vector<std::string> simulated_order(std::uint64_t seed) {
  System sys{std::make_unique<sim::SimScheduler>(
      sim::SimSettings{.seed = seed, .strategy = sim::Strategy::random})};
  Seen seen;
  for (const char* name : {"s1", "s2", "s3"}) {
    auto ref = sys.spawn(name, Props<In>::of<Recorder>(&seen, name, 1ms)).value();
    (void)sys.event_stream().subscribe<Price>(ref, {.bound = 6});
  }
  for (int p = 0; p < 3; ++p) {
    std::string name = "p";
    name.append(std::to_string(p));
    auto pub = sys.spawn(name, Props<Quote>::from_function([](Context<Quote>& ctx, Quote& q) {
                           (void)ctx.publish(Price{q.n});
                         }))
                   .value();
    for (int i = 0; i < 10; ++i) (void)pub.tell(Quote{p * 100 + i});
  }
  EXPECT_TRUE(sys.await_quiescence(1h));
  EXPECT_TRUE(sys.stats().balanced());
  auto order = seen.snapshot();
  order.push_back(std::to_string(sys.stats().dead_letters(DeadLetterReason::subscriber_overflow)));
  return order;
}

TEST(EventStreamSimulator, TheSameSeedGivesTheSameDeliveryOrder) {
  const auto a = simulated_order(11);
  EXPECT_EQ(a, simulated_order(11));
  EXPECT_EQ(a.size(), 91u - std::stoul(a.back()) + 0u) << "30 publications x 3 subscribers + count";
}

}  // namespace
}  // namespace troupe
