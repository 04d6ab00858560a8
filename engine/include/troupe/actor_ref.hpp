// ActorRef<M>: the address of an actor that handles messages of type M. A
// message of another type does not compile. A ref stays valid after its actor
// stops: telling it then yields a dead letter, never a crash.
// The member bodies are in troupe/detail/actor_ref_impl.hpp (they need the actor's
// typed cell complete).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "troupe/failure.hpp"
#include "troupe/send_result.hpp"

namespace troupe {

namespace detail {
template <class M>
class Cell;
class CellBase;
}  // namespace detail

template <class M>
class ActorRef {
 public:
  ActorRef() = default;
  explicit ActorRef(std::shared_ptr<detail::Cell<M>> cell) : cell_(std::move(cell)) {}

  /// Queues `message`; never blocks an actor. Anything but `accepted` has
  /// also been counted as a dead letter. Throws std::logic_error on an empty ref.
  SendResult tell(M message) const;

  ActorId id() const;
  const std::string& path() const;
  /// Messages queued plus the one being handled.
  std::size_t queued() const;
  /// False once the actor has stopped.
  bool alive() const;

  bool valid() const { return cell_ != nullptr; }
  friend bool operator==(const ActorRef& a, const ActorRef& b) { return a.cell_ == b.cell_; }

  /// For the runtime: the untyped cell.
  std::shared_ptr<detail::CellBase> cell_base() const;
  /// For the runtime: the typed cell (routers offer messages to it).
  detail::Cell<M>* cell() const { return cell_.get(); }
  /// For the runtime: a reference that keeps the typed cell alive.
  const std::shared_ptr<detail::Cell<M>>& shared_cell() const { return cell_; }

 private:
  const detail::Cell<M>& checked() const;

  std::shared_ptr<detail::Cell<M>> cell_;
};

}  // namespace troupe
