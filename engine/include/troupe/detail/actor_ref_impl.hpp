// The bodies of ActorRef<M>'s members (troupe/actor_ref.hpp): each goes
// through the actor's typed cell, so they need Cell<M> complete. Included at
// the end of troupe/detail/cell.hpp.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "troupe/actor_ref.hpp"
#include "troupe/detail/cell.hpp"

namespace troupe {

template <class M>
const detail::Cell<M>& ActorRef<M>::checked() const {
  if (!cell_) throw std::logic_error("use of an empty ActorRef");
  return *cell_;
}

template <class M>
SendResult ActorRef<M>::tell(M message) const {
  // The check and the call on one pointer: g++ -O3 otherwise warns that the
  // call may be on null (-Wnonnull), in users' builds too.
  detail::Cell<M>* const cell = cell_.get();
  if (cell == nullptr) throw std::logic_error("use of an empty ActorRef");
  return cell->tell(std::move(message));
}

template <class M>
ActorId ActorRef<M>::id() const {
  return checked().id();
}

template <class M>
const std::string& ActorRef<M>::path() const {
  return checked().path();
}

template <class M>
std::size_t ActorRef<M>::queued() const {
  return checked().queued();
}

template <class M>
bool ActorRef<M>::alive() const {
  return !checked().terminated();
}

template <class M>
std::shared_ptr<detail::CellBase> ActorRef<M>::cell_base() const {
  checked();
  return cell_;
}

}  // namespace troupe
