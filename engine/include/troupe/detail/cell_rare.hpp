// CellRare: the parts of an actor that most actors never use, out of the
// cell so that an idle actor stays small. It is made by the first child,
// watch, failure, restart, deferred Terminated or abandoned message; it lives as
// long as the cell. Each field keeps the guard it had in the cell (named
// below); the block only moves where they live.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "troupe/detail/child_table.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/failure.hpp"
#include "troupe/supervision.hpp"

namespace troupe::detail {

class CellBase;
struct Signal;

struct CellRare {
  /// The children (guarded by the cell's mu_): made by the first spawn.
  std::unique_ptr<ChildTable> children;
  /// Who watches this cell (guarded by its mu_): made by the first watch.
  std::unique_ptr<std::vector<std::weak_ptr<CellBase>>> watchers;
  /// The actors this cell watches whose Terminated it has not been given yet
  /// (guarded by its mu_): a Terminated for any other is a duplicate or was unwatched.
  std::unique_ptr<std::set<ActorId>> watching;
  /// The failure behind a restart in progress, or behind a stop (kept for
  /// the watchers' Terminated once stopped). Activation only.
  std::unique_ptr<Failure> cause;
  /// Terminated signals waiting for messages sent before them, oldest first
  /// (their marks never decrease). Activation only.
  std::unique_ptr<RingQueue<Signal>> deferred_terminations;
  /// Kept by the supervisor (the parent, in its activation) for its
  /// decisions about this cell.
  std::unique_ptr<RestartHistory> restart_history;
  // One writer at a time each; read by metrics from any thread.
  std::atomic<std::uint64_t> abandoned{0};
  std::atomic<std::uint64_t> restarts{0};
  std::atomic<std::uint64_t> failures{0};
};

}  // namespace troupe::detail
