// Behaviours: an actor can change how it handles its next messages
// (ctx.become), and go back (ctx.unbecome). While the behaviour stack is not
// empty, its top handles each message instead of the actor's `receive`.
//
//   ctx.become([this](Context<Msg>& c, Msg& m) { open(c, m); });  // replaces the top
//   ctx.become(half_open, Become::push);                          // pushes
//   ctx.unbecome();                                               // pops; empty: back to receive
//
// A restart clears the stack: the fresh instance starts in `receive`.
#pragma once

#include <cstdint>
#include <functional>

namespace troupe {

template <class M>
class Context;

/// A message handler an actor can switch to.
template <class M>
using Behaviour = std::function<void(Context<M>&, M&)>;

/// How ctx.become treats the behaviour on top of the stack.
enum class Become : std::uint8_t {
  replace,  ///< the new behaviour replaces the top (Akka's default: the stack never grows)
  push,     ///< the new behaviour goes on top; unbecome returns to the one below
};

/// The deepest behaviour stack an actor may build: a limit on everything.
inline constexpr std::size_t kMaxBehaviourDepth = 1024;

}  // namespace troupe
