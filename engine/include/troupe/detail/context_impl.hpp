// The bodies of Context<M>'s members (troupe/context.hpp): views of the
// running actor's cell, so they need Cell<M> complete. Included at the end of
// troupe/detail/cell.hpp; never on its own.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "troupe/context.hpp"
#include "troupe/detail/cell.hpp"
#include "troupe/detail/runtime.hpp"

namespace troupe {

template <class M>
ActorRef<M> Context<M>::self() const {
  return cell_.ref();
}

template <class M>
ActorId Context<M>::id() const {
  return cell_.id();
}

template <class M>
const std::string& Context<M>::path() const {
  return cell_.path();
}

template <class M>
std::string_view Context<M>::name() const {
  return cell_.name();
}

template <class M>
System& Context<M>::system() const {
  return cell_.runtime().owner();
}

template <class M>
template <class E>
PublishResult Context<M>::publish(E event) {
  return cell_.runtime().stream().publish(std::move(event));
}

template <class M>
template <class C>
Result<ActorRef<C>> Context<M>::spawn(std::string name, Props<C> props) {
  return detail::spawn_child(cell_, std::move(name), std::move(props));
}

template <class M>
template <class T>
void Context<M>::watch(const ActorRef<T>& ref) {
  cell_.watch(ref.cell_base());
}

template <class M>
template <class T>
void Context<M>::unwatch(const ActorRef<T>& ref) {
  cell_.unwatch(*ref.cell_base());
}

template <class M>
void Context<M>::stop() {
  cell_.enqueue_signal(detail::Signal{detail::Signal::Kind::stop_self, nullptr, {}});
}

template <class M>
template <class T>
void Context<M>::stop(const ActorRef<T>& ref) {
  // Its watchers learn whether its own parent stopped it.
  const auto& target = ref.cell_base();
  target->enqueue_signal(detail::stop_signal(target->parent() == &cell_
                                                 ? TerminationReason::stopped_by_parent
                                                 : TerminationReason::stopped));
}

template <class M>
TimerId Context<M>::schedule_once(Duration delay, M message) {
  return cell_.schedule_once(delay, std::move(message));
}

template <class M>
bool Context<M>::cancel_timer(TimerId id) {
  return cell_.cancel_timer(id);
}

template <class M>
TimePoint Context<M>::now() const {
  return cell_.runtime().scheduler().now();
}

template <class M>
void Context<M>::note(std::string_view text) {
  if (text.size() > kMaxNoteBytes) {
    throw std::invalid_argument("Context::note: at most " + std::to_string(kMaxNoteBytes) +
                                " bytes, got " + std::to_string(text.size()));
  }
  detail::Runtime& runtime = cell_.runtime();
  if (runtime.emitting()) runtime.emit(EventKind::note, cell_.id(), cell_.path(), text);
}

template <class M>
void Context<M>::work(Duration time) {
  if (time < Duration::zero() || time > kMaxWork) {
    throw std::invalid_argument("Context::work: the time must be between 0 and 24 h, got " +
                                std::to_string(time.count()) + " ns");
  }
  cell_.runtime().scheduler().work(time);
}

template <class M>
std::uint64_t Context<M>::random() const {
  return cell_.runtime().scheduler().random();
}

template <class M>
std::uint64_t Context<M>::message_seq() const {
  return cell_.message_seq();
}

}  // namespace troupe
