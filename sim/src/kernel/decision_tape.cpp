#include "troupe/sim/decision_tape.hpp"

#include "troupe/sim/streams.hpp"

namespace troupe::sim {

DecisionTape DecisionTape::replaying(Streams streams) {
  DecisionTape tape;
  tape.streams_ = std::move(streams);
  tape.replaying_ = true;
  return tape;
}

std::uint64_t DecisionTape::next(std::uint64_t stream, std::uint64_t drawn) {
  ++size_;
  if (!replaying_) return next_recorded(stream, drawn);
  if (exhausted_) return drawn;  // diverged: the seed's own draws from here on
  const auto it = streams_.find(stream);
  std::size_t& at = cursor_[stream];
  if (it == streams_.end() || at >= it->second.size()) {
    exhausted_ = Exhaustion{stream, at, size_ - 1, event_clock_ ? event_clock_() : 0,
                            "the replay needs decision " + std::to_string(at + 1) + " of stream " +
                                stream_name(stream) + ", which the trace does not hold"};
    return drawn;
  }
  return it->second[at++];
}

void DecisionTape::diverge(std::uint64_t stream, std::string what) {
  if (!replaying_ || exhausted_) return;
  const std::size_t at = cursor_[stream];
  exhausted_ = Exhaustion{stream, at == 0 ? 0 : at - 1, size_ == 0 ? 0 : size_ - 1,
                          event_clock_ ? event_clock_() : 0, std::move(what)};
}

std::uint64_t DecisionTape::next_recorded(std::uint64_t stream, std::uint64_t drawn) {
  // Past the limit the run goes on unrecorded (a draw may happen inside a
  // handler, where throwing would look like the actor's failure); whoever
  // makes a trace of it checks overflowed().
  if (size_ > kMaxDecisions) {
    overflowed_ = true;
    return drawn;
  }
  streams_[stream].push_back(drawn);
  return drawn;
}

std::string stream_name(std::uint64_t stream) {
  switch (stream) {
    case kScheduleStream:
      return "schedule";
    case kFaultStream:
      return "fault";
    case kServiceStream:
      return "service";
    case kEngineStream:
      return "engine";
    case kSwarmStream:
      return "swarm";
    case kChoiceStream:
      return "choice";
    default:
      break;
  }
  if (stream >= kWorkloadStreamBase)
    return "workload." + std::to_string(stream - kWorkloadStreamBase);
  return "stream." + std::to_string(stream);
}

}  // namespace troupe::sim
