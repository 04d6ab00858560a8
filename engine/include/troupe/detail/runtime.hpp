// The system's internals that every cell reaches: the scheduler, the registry
// of live actors, the conservation counters, dead letters and the event sink.
// System is the public face; Runtime is what cells and spawns talk to.
#pragma once

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/detail/intrusive_list.hpp"
#include "troupe/detail/room_wait.hpp"
#include "troupe/event_stream.hpp"
#include "troupe/events.hpp"
#include "troupe/metrics.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/send_result.hpp"
#include "troupe/system_types.hpp"

namespace troupe {
class System;
}

namespace troupe::detail {

class CellBase;

/// Shared by the System and every cell, so that a ref which outlives its
/// system still finds the counters (its tell becomes a dead letter) instead
/// of freed memory. It owns the scheduler for the same reason.
class Runtime : public std::enable_shared_from_this<Runtime> {
 public:
  Runtime(System& owner, std::unique_ptr<Scheduler> scheduler, EventSink* sink,
          std::uint32_t timing_sample_every);

  System& owner() const { return owner_; }
  Scheduler& scheduler() const { return *scheduler_; }
  ActorId next_id() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  /// True from the start of shutdown on: outside senders are turned away and
  /// no actor may be spawned.
  bool shutting_down() const { return shutting_down_.load(std::memory_order_acquire); }

  void register_cell(CellBase& cell);
  /// Forgets a cell without counting it (the guardian, when the system goes).
  void unregister_cell(CellBase& cell);
  /// Folds a stopped cell's counts into the totals and forgets it.
  void retire_cell(CellBase& cell);

  /// `count` messages that had been queued in `cell` became dead letters.
  void dead_letter(DeadLetterReason reason, const CellBase& cell, std::uint64_t count = 1,
                   DeadMessage message = {});
  /// A tell that never entered a mailbox: counted as sent and as a dead letter.
  void rejected(DeadLetterReason reason, const CellBase& cell, DeadMessage message = {});
  /// The same for a send that had no actor to go to (an empty pool).
  void rejected(DeadLetterReason reason, ActorId id, std::string_view path);

  /// A message given to a timer (schedule_once): sent, and queued until the
  /// timer fires or is cancelled. Quiescence waits for it, unless the timer
  /// can never fire (`due` is the end of time: Duration::max() means never).
  void timer_armed(TimePoint due) {
    timer_held_.fetch_add(1, std::memory_order_seq_cst);
    if (due != TimePoint::max()) timer_due_.fetch_add(1, std::memory_order_seq_cst);
  }
  /// The timer fired and its message was offered (and accounted) by a tell.
  void timer_delivered(TimePoint due) {
    if (due != TimePoint::max()) {
      const auto due_before = timer_due_.fetch_sub(1, std::memory_order_seq_cst);
      TROUPE_ASSERT(due_before > 0);
    }
    const auto before = timer_held_.fetch_sub(1, std::memory_order_seq_cst);
    TROUPE_ASSERT(before > 0);
  }
  /// The timer was cancelled: its message is a timer_cancelled dead letter.
  void timer_cancelled(const CellBase& cell, TimePoint due);

  /// `count` queued messages moved from a stopping cell to its successor:
  /// counted once as sent, though both cells counted them as enqueued.
  void handed_over(std::uint64_t count) {
    handed_over_.fetch_add(count, std::memory_order_relaxed);
  }

  // Request-reply (troupe/ask.hpp). A pending ask's outcome is counted like
  // a timer's message (timer_armed); an outside asker's outcome, which no
  // mailbox receives, is counted here as sent and processed when it ends.
  void ask_answered_outside(TimePoint due) {
    asks_answered_.fetch_add(1, std::memory_order_seq_cst);
    timer_delivered(due);
  }

  /// The system's event stream (troupe/event_stream.hpp).
  EventStream& stream() { return stream_; }
  /// A publication held by a simulated handler's declared work: quiescence
  /// waits for it, though it counts no message until it is fanned out.
  void publication_held() { held_publications_.fetch_add(1, std::memory_order_seq_cst); }
  void publication_released() {
    const auto before = held_publications_.fetch_sub(1, std::memory_order_seq_cst);
    TROUPE_ASSERT(before > 0);
  }
  /// A stopped child's termination on its way to its parent: between the
  /// child leaving the live cells and its signal entering the parent, no
  /// cell shows the work, so quiescence waits for this count to be 0.
  void termination_in_transit() {
    terminations_in_transit_.fetch_add(1, std::memory_order_seq_cst);
  }
  void termination_delivered() {
    const auto before = terminations_in_transit_.fetch_sub(1, std::memory_order_seq_cst);
    TROUPE_ASSERT(before > 0);
  }
  /// Actors waiting for room in another's mailbox (Context::offer).
  RoomWaiters& room_waiters() { return room_waiters_; }

  bool injects_failures() const { return injects_failures_; }
  bool scheduler_times_handlers() const { return scheduler_times_handlers_; }
  MetricsRegistry& metrics() { return metrics_; }
  /// Time one message in this many for the processing histogram (0: never).
  std::uint32_t timing_sample_every() const { return timing_sample_every_; }
  /// The histogram of sampled handler times of actors of `kind`, made by
  /// the first sample of that kind: a spawn pays nothing for it, and a cell
  /// keeps no pointer to it. Any thread.
  Histogram& processing_histogram(std::string_view kind);
  bool emitting() const { return sink_.load(std::memory_order_relaxed) != nullptr; }
  /// Called when the System is destroyed: the sink may go away with it.
  void detach_sink() { sink_.store(nullptr); }
  void emit(EventKind kind, ActorId actor, std::string_view path, std::string_view detail = {},
            std::int64_t value = 0);
  /// A `sent` or `received` event: which message (events.hpp), and the
  /// actor whose handler is running on this thread as its sender.
  void emit_message(EventKind kind, ActorId actor, std::string_view path, std::int64_t value,
                    std::uint64_t message, std::string_view type);
  /// A `handed_over` event (events.hpp): message `number_there` of the
  /// stopped worker `from` is message `number_here` of `successor`.
  void emit_hand_over(ActorId successor, std::string_view path, ActorId from,
                      std::uint64_t number_there, std::uint64_t number_here, std::string_view type);

  SystemStats stats() const;
  /// Live actors holding messages, in spawn order.
  std::vector<MessageHolder> holders() const;
  /// Calls `visit(path, queued)` for every live actor, in spawn order, under
  /// the registry lock (`visit` must not spawn or stop actors).
  void visit_mailboxes(const std::function<void(std::string_view, std::size_t)>& visit) const;
  /// No message queued or in a handler anywhere, checked so that a message
  /// moving between two actors during the check cannot hide.
  bool quiescent() const;

  /// Shutdown support, used by System only.
  void begin_shutdown();
  std::uint64_t abandon_all_queues();
  /// Arms a scheduler timer for every live actor whose own shutdown_timeout
  /// ends before `system_deadline` (measured from `start`): when it fires,
  /// that actor's queue is abandoned. Returns the timers, to cancel once the
  /// drain is over. None (and no allocation) when no actor sets one.
  std::vector<TimerId> arm_shutdown_timeouts(TimePoint start, TimePoint system_deadline);
  std::vector<ActorShutdown> take_shutdown_entries();

 private:
  void collect(SampleSink& sink) const;
  static constexpr const char* kProcessingSeconds = "troupe_message_processing_seconds";
  std::string processing_help() const;
  std::uint64_t total_enqueued_locked() const;
  std::uint64_t total_activity_locked() const;

  System& owner_;
  std::unique_ptr<Scheduler> scheduler_;
  std::atomic<EventSink*> sink_;
  const bool injects_failures_;
  std::atomic<ActorId> next_id_{1};
  std::atomic<bool> shutting_down_{false};

  mutable std::mutex registry_mu_;
  using LiveList = IntrusiveList<CellBase, &CellBase::registry_links>;
  /// A busy cell, searched from the last one found; nullptr when all are idle.
  const CellBase* find_busy_locked() const;
  /// Unlinks `cell`, moving the busy hint past it; false if it was not linked.
  bool forget_locked(CellBase& cell);

  // In the order of spawning: deterministic walks in the simulator.
  LiveList live_;
  mutable CellBase* busy_hint_ = nullptr;  // where quiescent() looks first
  std::uint64_t retired_enqueued_ = 0;
  std::uint64_t retired_processed_ = 0;
  bool recording_shutdown_ = false;
  std::vector<ActorShutdown> shutdown_entries_;

  struct GroupTotals {
    std::uint64_t processed = 0, restarts = 0, failures = 0;
  };
  std::map<std::string, GroupTotals> retired_groups_;  // actors that stopped, by label
  static constexpr std::size_t kMaxRetiredLabels = 10000;
  static inline const std::string kOtherStoppedActors = "(other stopped actors)";

  MetricsRegistry metrics_;
  std::mutex histograms_mu_;
  std::map<std::string, Histogram*, std::less<>> histograms_;  // by kind; guarded by histograms_mu_
  RoomWaiters room_waiters_;
  const std::uint32_t timing_sample_every_;
  const std::uint64_t serial_;  // this runtime's number: see processing_histogram
  const bool scheduler_times_handlers_;
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> timer_held_{0};     // messages waiting in user timers
  std::atomic<std::uint64_t> timer_due_{0};      // those of them that can ever fire
  std::atomic<std::uint64_t> handed_over_{0};    // enqueued twice: see handed_over()
  std::atomic<std::uint64_t> asks_answered_{0};  // outside asks ended: see ask_answered_outside()
  std::array<std::atomic<std::uint64_t>, kDeadLetterReasonCount> dead_{};
  std::atomic<std::uint64_t> held_publications_{0};        // see publication_held()
  std::atomic<std::uint64_t> terminations_in_transit_{0};  // see termination_in_transit()
  EventStream stream_;  // last: it may count dead letters while it goes
};

}  // namespace troupe::detail
