#include "sim/decision_tape.hpp"

#include "sim/streams.hpp"

namespace troupe::sim {

DecisionTape DecisionTape::replaying(Streams streams) {
  DecisionTape tape;
  tape.streams_ = std::move(streams);
  tape.replaying_ = true;
  return tape;
}

std::uint64_t DecisionTape::next(std::uint64_t stream, std::uint64_t drawn) {
  ++size_;
  if (!replaying_) {
    if (size_ > kMaxDecisions) {
      if (overflowed_) return drawn;  // thrown once already (see below)
      overflowed_ = true;
      throw std::length_error("the run drew more than " + std::to_string(kMaxDecisions) +
                              " random decisions: too long to record");
    }
    streams_[stream].push_back(drawn);
    return drawn;
  }
  const auto it = streams_.find(stream);
  std::size_t& at = cursor_[stream];
  if (it == streams_.end() || at >= it->second.size()) {
    // Throw once; afterwards fall back to the generator, so that tearing the
    // simulation down (which may draw) cannot throw from a destructor.
    if (!exhausted_.empty()) return drawn;
    exhausted_ = "the replay needs decision " + std::to_string(at + 1) + " of stream " +
                 stream_name(stream) + ", which the trace does not hold";
    throw DecisionsExhausted(exhausted_);
  }
  return it->second[at++];
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
    default:
      break;
  }
  if (stream >= kWorkloadStreamBase)
    return "workload." + std::to_string(stream - kWorkloadStreamBase);
  return "stream." + std::to_string(stream);
}

}  // namespace troupe::sim
