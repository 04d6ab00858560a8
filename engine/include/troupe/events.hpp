// Structured events from the runtime: every lifecycle step, supervision
// decision, dead letter and shutdown phase. A simulator records them with
// virtual time and hashes the stream; tests read them to check what happened
// and when. With no sink installed, emitting costs one branch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/failure.hpp"
#include "troupe/time.hpp"

namespace troupe {

enum class EventKind : std::uint8_t {
  spawned,            ///< an actor was created (value: parent id)
  started,            ///< pre_start ran
  sent,               ///< a message entered a mailbox (value: mailbox length after)
  received,           ///< a handler is about to run (value: message number)
  failed,             ///< a handler or hook threw (detail: what; value: message number)
  decided,            ///< a supervisor decided (detail: directive)
  restart_scheduled,  ///< a restart was decided (value: its backoff delay in ns, 0 for at once)
  restarted,          ///< a fresh instance replaced the failed one (value: restart count)
  budget_exceeded,    ///< more restarts than the budget allows: the actor stops
  escalated,          ///< a failure was passed up to the parent (detail: what)
  stopped,            ///< post_stop ran; the actor is gone
  dead_letter,        ///< a message became a dead letter (detail: reason)
  shutdown,           ///< a shutdown phase began (detail: drain, abandon, stop, done)
  timer,              ///< a scheduler timer fired (value: timer id); recorded by simulators
  fault,              ///< a simulator injected a fault (detail: its kind)
  scaled,             ///< a pool resized (detail: reason; value: new size)
  not_restarted,      ///< a restart decision stopped a child instead (detail: its restart type)
  note,               ///< a handler annotated the run (Context::note; detail: the text)
  handed_over,        ///< a stopped pool worker's queued message went to its successor
};

/// The last EventKind: for code that walks them all.
inline constexpr EventKind kLastEventKind = EventKind::handed_over;

/// The kinds that say which message (sender, message number, type): a
/// `handed_over` event links a message's number at a stopped pool worker
/// (`value`, its `sender`) to its number at the successor (`actor`,
/// `message`), so the successor's receipt still finds its send. Either number
/// is 0 for a message that was put back (unstashed) there.
constexpr bool names_a_message(EventKind kind) {
  return kind == EventKind::sent || kind == EventKind::received || kind == EventKind::handed_over;
}

std::string_view to_string(EventKind kind);

/// One event. The views are valid only during EventSink::on_event: a sink that
/// keeps events copies them (EventLog does).
///
/// `sent` and `received` say which message: `actor` is the receiver and
/// `message` the message's number among those offered to it (1, 2, ...), so
/// a receive is matched to its send by (actor, message). A message taken
/// again after Context::unstash is received with `message` 0: its number
/// went with its first receipt. `sender` is the actor whose handler sent it,
/// 0 from outside any actor (a simulator's recorder fills it in on receipt
/// too; a thread-scheduler sink matches the send). `type` is the message's
/// type name (the alternative's, for a std::variant), as message_type_name
/// gives it.
struct Event {
  EventKind kind;
  TimePoint time;
  ActorId actor = 0;
  std::string_view path;
  std::string_view detail;
  std::int64_t value = 0;
  ActorId sender = 0;
  std::uint64_t message = 0;
  std::string_view type = {};
};

/// Receives events, possibly from several threads at once on the thread
/// scheduler: implementations synchronise themselves.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& event) = 0;
};

/// An owned copy of an Event.
struct RecordedEvent {
  EventKind kind;
  TimePoint time;
  ActorId actor = 0;
  std::string path;
  std::string detail;
  std::int64_t value = 0;
  ActorId sender = 0;
  std::uint64_t message = 0;
  std::string type = {};
};

/// The owned copy of `event`.
RecordedEvent record(const Event& event);
/// A view of `event`, valid while it lives.
Event view(const RecordedEvent& event);

/// A thread-safe sink that keeps up to `capacity` events and counts the ones
/// it had no room for, so a long run is bounded but never silently truncated.
class EventLog final : public EventSink {
 public:
  explicit EventLog(std::size_t capacity = 1 << 20) : capacity_(capacity) {}

  void on_event(const Event& event) override;

  std::vector<RecordedEvent> events() const;
  std::vector<RecordedEvent> events(EventKind kind) const;
  std::size_t dropped() const;

 private:
  mutable std::mutex mu_;
  std::size_t capacity_;
  std::vector<RecordedEvent> events_;
  std::size_t dropped_ = 0;
};

}  // namespace troupe
