// An actor: state in members, behaviour in receive, lifecycle in hooks. The
// runtime calls one hook at a time per actor, so members need no locks. A
// handler fails by throwing; its supervisor then decides what happens.
#pragma once

#include <functional>
#include <utility>

#include "troupe/failure.hpp"

namespace troupe {

template <class M>
class Context;

template <class M>
class Actor {
 public:
  virtual ~Actor() = default;

  /// Handles one message.
  virtual void receive(Context<M>& ctx, M& message) = 0;

  /// Runs before the first message, and again in each fresh instance after a restart.
  virtual void pre_start(Context<M>& /*ctx*/) {}
  /// Runs once the actor and all its children have stopped.
  virtual void post_stop(Context<M>& /*ctx*/) {}
  /// Runs on the failed instance just before it is replaced.
  virtual void pre_restart(Context<M>& /*ctx*/, const Failure& /*failure*/) {}
  /// A watched actor has stopped (see Context::watch).
  virtual void on_terminated(Context<M>& /*ctx*/, const Terminated& /*terminated*/) {}
};

/// A stateless actor made of one function.
template <class M>
class FunctionActor final : public Actor<M> {
 public:
  using Handler = std::function<void(Context<M>&, M&)>;
  explicit FunctionActor(Handler handler) : handler_(std::move(handler)) {}
  void receive(Context<M>& ctx, M& message) override { handler_(ctx, message); }

 private:
  Handler handler_;
};

}  // namespace troupe
