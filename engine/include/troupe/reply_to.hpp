// ReplyTo<R>: the typed, copyable address a request carries for its reply.
// It names an ActorRef<R>, a message adapter (ctx.adapter: the reply reaches
// an actor of another protocol as one of its own messages) or a pending ask
// (troupe/ask.hpp). reply_to.tell(r) reports a SendResult like any tell.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>

#include "troupe/actor_ref.hpp"
#include "troupe/send_result.hpp"

namespace troupe {

namespace detail {
/// Where a ReplyTo that is not a plain ActorRef delivers (an adapter, an ask).
template <class R>
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  virtual SendResult deliver(R&& reply) = 0;
};
}  // namespace detail

template <class R>
class ReplyTo {
 public:
  ReplyTo() = default;
  ReplyTo(ActorRef<R> ref) : ref_(std::move(ref)) {}  // NOLINT: implicit by design
  explicit ReplyTo(std::shared_ptr<detail::ReplySink<R>> sink) : sink_(std::move(sink)) {}

  /// Sends the reply. To a pending ask: `accepted` when it completed the ask;
  /// `actor_stopped` (counted as a `late_reply` dead letter) when the ask had
  /// ended already (timeout, failure) or was answered before.
  SendResult tell(R reply) const {
    if (sink_) return sink_->deliver(std::move(reply));
    if (!ref_.valid()) throw std::logic_error("use of an empty ReplyTo");
    return ref_.tell(std::move(reply));
  }
  bool valid() const { return sink_ != nullptr || ref_.valid(); }

 private:
  ActorRef<R> ref_;
  std::shared_ptr<detail::ReplySink<R>> sink_;
};

}  // namespace troupe
