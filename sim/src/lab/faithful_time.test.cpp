// A handler's effects happen when its service time ends: a slow handler's
// reply is late, a timeout caused by it can be tested, the model sees the
// message, and Context::work adds modelled time from inside a handler.
#include <gtest/gtest.h>

#include <memory>
#include <variant>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

TimePoint at(Duration d) {
  return TimePoint{} + d;
}

struct Request {
  bool slow = false;
};
struct Reply {};
struct Timeout {};
using ClientMsg = std::variant<Reply, Timeout>;

/// What the client saw, and when.
struct ClientLog {
  std::vector<std::pair<std::string, TimePoint>> seen;
};

/// Sends one request, arms a 100 ms timeout, records reply and timeout.
Props<ClientMsg> client(std::shared_ptr<ClientLog> log) {
  return Props<ClientMsg>::from_function([log](Context<ClientMsg>& ctx, ClientMsg& m) {
    log->seen.emplace_back(std::holds_alternative<Reply>(m) ? "reply" : "timeout", ctx.now());
  });
}

/// Replies to the client at once: all of its time is service time.
Props<Request> server(ActorRef<ClientMsg> to) {
  return Props<Request>::from_function(
             [to](Context<Request>&, Request&) { (void)to.tell(Reply{}); })
      .kind("server");
}

ServiceTime slow_requests_take(Duration slow) {
  return ServiceTime::per_message([slow](const ResumableInfo& a, const PendingMessage& m, Prng&) {
    const Request* r = m.as<Request>();
    if (a.kind != "server" || r == nullptr) return Duration::zero();
    return r->slow ? slow : 1ms;
  });
}

ClientLog ask_once(bool slow) {
  auto log = std::make_shared<ClientLog>();
  Simulation sim{{.service_time = slow_requests_take(300ms)}};
  auto c = sim.system().spawn("client", client(log)).value();
  auto s = sim.system().spawn("server", server(c)).value();
  (void)s.tell(Request{slow});
  sim.system().scheduler().after(100ms, [c] { (void)c.tell(Timeout{}); });
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  EXPECT_TRUE(r.stats.balanced());
  return *log;
}

TEST(FaithfulTime, ASlowHandlersReplyLeavesWhenItsServiceTimeEnds) {
  const ClientLog log = ask_once(true);
  ASSERT_EQ(log.seen.size(), 2u);
  EXPECT_EQ(log.seen[0], std::make_pair(std::string("timeout"), at(100ms)));
  EXPECT_EQ(log.seen[1], std::make_pair(std::string("reply"), at(300ms)));
}

TEST(FaithfulTime, TheServiceModelSeesTheMessage) {
  const ClientLog log = ask_once(false);
  ASSERT_EQ(log.seen.size(), 2u);
  EXPECT_EQ(log.seen[0], std::make_pair(std::string("reply"), at(1ms)));
  EXPECT_EQ(log.seen[1], std::make_pair(std::string("timeout"), at(100ms)));
}

TEST(FaithfulTime, AModelThatDoesNotKnowTheMessageTypeSeesNone) {
  bool saw_int = false;
  bool saw_other = false;
  Simulation sim{{.service_time = ServiceTime::per_message(
                      [&](const ResumableInfo&, const PendingMessage& m, Prng&) {
                        saw_int = saw_int || m.as<int>() != nullptr;
                        saw_other = saw_other || m.as<Request>() != nullptr;
                        return -5ms;  // negative: no time, never time backwards
                      })}};
  auto a = sim.system().spawn("a", Props<int>::from_function([](Context<int>&, int&) {})).value();
  (void)a.tell(1);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed);
  EXPECT_TRUE(saw_int);
  EXPECT_FALSE(saw_other);
  EXPECT_EQ(sim.scheduler().now(), at(0ms));
}

/// Works `work` then forwards each message to `to` (if any); records its
/// own times.
Props<int> worker(Duration work, std::shared_ptr<ActorRef<int>> to,
                  std::shared_ptr<std::vector<TimePoint>> handled) {
  return Props<int>::from_function([=](Context<int>& ctx, int& m) {
    handled->push_back(ctx.now());
    ctx.work(work);
    if (to) (void)to->tell(m);
  });
}

TEST(FaithfulTime, WorkDelaysWhatTheHandlerSendsAfterItAndItsNextMessage) {
  Simulation sim;
  auto sink_times = std::make_shared<std::vector<TimePoint>>();
  auto worker_times = std::make_shared<std::vector<TimePoint>>();
  auto sink = sim.system().spawn("sink", worker(0ms, nullptr, sink_times)).value();
  auto w = sim.system()
               .spawn("w", worker(50ms, std::make_shared<ActorRef<int>>(sink), worker_times))
               .value();
  (void)w.tell(1);
  (void)w.tell(2);
  // While the first send is held, it counts as sent and queued.
  sim.run_until(at(10ms));
  EXPECT_EQ(sim.system().stats().queued, 2u);  // w's second message, the held send
  EXPECT_TRUE(sim.system().stats().balanced());
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  EXPECT_EQ(*worker_times, (std::vector<TimePoint>{at(0ms), at(50ms)}));
  EXPECT_EQ(*sink_times, (std::vector<TimePoint>{at(50ms), at(100ms)}));
  EXPECT_TRUE(r.stats.balanced());
  EXPECT_EQ(r.stats.dead_letters(), 0u);
}

TEST(FaithfulTime, ATimerArmedAfterWorkStartsWhenTheWorkEnds) {
  Simulation sim;
  std::vector<TimePoint> got;
  auto a = sim.system()
               .spawn("a", Props<int>::from_function([&](Context<int>& ctx, int& m) {
                        got.push_back(ctx.now());
                        if (m == 0) {
                          ctx.work(20ms);
                          ctx.schedule_once(5ms, 1);
                        }
                      }))
               .value();
  (void)a.tell(0);
  sim.run();
  EXPECT_EQ(got, (std::vector<TimePoint>{at(0ms), at(25ms)}));
}

TEST(FaithfulTime, WorkOutsideItsRangeFailsTheHandlerWithAClearError) {
  for (const Duration bad : {Duration(-1), Duration::max(), Duration(kMaxWork + 1ns)}) {
    Simulation sim;
    auto a = sim.system()
                 .spawn("a", Props<int>::from_function([bad](Context<int>& ctx, int&) {
                               ctx.work(bad);
                             }).restart({.max_restarts = 5, .within = 1s}))
                 .value();
    (void)a.tell(1);
    const auto r = sim.run();
    EXPECT_EQ(r.stats.dead_letters(DeadLetterReason::handler_failed), 1u);
    bool named = false;
    for (const auto& e : sim.recorder().events()) {
      named = named ||
              (e.kind == EventKind::failed && e.detail.find("Context::work") != std::string::npos);
    }
    EXPECT_TRUE(named) << bad.count();
    EXPECT_EQ(sim.scheduler().now(), at(0ms));
  }
}

TEST(FaithfulTime, AStopDuringServiceIsTakenWhenTheServiceEndsAndNothingIsLost) {
  Simulation sim{{.service_time = ServiceTime::fixed(10ms)}};
  int handled = 0;
  auto a = sim.system()
               .spawn("a", Props<int>::from_function([&](Context<int>&, int&) { ++handled; }))
               .value();
  for (int i = 0; i < 5; ++i) (void)a.tell(i);
  sim.run_until(at(15ms));
  EXPECT_EQ(handled, 1);
  sim.system().stop(a);
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  EXPECT_TRUE(r.stats.balanced());
  EXPECT_EQ(r.stats.processed + r.stats.dead_letters(), 5u);
}

}  // namespace
}  // namespace troupe::sim
