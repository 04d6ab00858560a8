// System: owns a scheduler and the actor tree. Spawn top-level actors here,
// read the conservation counts, and shut down gracefully:
//
//   System sys{std::make_unique<ThreadScheduler>()};
//   auto worker = sys.spawn("worker", Props<Task>::of<Worker>()).value();
//   worker.tell(Job{1});
//   ShutdownReport report = sys.shutdown(15s);  // deadline on the scheduler's clock
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "troupe/detail/cell.hpp"
#include "troupe/detail/guardian.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/events.hpp"
#include "troupe/props.hpp"
#include "troupe/result.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/system_types.hpp"

namespace troupe {

struct SystemSettings {
  /// Receives every event; must outlive the system. nullptr: no events.
  EventSink* events = nullptr;
  /// The deadline the destructor gives shutdown() if it was never called.
  Duration destructor_deadline = std::chrono::seconds(10);
  /// How long past its deadline shutdown waits for handlers still running
  /// before it returns without them (ShutdownReport::stuck_in_handler).
  Duration shutdown_grace = std::chrono::seconds(1);
  /// troupe_message_processing_seconds times one message in this many
  /// (the first, then every N-th); 0 turns the histogram off.
  std::uint32_t timing_sample_every = 64;
};

class System {
 public:
  explicit System(std::unique_ptr<Scheduler> scheduler, SystemSettings settings = {});
  ~System();
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  /// A top-level actor, supervised by the guardian with its own policy.
  template <class M>
  Result<ActorRef<M>> spawn(std::string name, Props<M> props) {
    return detail::spawn_child(*guardian_, std::move(name), std::move(props));
  }

  /// The live actor at `path` ("/parent/child") if it handles messages of
  /// type M; empty when there is none or it handles another type.
  template <class M>
  std::optional<ActorRef<M>> find(std::string_view path) const {
    const std::shared_ptr<detail::CellBase> cell = find_cell(path);
    if (!cell || cell->message_type() != typeid(M) || cell->terminated()) return std::nullopt;
    return ActorRef<M>(std::static_pointer_cast<detail::Cell<M>>(cell));
  }

  /// Stops an actor after its current message; leftovers become dead letters.
  template <class M>
  void stop(const ActorRef<M>& ref) {
    ref.cell_base()->enqueue_signal(detail::Signal{detail::Signal::Kind::stop, nullptr, {}});
  }

  /// Graceful shutdown: outside senders are turned away, every mailbox drains
  /// until the system is quiescent or `deadline` (from now, on the scheduler's
  /// clock) passes, then actors stop, children before parents. Past the
  /// deadline, queued messages become shutdown_abandoned dead letters.
  /// Returns by the deadline plus settings' shutdown_grace even when a handler
  /// never returns (the report names it); Duration::max() waits as long as it
  /// takes. Idempotent: later calls return the first report. A deadline of
  /// zero or less abandons at once whatever is queued. Throws
  /// std::logic_error when called from an actor or a timer callback.
  ShutdownReport shutdown(Duration deadline);
  bool is_shut_down() const;

  SystemStats stats() const { return runtime_->stats(); }
  bool quiescent() const { return runtime_->quiescent(); }
  /// Actors that still hold messages: who is stuck, when a run stops early.
  std::vector<MessageHolder> holders() const { return runtime_->holders(); }
  /// Every live actor's path and queued messages, in spawn order, without
  /// copying (what a per-step state hash reads). `visit` must not spawn or
  /// stop actors.
  void visit_mailboxes(const std::function<void(std::string_view, std::size_t)>& visit) const {
    runtime_->visit_mailboxes(visit);
  }
  /// Waits (on threads) or runs (in simulation) until quiescent or `timeout`
  /// (Duration::max(): as long as it takes). Throws std::logic_error when
  /// called from an actor or a timer callback.
  bool await_quiescence(Duration timeout);

  /// The metrics registry: the runtime's own metrics, plus any you add.
  MetricsRegistry& metrics() { return runtime_->metrics(); }
  /// The Prometheus text exposition of metrics().
  std::string metrics_text() const { return runtime_->metrics().exposition(); }
  /// metrics_text() as a function that stays safe to call after the System is
  /// gone (it keeps the runtime alive): what an exporter on another thread holds.
  std::function<std::string()> metrics_source() const {
    return [runtime = runtime_] { return runtime->metrics().exposition(); };
  }

  /// System-wide typed publish/subscribe (troupe/event_stream.hpp).
  EventStream& event_stream() { return runtime_->stream(); }

  Scheduler& scheduler() { return runtime_->scheduler(); }
  TimePoint now() const { return runtime_->scheduler().now(); }

 private:
  void refuse_blocking_here(const char* what) const;
  std::shared_ptr<detail::CellBase> find_cell(std::string_view path) const;
  bool stop_all(TimePoint cutoff);

  SystemSettings settings_;
  std::shared_ptr<detail::Runtime> runtime_;
  std::shared_ptr<detail::Guardian> guardian_;
  mutable std::mutex shutdown_mu_;
  std::optional<ShutdownReport> report_;
};

}  // namespace troupe
