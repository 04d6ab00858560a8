// A stateful test of the actor system API (spawn, tell, stop, watch, resize,
// shutdown) against a simple model, with rc::state: RapidCheck generates
// command sequences and shrinks a failing one to the shortest.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "world.hpp"

namespace troupe::props {
namespace {

struct ActorModel {
  bool alive = true;
  int handled = 0;
};

struct Model {
  std::map<std::string, ActorModel> actors;
  std::set<std::string> watched;          // live actors the watcher watches
  std::map<std::string, int> terminated;  // Terminated signals the watcher got
  std::size_t pool_size = 2;
  bool shut_down = false;
};

constexpr std::size_t kPoolMin = 1;
constexpr std::size_t kPoolMax = 5;

/// Counts the Terminated signals it receives, by path.
class Watcher : public Actor<ActorRef<int>> {
 public:
  explicit Watcher(std::map<std::string, int>* seen) : seen_(seen) {}
  void receive(Context<ActorRef<int>>& ctx, ActorRef<int>& target) override { ctx.watch(target); }
  void on_terminated(Context<ActorRef<int>>&, const Terminated& t) override {
    ++(*seen_)[t.path.substr(1)];
  }

 private:
  std::map<std::string, int>* seen_;
};

/// The system under test: a simulation, the actors by name, a watcher and a pool.
struct Sut {
  explicit Sut(std::uint64_t seed, bool ignore_stops)
      : sim({.seed = seed, .strategy = sim::Strategy::random}, {}, 0), ignore_stops(ignore_stops) {
    watcher = sim.system().spawn("watcher", Props<ActorRef<int>>::of<Watcher>(&terminated)).value();
    pool.emplace(Pool<int>::spawn(sim.system(), "pool",
                                  Props<int>::from_function([](Context<int>&, int&) {}),
                                  {.min = kPoolMin, .max = kPoolMax})
                     .value());
    pool->resize(2);
    sim.run();
  }
  sim::Simulation sim;
  bool ignore_stops;  // the planted defect's seam
  std::map<std::string, ActorRef<int>> refs;
  std::map<std::string, int> handled;
  std::map<std::string, int> terminated;
  ActorRef<ActorRef<int>> watcher;
  std::optional<Pool<int>> pool;
};

void settle_and_compare(const Model& m, Sut& s) {
  s.sim.run();
  // At shutdown the watcher may stop before what it watches: not compared then.
  if (!m.shut_down) RC_ASSERT(s.terminated == m.terminated);
  for (const auto& [name, actor] : m.actors) {
    RC_ASSERT(s.handled[name] == actor.handled);
    RC_ASSERT(s.refs.at(name).alive() == actor.alive);
  }
  if (!m.shut_down) RC_ASSERT(s.pool->size() == m.pool_size);
  RC_ASSERT(s.sim.system().stats().balanced());
}

rc::Gen<std::string> gen_name() {
  return rc::gen::element<std::string>("a", "b", "c");
}

struct Spawn : rc::state::Command<Model, Sut> {
  std::string name = *gen_name();
  void apply(Model& m) const override {
    if (m.shut_down) return;
    auto it = m.actors.find(name);
    if (it != m.actors.end() && it->second.alive) return;  // a duplicate: refused
    m.actors[name] = ActorModel{true, it == m.actors.end() ? 0 : it->second.handled};
    m.watched.erase(name);  // a new actor under an old name is not watched
  }
  void run(const Model& m, Sut& s) const override {
    auto& handled = s.handled[name];
    auto r = s.sim.system().spawn(
        name, Props<int>::from_function([&handled](Context<int>&, int&) { ++handled; }));
    const auto it = m.actors.find(name);
    const bool expect_ok = !m.shut_down && (it == m.actors.end() || !it->second.alive);
    RC_ASSERT(r.ok() == expect_ok);
    if (!r.ok()) {
      RC_ASSERT(r.error().code ==
                (m.shut_down ? ErrorCode::system_shutting_down : ErrorCode::duplicate_name));
    } else {
      s.refs.insert_or_assign(name, r.value());
    }
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "spawn " << name; }
};

struct Tell : rc::state::Command<Model, Sut> {
  std::string name = *gen_name();
  int count = *rc::gen::inRange(1, 5);
  void checkPreconditions(const Model& m) const override { RC_PRE(m.actors.count(name) == 1u); }
  void apply(Model& m) const override {
    auto& a = m.actors.at(name);
    if (a.alive && !m.shut_down) a.handled += count;
  }
  void run(const Model& m, Sut& s) const override {
    const bool live = m.actors.at(name).alive && !m.shut_down;
    for (int i = 0; i < count; ++i) {
      RC_ASSERT(s.refs.at(name).tell(i) ==
                (live ? SendResult::accepted : SendResult::actor_stopped));
    }
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "tell " << name << " x" << count; }
};

struct Stop : rc::state::Command<Model, Sut> {
  std::string name = *gen_name();
  void checkPreconditions(const Model& m) const override { RC_PRE(m.actors.count(name) == 1u); }
  void apply(Model& m) const override {
    auto& a = m.actors.at(name);
    if (a.alive && m.watched.erase(name) == 1) ++m.terminated[name];
    a.alive = false;
  }
  void run(const Model& m, Sut& s) const override {
    if (!s.ignore_stops) s.sim.system().stop(s.refs.at(name));
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "stop " << name; }
};

struct Watch : rc::state::Command<Model, Sut> {
  std::string name = *gen_name();
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.actors.count(name) == 1u && !m.shut_down);
  }
  void apply(Model& m) const override {
    // Watching twice is one watch; watching a stopped actor is answered at once.
    if (m.actors.at(name).alive) {
      m.watched.insert(name);
    } else {
      ++m.terminated[name];
    }
  }
  void run(const Model& m, Sut& s) const override {
    RC_ASSERT(s.watcher.tell(s.refs.at(name)) == SendResult::accepted);
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "watch " << name; }
};

struct Resize : rc::state::Command<Model, Sut> {
  std::size_t to = *rc::gen::inRange<std::size_t>(0, kPoolMax + 3);
  void apply(Model& m) const override {
    if (!m.shut_down) m.pool_size = std::clamp(to, kPoolMin, kPoolMax);
  }
  void run(const Model& m, Sut& s) const override {
    s.pool->resize(to);
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "resize " << to; }
};

struct Shutdown : rc::state::Command<Model, Sut> {
  void apply(Model& m) const override {
    m.shut_down = true;
    for (auto& [name, a] : m.actors) a.alive = false;
  }
  void run(const Model& m, Sut& s) const override {
    const auto report = s.sim.system().shutdown(10s);
    RC_ASSERT(report.deadline_met);
    Model next = m;
    apply(next);
    settle_and_compare(next, s);
  }
  void show(std::ostream& os) const override { os << "shutdown"; }
};

void model_property(bool ignore_stops) {
  const auto seed = *gen_seed();
  Sut sut{seed, ignore_stops};
  rc::state::check(Model{}, sut,
                   rc::state::gen::execOneOfWithArgs<Spawn, Tell, Stop, Watch, Resize, Shutdown>());
}

RC_GTEST_PROP(ModelProperties, TheSystemBehavesLikeItsModel, ()) {
  model_property(false);
}

TEST(ModelProperties, CatchesAStopThatDoesNothing) {
  const auto failure = find_failure([] { model_property(true); }, 200);
  ASSERT_TRUE(failure.has_value());
}

}  // namespace
}  // namespace troupe::props
