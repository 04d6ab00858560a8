// The summary both task-pool examples print at the end of a run.
#pragma once

#include <chrono>
#include <cstdio>
#include <vector>

#include <troupe/troupe.hpp>

namespace examples {

inline double ms(troupe::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

inline void print_summary(const troupe::SystemStats& stats, const troupe::ShutdownReport& report,
                          const std::vector<troupe::ScaleDecision>& decisions,
                          const std::vector<troupe::RecordedEvent>& restarts) {
  using ull = unsigned long long;
  std::printf("\n== summary ==\n");
  std::printf("processed:    %llu\n", static_cast<ull>(stats.processed));
  for (const auto& e : restarts) {
    std::printf("restarted:    %s at %.3f ms after \"%s\"\n", e.path.c_str(),
                ms(e.time.time_since_epoch()), e.detail.c_str());
  }
  std::printf("scaling:      %zu decisions\n", decisions.size());
  for (const auto& d : decisions) {
    std::printf("  %9.3f ms  %zu -> %zu  %s\n", ms(d.time.time_since_epoch()), d.from, d.to,
                d.reason.c_str());
  }
  std::printf("dead letters: %llu (handler_failed %llu)\n", static_cast<ull>(stats.dead_letters()),
              static_cast<ull>(stats.dead_letters(troupe::DeadLetterReason::handler_failed)));
  std::printf("shutdown:     %s in %.3f ms, drained %llu, abandoned %llu\n",
              report.deadline_met ? "deadline met" : "DEADLINE MISSED", ms(report.elapsed),
              static_cast<ull>(report.drained), static_cast<ull>(report.abandoned));
  for (const auto& a : report.actors) {
    std::printf("  %-18s drained %3llu abandoned %llu\n", a.path.c_str(),
                static_cast<ull>(a.drained), static_cast<ull>(a.abandoned));
  }
  std::printf("conservation: %s (sent %llu = processed + dead letters + queued)\n",
              stats.balanced() ? "balanced" : "VIOLATED", static_cast<ull>(stats.sent));
}

}  // namespace examples
