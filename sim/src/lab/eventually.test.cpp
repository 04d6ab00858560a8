// Liveness properties (World::eventually): checked in a convergence phase
// once the workload is finished, with the faults switched off. A property
// that holds passes, one that never holds fails under its own name, and the
// edges (no time at all, unbounded time, a property that throws, a badly
// declared one) give a verdict or a clear error, never a hang.
#include "troupe/sim/eventually.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <variant>

#include "troupe/sim/replay.hpp"
#include "troupe/sim/scenario_run.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

struct Call {
  std::uint64_t id;
};
struct Answer {
  std::uint64_t id;
};
struct Retry {
  std::uint64_t id;
};
using ClientMsg = std::variant<Call, Answer, Retry>;
struct Ask {
  std::uint64_t id;
  ActorRef<ClientMsg> reply_to;
};

struct Answers {
  std::set<std::uint64_t> ids;
};

/// Asks the server for each call and, with `retry`, asks again every 50 ms
/// until answered.
class Client : public Actor<ClientMsg> {
 public:
  Client(ActorRef<Ask> server, bool retry, std::shared_ptr<Answers> answers)
      : server_(std::move(server)), retry_(retry), answers_(std::move(answers)) {}
  void receive(Context<ClientMsg>& ctx, ClientMsg& msg) override {
    if (const auto* answer = std::get_if<Answer>(&msg)) {
      answers_->ids.insert(answer->id);
      return;
    }
    const std::uint64_t id =
        std::holds_alternative<Call>(msg) ? std::get<Call>(msg).id : std::get<Retry>(msg).id;
    if (answers_->ids.contains(id)) return;
    (void)server_.tell(Ask{id, ctx.self()});
    if (retry_) ctx.schedule_once(50ms, Retry{id});
  }

 private:
  ActorRef<Ask> server_;
  bool retry_;
  std::shared_ptr<Answers> answers_;
};

bool on(const Params& p, const char* name) {
  return p.at(name) != 0;
}

/// Three calls, Poisson at 100/s (a seed changes the run); "every_call_answered" within `within_ms`
/// (or ever, with forever=1).
World retry_world(Stage& sim, const Params& p) {
  auto answers = std::make_shared<Answers>();
  const bool deaf = on(p, "deaf");
  const auto server =
      sim.system()
          .spawn("server", Props<Ask>::from_function([deaf](Context<Ask>&, Ask& ask) {
                             if (!deaf) (void)ask.reply_to.tell(Answer{ask.id});
                           })
                               .restart({.max_restarts = 100000, .within = 1ms})
                               .backoff({.min = 1ms, .max = 1ms})
                               .kind("server"))
          .value();
  const auto client =
      sim.system()
          .spawn("client", Props<ClientMsg>::of<Client>(server, on(p, "retry"), answers))
          .value();
  constexpr std::uint64_t kCalls = 3;
  sim.add(Workload::to<ClientMsg>(client, Arrivals::poisson(100.0, kCalls),
                                  [](std::uint64_t i) { return Call{i}; }));
  World world;
  world.finished = [&sim] { return sim.emitted(0) == kCalls; };
  const bool throws = on(p, "throws");
  const Duration within = on(p, "forever")
                              ? Duration::max()
                              : std::chrono::duration_cast<Duration>(
                                    std::chrono::duration<double, std::milli>(p.at("within_ms")));
  world.eventually.push_back({.name = "every_call_answered",
                              .holds =
                                  [answers, throws] {
                                    if (throws) throw std::runtime_error("broken property");
                                    return answers->ids.size() == kCalls;
                                  },
                              .within = within});
  const auto bad = static_cast<int>(p.at("bad"));
  if (bad == 1) world.eventually.front().name.clear();
  if (bad == 2) world.eventually.front().holds = nullptr;
  if (bad == 3) world.eventually.front().within = -1ms;
  if (bad == 4) world.eventually.push_back(world.eventually.front());
  return world;
}

void register_retry() {
  static const bool done = [] {
    register_scenario(
        {.name = "test-retry",
         .description = "a client that asks a server, with a liveness property",
         .params = {{"crash_probability", 0, 0, 1, "chance the server's handler crashes"},
                    {"service_ms", 0, 0, 1000, "the server's service time"},
                    {"deaf", 0, 0, 1, "1: the server never answers", false, true},
                    {"retry", 0, 0, 1, "1: the client asks again every 50 ms", false, true},
                    {"within_ms", 1000, 0, 3600000, "the property's time"},
                    {"forever", 0, 0, 1, "1: the property's time is Duration::max()", false, true},
                    {"throws", 0, 0, 1, "1: the property throws", false, true},
                    {"bad", 0, 0, 4, "1-4: a badly declared property", false, true}},
         .faults =
             [](const Params& p) {
               FaultPlan plan;
               if (p.at("crash_probability") > 0) {
                 plan.crash_with_probability(p.at("crash_probability"), "/server");
               }
               return plan;
             },
         .settings =
             [](const Params& p) {
               const auto service = std::chrono::duration_cast<Duration>(
                   std::chrono::duration<double, std::milli>(p.at("service_ms")));
               // A short time budget: a property given for ever ends there.
               return SimSettings{
                   .service_time = ServiceTime::per_kind({{"server", ServiceTime::fixed(service)}},
                                                         ServiceTime::zero()),
                   .max_time = 60s};
             },
         .build = retry_world});
    return true;
  }();
  (void)done;
}

RunReport run(Params params, std::uint64_t seed = 1) {
  register_retry();
  return run_scenario({.scenario = "test-retry", .params = std::move(params), .seed = seed});
}

TEST(Eventually, APropertyThatHoldsPasses) {
  const RunReport r = run({});
  EXPECT_TRUE(r.passed()) << r.outcome() << " " << r.violation->detail;
}

TEST(Eventually, APropertyThatNeverHoldsFailsUnderItsName) {
  const RunReport r = run({{"deaf", 1}, {"retry", 1}});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "eventually:every_call_answered");
  EXPECT_NE(r.violation->detail.find("did not hold within 1000ms"), std::string::npos)
      << r.violation->detail;
  EXPECT_EQ(r.outcome(), "fail: eventually:every_call_answered");
}

TEST(Eventually, FaultsStopForTheConvergencePhase) {
  // Every handler of the server crashes while faults are on: only the
  // retries after they stop can be answered.
  const RunReport r = run({{"crash_probability", 1}, {"retry", 1}});
  EXPECT_TRUE(r.passed()) << r.outcome() << " " << r.violation->detail;
  EXPECT_GT(r.result.faults, 0u);
  const RunReport without_retry = run({{"crash_probability", 1}});
  ASSERT_FALSE(without_retry.passed());
  EXPECT_EQ(without_retry.violation->invariant, "eventually:every_call_answered");
}

TEST(Eventually, TheBuiltInSlowTimeoutScenarioDeclaresOneThatHolds) {
  // Every call is answered or times out within a second of the last one.
  const RunReport r = run_scenario({.scenario = "bug-slow-timeout", .params = {{"fixed", 1}}});
  EXPECT_TRUE(r.passed()) << r.outcome() << " " << r.violation->detail;
}

TEST(Eventually, ARunWithAConvergencePhaseReplaysExactly) {
  register_retry();
  RunReport report;
  const Trace trace = record_run(
      {.scenario = "test-retry", .params = {{"crash_probability", 0.5}, {"retry", 1}}, .seed = 4},
      &report);
  EXPECT_TRUE(report.passed()) << report.outcome();
  const ReplayResult replay = replay_trace(trace);
  EXPECT_TRUE(replay.matches) << replay.outcome;
}

TEST(Eventually, WithinZeroMeansByTheEndOfThatInstant) {
  EXPECT_TRUE(run({{"within_ms", 0}}).passed());  // answered in no virtual time
}

TEST(Eventually, WithinZeroFailsWhenTheAnswerNeedsTime) {
  const RunReport r = run({{"within_ms", 0}, {"crash_probability", 1}, {"retry", 1}});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "eventually:every_call_answered");
  EXPECT_NE(r.violation->detail.find("within 0ms"), std::string::npos) << r.violation->detail;
}

TEST(Eventually, ForeverEndsWhenNothingIsLeftToRun) {
  const RunReport r = run({{"forever", 1}, {"deaf", 1}});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "eventually:every_call_answered");
  EXPECT_NE(r.violation->detail.find("never held: nothing was left to run"), std::string::npos)
      << r.violation->detail;
}

TEST(Eventually, ForeverEndsAtTheTimeBudgetWhenSomethingRunsForever) {
  register_retry();
  const RunReport r = run_scenario(
      {.scenario = "test-retry", .params = {{"forever", 1}, {"deaf", 1}, {"retry", 1}}});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "eventually:every_call_answered");
  EXPECT_NE(r.violation->detail.find("exceeded its budget"), std::string::npos)
      << r.violation->detail;
}

TEST(Eventually, APropertyThatThrowsFailsUnderItsNameWithTheMessage) {
  const RunReport r = run({{"throws", 1}});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "eventually:every_call_answered");
  EXPECT_NE(r.violation->detail.find("the property threw: broken property"), std::string::npos)
      << r.violation->detail;
}

TEST(Eventually, ABadlyDeclaredPropertyIsAClearError) {
  for (const double bad : {1, 2, 3, 4}) {
    try {
      run({{"bad", bad}});
      ADD_FAILURE() << "bad=" << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("eventually"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace troupe::sim
