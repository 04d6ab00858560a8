#include "troupe/events.hpp"

namespace troupe {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::spawned:
      return "spawned";
    case EventKind::started:
      return "started";
    case EventKind::sent:
      return "sent";
    case EventKind::received:
      return "received";
    case EventKind::failed:
      return "failed";
    case EventKind::decided:
      return "decided";
    case EventKind::restart_scheduled:
      return "restart_scheduled";
    case EventKind::restarted:
      return "restarted";
    case EventKind::budget_exceeded:
      return "budget_exceeded";
    case EventKind::escalated:
      return "escalated";
    case EventKind::stopped:
      return "stopped";
    case EventKind::dead_letter:
      return "dead_letter";
    case EventKind::shutdown:
      return "shutdown";
    case EventKind::timer:
      return "timer";
    case EventKind::fault:
      return "fault";
    case EventKind::scaled:
      return "scaled";
    case EventKind::not_restarted:
      return "not_restarted";
    case EventKind::note:
      return "note";
    case EventKind::handed_over:
      return "handed_over";
  }
  return "unknown";
}

RecordedEvent record(const Event& e) {
  return RecordedEvent{e.kind,  e.time,   e.actor,   std::string(e.path), std::string(e.detail),
                       e.value, e.sender, e.message, std::string(e.type)};
}

Event view(const RecordedEvent& e) {
  return Event{e.kind, e.time, e.actor, e.path, e.detail, e.value, e.sender, e.message, e.type};
}

void EventLog::on_event(const Event& event) {
  std::lock_guard lock(mu_);
  if (events_.size() >= capacity_) {
    ++dropped_;
    return;
  }
  events_.push_back(record(event));
}

std::vector<RecordedEvent> EventLog::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

std::vector<RecordedEvent> EventLog::events(EventKind kind) const {
  std::lock_guard lock(mu_);
  std::vector<RecordedEvent> out;
  for (const auto& e : events_) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

std::size_t EventLog::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

}  // namespace troupe
