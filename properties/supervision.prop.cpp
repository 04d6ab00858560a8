// Supervision policies, checked against simple oracles over generated worlds:
// the restart budget, all_for_one, escalation and backoff.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <variant>
#include <vector>

#include "world.hpp"

namespace troupe::props {
namespace {

struct Ping {};
struct Fail {};
using Msg = std::variant<Ping, Fail>;

Props<Msg> failing_on_fail() {
  return Props<Msg>::from_function([](Context<Msg>&, Msg& m) {
    if (std::holds_alternative<Fail>(m)) throw std::runtime_error("fail");
  });
}

// --- the restart budget ------------------------------------------------------

struct BudgetWorld {
  SimWorld sim;
  int max_restarts = 0;
  int window_ms = 1;
  std::vector<int> gaps_ms;  // between failures
};

std::ostream& operator<<(std::ostream& os, const BudgetWorld& w) {
  os << w.sim << " max_restarts=" << w.max_restarts << " within=" << w.window_ms << "ms gaps=[";
  for (int g : w.gaps_ms) os << g << " ";
  return os << "]";
}

rc::Gen<BudgetWorld> gen_budget_world() {
  return rc::gen::build<BudgetWorld>(
      rc::gen::set(&BudgetWorld::sim, gen_sim_world()),
      rc::gen::set(&BudgetWorld::max_restarts, rc::gen::inRange(0, 5)),
      rc::gen::set(&BudgetWorld::window_ms, rc::gen::inRange(10, 2000)),
      rc::gen::set(&BudgetWorld::gaps_ms,
                   rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 800))));
}

struct BudgetOutcome {
  std::size_t restarts = 0;
  bool stopped = false;
  bool operator==(const BudgetOutcome&) const = default;
};

/// The oracle: restart unless max_restarts restarts already happened in the
/// window (t - W, t]; the first failure beyond that stops the actor.
BudgetOutcome expected_outcome(const BudgetWorld& w) {
  BudgetOutcome out;
  std::vector<int> restarts_at;
  int t = 0;
  for (int gap : w.gaps_ms) {
    t += gap;
    const auto recent = std::count_if(restarts_at.begin(), restarts_at.end(),
                                      [&](int r) { return r > t - w.window_ms; });
    if (recent >= w.max_restarts) {
      out.stopped = true;
      return out;
    }
    restarts_at.push_back(t);
    ++out.restarts;
  }
  return out;
}

/// Runs the world; `budget_seam` is how the world's budget reaches the engine
/// (identity in the real property, broken in the planted-defect test).
BudgetOutcome run_budget_world(const BudgetWorld& w, const std::function<int(int)>& budget_seam) {
  sim::Simulation sim{{.seed = w.sim.seed, .strategy = w.sim.strategy}};
  auto ref = sim.system()
                 .spawn("w", failing_on_fail().restart({.max_restarts = budget_seam(w.max_restarts),
                                                        .within = ms(w.window_ms)}))
                 .value();
  std::vector<sim::Workload::Scripted<Msg>> script;
  int t = 0;
  for (int gap : w.gaps_ms) {
    t += gap;
    script.push_back({ms(t), ref, Fail{}});
  }
  sim.add(sim::Workload::script(std::move(script)));
  const auto r = sim.run();
  RC_ASSERT(r.stats.balanced());
  BudgetOutcome out;
  for (const auto& e : r.events) out.restarts += e.kind == EventKind::restarted ? 1 : 0;
  out.stopped = !ref.alive();
  return out;
}

void budget_property(const std::function<int(int)>& seam) {
  const auto world = *gen_budget_world();
  RC_ASSERT(run_budget_world(world, seam) == expected_outcome(world));
}

RC_GTEST_PROP(SupervisionProperties, StopsExactlyWhenTheBudgetIsExceeded, ()) {
  budget_property([](int n) { return n; });
}

TEST(SupervisionProperties, CatchesAnOffByOneRestartBudget) {
  BudgetWorld last_failing;
  const auto failure = find_failure([&] {
    const auto world = *gen_budget_world();
    const bool ok = run_budget_world(world, [](int n) { return n + 1; }) == expected_outcome(world);
    if (!ok) last_failing = world;
    RC_ASSERT(ok);
  });
  ASSERT_TRUE(failure.has_value()) << "the planted off-by-one went unnoticed";
  // Shrunk to the smallest world that shows it: N + 1 failures in one window.
  EXPECT_LE(last_failing.max_restarts, 1);
  EXPECT_EQ(last_failing.gaps_ms.size(), static_cast<std::size_t>(last_failing.max_restarts) + 1);
}

// --- all_for_one, one_for_one and escalation ----------------------------------

struct TreeWorld {
  SimWorld sim;
  int children = 2;
  int failing = 0;
  bool all_for_one = false;
  bool escalate = false;
};

std::ostream& operator<<(std::ostream& os, const TreeWorld& w) {
  return os << w.sim << " children=" << w.children << " failing=" << w.failing
            << " all_for_one=" << w.all_for_one << " escalate=" << w.escalate;
}

rc::Gen<TreeWorld> gen_tree_world() {
  return rc::gen::mapcat(rc::gen::inRange(1, 6), [](int children) {
    return rc::gen::build<TreeWorld>(
        rc::gen::set(&TreeWorld::sim, gen_sim_world()),
        rc::gen::set(&TreeWorld::children, rc::gen::just(children)),
        rc::gen::set(&TreeWorld::failing, rc::gen::inRange(0, children)),
        rc::gen::set(&TreeWorld::all_for_one), rc::gen::set(&TreeWorld::escalate));
  });
}

class Parent : public Actor<int> {
 public:
  Parent(int children, bool escalate) : children_(children), escalate_(escalate) {}
  void pre_start(Context<int>& ctx) override {
    refs_.clear();
    for (int i = 0; i < children_; ++i) {
      auto props = failing_on_fail();
      if (escalate_) props.decider([](const Failure&) { return Directive::escalate; });
      refs_.push_back(ctx.spawn(std::string("c").append(std::to_string(i)), props).value());
    }
  }
  void receive(Context<int>&, int& i) override {
    (void)refs_.at(static_cast<std::size_t>(i)).tell(Fail{});
  }

 private:
  int children_;
  bool escalate_;
  std::vector<ActorRef<Msg>> refs_;
};

RC_GTEST_PROP(SupervisionProperties, ScopeDecidesWhoRestartsAndEscalationReachesTheParent, ()) {
  const auto w = *gen_tree_world();
  sim::Simulation sim{{.seed = w.sim.seed, .strategy = w.sim.strategy}};
  auto parent = sim.system()
                    .spawn("p", Props<int>::of<Parent>(w.children, w.escalate)
                                    .supervise_children(w.all_for_one ? Scope::all_for_one
                                                                      : Scope::one_for_one))
                    .value();
  sim.run();
  (void)parent.tell(w.failing);
  const auto r = sim.run();
  std::multiset<std::string> restarted;
  std::multiset<std::string> failed;
  for (const auto& e : r.events) {
    if (e.kind == EventKind::restarted) restarted.insert(e.path);
    if (e.kind == EventKind::failed) failed.insert(e.path);
  }
  if (w.escalate) {
    // The parent fails and restarts once; its children are rebuilt, not restarted.
    RC_ASSERT(restarted == std::multiset<std::string>{"/p"});
    RC_ASSERT(failed.count("/p") == 1u);
  } else if (w.all_for_one) {
    std::multiset<std::string> all;
    for (int i = 0; i < w.children; ++i) all.insert("/p/c" + std::to_string(i));
    RC_ASSERT(restarted == all);
  } else {
    RC_ASSERT(restarted == std::multiset<std::string>{"/p/c" + std::to_string(w.failing)});
  }
  RC_ASSERT(r.stats.balanced());
}

// --- backoff ----------------------------------------------------------------------

struct BackoffWorld {
  SimWorld sim;
  int min_ms = 1;
  int max_factor = 1;  // max = min * max_factor
  int factor_tenths = 10;
  int jitter_percent = 0;
  int failures = 1;
};

std::ostream& operator<<(std::ostream& os, const BackoffWorld& w) {
  return os << w.sim << " min=" << w.min_ms << "ms max=" << w.min_ms * w.max_factor
            << "ms factor=" << w.factor_tenths / 10.0 << " jitter=" << w.jitter_percent
            << "% failures=" << w.failures;
}

RC_GTEST_PROP(SupervisionProperties, BackoffGrowsByItsFactorWithinItsBoundsAndJitter, ()) {
  const auto w = *rc::gen::build<BackoffWorld>(
      rc::gen::set(&BackoffWorld::sim, gen_sim_world()),
      rc::gen::set(&BackoffWorld::min_ms, rc::gen::inRange(1, 200)),
      rc::gen::set(&BackoffWorld::max_factor, rc::gen::inRange(1, 20)),
      rc::gen::set(&BackoffWorld::factor_tenths, rc::gen::inRange(10, 40)),
      rc::gen::set(&BackoffWorld::jitter_percent, rc::gen::inRange(0, 101)),
      rc::gen::set(&BackoffWorld::failures, rc::gen::inRange(1, 8)));
  const Backoff backoff{.min = ms(w.min_ms),
                        .max = ms(w.min_ms * w.max_factor),
                        .factor = w.factor_tenths / 10.0,
                        .jitter = w.jitter_percent / 100.0};
  sim::Simulation sim{{.seed = w.sim.seed, .strategy = w.sim.strategy}};
  auto ref =
      sim.system()
          .spawn("w",
                 failing_on_fail().restart({.max_restarts = 100, .within = 1h}).backoff(backoff))
          .value();
  for (int i = 0; i < w.failures; ++i) (void)ref.tell(Fail{});
  const auto r = sim.run();
  std::vector<std::int64_t> delays;
  std::vector<TimePoint> failed_at, restarted_at;
  for (const auto& e : r.events) {
    if (e.kind == EventKind::restart_scheduled) delays.push_back(e.value);
    if (e.kind == EventKind::failed) failed_at.push_back(e.time);
    if (e.kind == EventKind::restarted) restarted_at.push_back(e.time);
  }
  RC_ASSERT(delays.size() == static_cast<std::size_t>(w.failures));
  RC_ASSERT(restarted_at.size() == delays.size());
  const double min_ns = static_cast<double>(backoff.min.count());
  const double max_ns = static_cast<double>(backoff.max.count());
  for (std::size_t k = 0; k < delays.size(); ++k) {
    const double d = static_cast<double>(delays[k]);
    const double base = std::min(max_ns, min_ns * std::pow(backoff.factor, static_cast<double>(k)));
    RC_ASSERT(d >= min_ns - 1 && d <= max_ns + 1);
    RC_ASSERT(d >= base - 1);
    RC_ASSERT(d <= std::min(max_ns, base * (1 + backoff.jitter)) + 1);
    // And the restart really waits that long on the virtual clock.
    RC_ASSERT((restarted_at[k] - failed_at[k]).count() == delays[k]);
  }
}

}  // namespace
}  // namespace troupe::props
