// Why a request's ReplyTo may be dropped unanswered on this thread: a cell
// sets an UnansweredScope around the disposal of a message whose handler
// failed (callee_failed, with the failure's text) or that became a dead
// letter (dead_letter, with the reason). A pending ask whose last ReplyTo
// dies inside the scope completes at the scope's end, once the cell's locks
// are released: completing may tell the asker, possibly the same actor.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "troupe/send_result.hpp"

namespace troupe::detail {

class UnansweredScope {
 public:
  explicit UnansweredScope(std::string failure)
      : failure_(std::move(failure)), failed_(true), previous_(current) {
    current = this;
  }
  explicit UnansweredScope(DeadLetterReason reason) : reason_(reason), previous_(current) {
    current = this;
  }
  UnansweredScope(const UnansweredScope&) = delete;
  UnansweredScope& operator=(const UnansweredScope&) = delete;
  ~UnansweredScope() {
    current = previous_;
    for (auto& complete : deferred_) complete();
  }

  /// The innermost scope on this thread, or nullptr.
  static UnansweredScope* active() { return current; }
  bool failed() const { return failed_; }
  const std::string& failure() const { return failure_; }
  DeadLetterReason reason() const { return reason_; }
  /// Runs `complete` when the scope ends.
  void defer(std::function<void()> complete) { deferred_.push_back(std::move(complete)); }

 private:
  static inline thread_local UnansweredScope* current = nullptr;

  std::string failure_;
  DeadLetterReason reason_ = DeadLetterReason::handler_failed;
  bool failed_ = false;
  UnansweredScope* previous_;
  std::vector<std::function<void()>> deferred_;
};

}  // namespace troupe::detail
