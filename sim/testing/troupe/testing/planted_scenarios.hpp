// Scenarios with planted defects, for tests only (never registered by the
// library): a deadlock, a livelock and a relay that loses work. Tests call
// register_planted_scenarios() and then run "test-deadlock", "test-livelock"
// or "test-lossy" like any scenario, in process or through run_troupe.
#pragma once

#include <memory>

#include "troupe/sim/scenario.hpp"

namespace troupe::sim::planted {

using namespace std::chrono_literals;

inline constexpr std::uint64_t kJob = 0;
inline constexpr std::uint64_t kAsk = 1;
inline constexpr std::uint64_t kReply = 2;

/// Before it can do a job, it asks its peer, which replies unless it is
/// itself waiting for a reply: two of them given a job each wait forever.
/// A ref to another actor that the World owns: an actor holding a strong
/// one to its peer would make a cycle that keeps both cells alive.
using Peer = std::weak_ptr<ActorRef<std::uint64_t>>;

inline void tell(const Peer& peer, std::uint64_t m) {
  if (const auto ref = peer.lock()) (void)ref->tell(m);
}

class Polite : public Actor<std::uint64_t> {
 public:
  Polite(Peer peer, std::shared_ptr<std::uint64_t> done)
      : peer_(std::move(peer)), done_(std::move(done)) {}
  void receive(Context<std::uint64_t>&, std::uint64_t& m) override {
    if (m == kJob) {
      waiting_ = true;
      tell(peer_, kAsk);
    } else if (m == kAsk) {
      if (waiting_) ++held_asks_;  // answered once its own reply came
      if (!waiting_) tell(peer_, kReply);
    } else {
      ++*done_;
      waiting_ = false;
      for (; held_asks_ > 0; --held_asks_) tell(peer_, kReply);
    }
  }

 private:
  Peer peer_;
  std::shared_ptr<std::uint64_t> done_;
  bool waiting_ = false;
  std::uint64_t held_asks_ = 0;
};

inline World deadlock(Stage& sim, const Params&) {
  auto to_a = std::make_shared<ActorRef<std::uint64_t>>();
  auto to_b = std::make_shared<ActorRef<std::uint64_t>>();
  auto done = std::make_shared<std::uint64_t>(0);
  *to_a = sim.system().spawn("a", Props<std::uint64_t>::of<Polite>(Peer(to_b), done)).value();
  *to_b = sim.system().spawn("b", Props<std::uint64_t>::of<Polite>(Peer(to_a), done)).value();
  // One job to each at the same instant: each asks the other first.
  sim.add(Workload{Arrivals::constant(1ms, 1), [to_a, to_b](std::uint64_t) {
                     (void)to_b->tell(kJob);
                     return to_a->tell(kJob);
                   }});
  World world;
  world.finished = [done, to_a, to_b] {  // the World owns the refs
    (void)to_a;
    (void)to_b;
    return *done == 2;
  };
  return world;
}

/// Passes a ball back and forth forever, in no virtual time.
inline World livelock(Stage& sim, const Params&) {
  auto to_a = std::make_shared<ActorRef<std::uint64_t>>();
  auto to_b = std::make_shared<ActorRef<std::uint64_t>>();
  const auto bounce = [](Peer to) {
    return Props<std::uint64_t>::from_function(
        [to](Context<std::uint64_t>&, std::uint64_t& n) { tell(to, n + 1); });
  };
  *to_a = sim.system().spawn("ping", bounce(to_b)).value();
  *to_b = sim.system().spawn("pong", bounce(to_a)).value();
  sim.add(Workload::to<std::uint64_t>(*to_a, Arrivals::constant(1ms, 1),
                                      [](std::uint64_t) { return std::uint64_t{0}; }));
  World world;
  world.finished = [to_a, to_b] {  // the World owns the refs; never finishes
    (void)to_a;
    (void)to_b;
    return false;
  };
  return world;
}

/// Forwards every item to a sink but silently drops every tenth: the
/// conservation law holds (the drop is a handled message), the work is lost.
inline World lossy(Stage& sim, const Params&) {
  auto reached = std::make_shared<std::uint64_t>(0);
  auto emitted = std::make_shared<std::uint64_t>(0);
  auto sink =
      sim.system()
          .spawn("sink", Props<std::uint64_t>::from_function(
                             [reached](Context<std::uint64_t>&, std::uint64_t&) { ++*reached; }))
          .value();
  auto relay = sim.system()
                   .spawn("relay", Props<std::uint64_t>::from_function(
                                       [sink](Context<std::uint64_t>&, std::uint64_t& n) {
                                         if (n % 10 != 9) (void)sink.tell(n);
                                       }))
                   .value();
  sim.add(Workload{Arrivals::constant(1ms, 50), [relay, emitted](std::uint64_t i) {
                     ++*emitted;
                     return relay.tell(i);
                   }});
  World world;
  world.finished = [&sim] { return sim.emitted(0) == 50 && sim.system().quiescent(); };
  world.work = [emitted, reached] {
    return WorkLedger{.emitted = *emitted, .reached_end = *reached};
  };
  return world;
}

inline void register_planted_scenarios() {
  static const bool done = [] {
    const auto no_faults = [](const Params&) { return FaultPlan{}; };
    register_scenario({.name = "test-deadlock",
                       .description = "two actors waiting on each other",
                       .params = {},
                       .faults = no_faults,
                       .settings = [](const Params&) { return SimSettings{}; },
                       .build = deadlock});
    register_scenario({.name = "test-livelock",
                       .description = "two actors busy forever",
                       .params = {},
                       .faults = no_faults,
                       .settings = [](const Params&) { return SimSettings{.max_steps = 3000}; },
                       .build = livelock});
    register_scenario({.name = "test-lossy",
                       .description = "a relay that drops every tenth item",
                       .params = {},
                       .faults = no_faults,
                       .settings = [](const Params&) { return SimSettings{}; },
                       .build = lossy});
    return true;
  }();
  (void)done;
}

}  // namespace troupe::sim::planted
