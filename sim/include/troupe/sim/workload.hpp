// Workloads drive a simulation from outside the actor system: an arrival
// process says when, an emitter says what and to whom. Arrivals are timers on
// the simulator's clock, drawn from the workload's own PRNG stream.
//
//   sim.add(Workload::to(pool, Arrivals::poisson(200.0, 1000),
//                        [](std::uint64_t i) { return Task{Job{int(i)}}; }));
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "troupe/actor_ref.hpp"
#include "troupe/send_result.hpp"
#include "troupe/sim/prng.hpp"
#include "troupe/time.hpp"

namespace troupe::sim {

/// When arrivals happen, as offsets from the moment the workload is added.
/// Every process has a count: a workload always ends.
class Arrivals {
 public:
  /// One arrival every `interval`, the first after one interval.
  static Arrivals constant(Duration interval, std::uint64_t count);
  /// A Poisson process: exponential gaps with mean 1 / rate.
  static Arrivals poisson(double rate_per_second, std::uint64_t count);
  /// On/off bursts: during each `on` period, arrivals every 1 / rate; then
  /// silence for `off`; repeated until `count` arrivals.
  static Arrivals bursts(Duration on, Duration off, double rate_per_second, std::uint64_t count);
  /// Exactly these offsets (sorted ascending).
  static Arrivals at(std::vector<Duration> offsets);

  std::uint64_t count() const { return count_; }
  /// The offset of arrival `index` (0-based), given the previous one.
  Duration offset(std::uint64_t index, Duration previous, Prng& prng) const;

 private:
  enum class Kind : std::uint8_t { constant, poisson, bursts, at };
  Kind kind_ = Kind::constant;
  std::uint64_t count_ = 0;
  Duration interval_{};  // constant spacing, or the spacing inside a burst
  Duration on_{};
  Duration off_{};
  Duration mean_gap_{};
  std::vector<Duration> offsets_;
};

/// An arrival process and what each arrival does.
struct Workload {
  Arrivals arrivals;
  /// Called for arrival `index`; returns what the tell returned.
  std::function<SendResult(std::uint64_t index)> emit;

  /// Tells `target` the message `make(index)` at each arrival.
  template <class M>
  static Workload to(ActorRef<M> target, Arrivals arrivals, std::function<M(std::uint64_t)> make) {
    return Workload{std::move(arrivals), [target, make = std::move(make)](std::uint64_t i) {
                      return target.tell(make(i));
                    }};
  }

  /// An explicit script: each entry at its offset, to its target.
  template <class M>
  struct Scripted {
    Duration at;
    ActorRef<M> target;
    M message;
  };
  template <class M>
  static Workload script(std::vector<Scripted<M>> entries) {
    std::vector<Duration> offsets;
    for (const auto& e : entries) offsets.push_back(e.at);
    auto shared = std::make_shared<std::vector<Scripted<M>>>(std::move(entries));
    return Workload{Arrivals::at(std::move(offsets)), [shared](std::uint64_t i) {
                      auto& e = (*shared)[i];
                      return e.target.tell(e.message);
                    }};
  }
};

/// What a workload did, for reports and tests.
struct WorkloadStats {
  std::uint64_t emitted = 0;
  std::uint64_t accepted = 0;
  std::uint64_t refused = 0;
};

}  // namespace troupe::sim
