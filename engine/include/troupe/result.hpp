// Result<T>: a value or an Error a caller is expected to handle, for the
// operations a user can get wrong at run time (a duplicate actor name, a spawn
// during shutdown). value() on an error throws with the error's message.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace troupe {

enum class ErrorCode : std::uint8_t {
  duplicate_name,
  invalid_name,
  system_shutting_down,
  parent_stopping,
  invalid_argument,  ///< a bad argument (an empty ref, a zero bound): the message names it
  limit_reached,     ///< a bounded table is full (the message names the limit)
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// The value; throws std::runtime_error carrying the error's message.
  T& value() & {
    if (!ok()) throw std::runtime_error(error().message);
    return std::get<0>(state_);
  }
  T value() && {
    if (!ok()) throw std::runtime_error(error().message);
    return std::move(std::get<0>(state_));
  }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace troupe
