// How every ping-pong here is counted. Ping is told R and counts it down: a
// round trip is ping -> pong -> ping, two deliveries, so R round trips are
// 2R messages. Items are messages (deliveries), as in the other suites and
// in published actor benchmarks; round trips are a counter beside them.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace troupe::bench {

inline void count_ping_pong(benchmark::State& state, std::int64_t round_trips_per_iteration) {
  const std::int64_t round_trips = state.iterations() * round_trips_per_iteration;
  state.SetItemsProcessed(2 * round_trips);
  state.counters["round_trips_per_second"] =
      benchmark::Counter(static_cast<double>(round_trips), benchmark::Counter::kIsRate);
}

}  // namespace troupe::bench
