// How much virtual time handling one message costs an actor. The actor is
// busy for that long before its handler runs, so what the handler sends,
// spawns, stops or arms takes effect when the service time ends (a reply
// from a slow handler is late). While an actor is busy, others run; this is
// what makes queues build up under simulation, and pools, autoscalers and
// timeouts meaningful.
//
//   ServiceTime::fixed(2ms)
//   ServiceTime::per_kind({{"worker", ServiceTime::exponential(5ms)}}, ServiceTime::zero())
//   ServiceTime::per_message([](const ResumableInfo&, const PendingMessage& m, Prng&) {
//     const Request* r = m.as<Request>();        // the actor's message type
//     return r != nullptr && r->big ? 300ms : 1ms;
//   })
#pragma once

#include <functional>
#include <map>
#include <string>

#include "troupe/scheduler.hpp"
#include "troupe/sim/prng.hpp"
#include "troupe/time.hpp"

namespace troupe::sim {

class ServiceTime {
 public:
  using Model = std::function<Duration(const ResumableInfo&, const PendingMessage&, Prng&)>;
  using ActorModel = std::function<Duration(const ResumableInfo&, Prng&)>;

  /// No cost: the clock moves only with timers.
  static ServiceTime zero();
  static ServiceTime fixed(Duration d);
  static ServiceTime uniform(Duration lo, Duration hi);
  static ServiceTime exponential(Duration mean);
  /// A model per Props::kind, and `fallback` for every other actor.
  static ServiceTime per_kind(std::map<std::string, ServiceTime> by_kind, ServiceTime fallback);
  /// Any function of the actor and the simulator's service-time stream.
  static ServiceTime custom(ActorModel model);
  /// Any function of the actor, the message it is about to handle and the
  /// service-time stream. A negative answer counts as zero.
  static ServiceTime per_message(Model model);

  ServiceTime() : ServiceTime(zero()) {}

  Duration operator()(const ResumableInfo& actor, const PendingMessage& message, Prng& prng) const;
  bool is_zero() const { return is_zero_; }

 private:
  ServiceTime(Model model, bool is_zero) : model_(std::move(model)), is_zero_(is_zero) {}

  Model model_;
  bool is_zero_;
};

}  // namespace troupe::sim
