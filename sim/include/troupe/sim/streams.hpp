// The simulator's random streams: one per concern, forked from the root seed,
// so that drawing more numbers for one concern does not shift the others.
#pragma once

#include <cstdint>

namespace troupe::sim {

inline constexpr std::uint64_t kScheduleStream = 1;
inline constexpr std::uint64_t kFaultStream = 2;
inline constexpr std::uint64_t kServiceStream = 3;
inline constexpr std::uint64_t kEngineStream = 4;
/// Chooses which fault kinds a swarm run keeps.
inline constexpr std::uint64_t kSwarmStream = 5;
/// Every scheduling decision with two or more candidates: the index chosen
/// (what a trace replays, shrinking edits and systematic search enumerates).
inline constexpr std::uint64_t kChoiceStream = 6;
/// Workload i draws from stream kWorkloadStreamBase + i.
inline constexpr std::uint64_t kWorkloadStreamBase = 100;

}  // namespace troupe::sim
