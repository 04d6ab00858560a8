// AskResult<R>: how an ask ended: the reply, or why there is none (a
// timeout, the callee's failure, the request became a dead letter, or the
// callee dropped the request unanswered). Every ask ends in exactly one.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "troupe/send_result.hpp"

namespace troupe {

enum class AskErrorKind : std::uint8_t {
  timeout,        ///< no reply within the ask's timeout (on the scheduler's clock)
  callee_failed,  ///< the callee's handler threw while the request was unanswered
  dead_letter,    ///< the request was refused or dropped (`reason` says why)
  unanswered,     ///< every copy of the request's ReplyTo was dropped without a reply
};

std::string_view to_string(AskErrorKind kind);

struct AskError {
  AskErrorKind kind = AskErrorKind::timeout;
  /// For dead_letter: why the request became one.
  DeadLetterReason reason = DeadLetterReason::actor_stopped;
  /// Readable, with the failure's text for callee_failed.
  std::string message;
};

template <class R>
class [[nodiscard]] AskResult {
 public:
  AskResult(R value) : state_(std::move(value)) {}         // NOLINT: implicit by design
  AskResult(AskError error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  /// The reply; throws std::runtime_error with the error's message.
  R& value() & {
    if (!ok()) throw std::runtime_error(error().message);
    return std::get<0>(state_);
  }
  const R& value() const& {
    if (!ok()) throw std::runtime_error(error().message);
    return std::get<0>(state_);
  }
  R value() && {
    if (!ok()) throw std::runtime_error(error().message);
    return std::move(std::get<0>(state_));
  }
  const AskError& error() const { return std::get<1>(state_); }
  bool is(AskErrorKind kind) const { return !ok() && error().kind == kind; }

 private:
  std::variant<R, AskError> state_;
};

}  // namespace troupe
