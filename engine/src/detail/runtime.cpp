#include "troupe/detail/runtime.hpp"

#include <algorithm>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe::detail {

namespace {

/// Every runtime's number, never reused (an address may be): a thread's
/// memo of a histogram names the runtime that owns it.
std::atomic<std::uint64_t> runtimes_made{0};

/// The label of troupe_build_info: which compiler built the engine.
std::string compiler_name() {
#if defined(__clang__)
  return "clang " + std::to_string(__clang_major__) + "." + std::to_string(__clang_minor__);
#elif defined(__GNUC__)
  return "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__);
#else
  return "unknown";
#endif
}

}  // namespace

Runtime::Runtime(System& owner, std::unique_ptr<Scheduler> scheduler, EventSink* sink,
                 std::uint32_t timing_sample_every)
    : owner_(owner),
      scheduler_(std::move(scheduler)),
      sink_(sink),
      injects_failures_(scheduler_->injects_failures()),
      timing_sample_every_(timing_sample_every),
      serial_(runtimes_made.fetch_add(1, std::memory_order_relaxed) + 1),
      scheduler_times_handlers_(scheduler_->times_handlers()),
      stream_(*this) {
  TROUPE_ASSERT(scheduler_ != nullptr);
  metrics_.add_collector([this](SampleSink& sink) { collect(sink); });
  // The histogram's series are made at each kind's first timed message, on
  // a worker: the name is taken now, so that a user's metric of another type
  // under it is refused at the user's own call, never in a handler.
  if (timing_sample_every_ > 0) {
    metrics_.reserve(kProcessingSeconds, processing_help(), MetricType::histogram);
  }
}

std::string Runtime::processing_help() const {
  return "Time a handler took, on the scheduler's clock, by actor kind; sampled: one message in " +
         std::to_string(timing_sample_every_) +
         " per actor is timed (SystemSettings::timing_sample_every).";
}

namespace {

/// The histogram a thread found last. A fork-join of a million one-message
/// actors times each actor's first message: without the memo, every one
/// took the shared lock below.
struct HistogramMemo {
  std::uint64_t runtime = 0;
  std::string kind;
  Histogram* histogram = nullptr;
};
thread_local HistogramMemo tl_histogram_memo;

}  // namespace

Histogram& Runtime::processing_histogram(std::string_view kind) {
  HistogramMemo& memo = tl_histogram_memo;
  if (memo.runtime == serial_ && memo.kind == kind) return *memo.histogram;
  Histogram* found = nullptr;
  {
    std::lock_guard lock(histograms_mu_);
    if (auto it = histograms_.find(kind); it != histograms_.end()) {
      found = it->second;
    } else {
      found =
          &metrics_.histogram(kProcessingSeconds, processing_help(), default_seconds_buckets(),
                              {{"kind", kind.empty() ? std::string("actor") : std::string(kind)}});
      histograms_.emplace(std::string(kind), found);
    }
  }
  memo.runtime = serial_;
  memo.kind.assign(kind);
  memo.histogram = found;
  return *found;
}

void Runtime::collect(SampleSink& sink) const {
  sink.gauge("troupe_build_info", "Always 1: the troupe version and compiler, as labels.",
             {{"version", TROUPE_ENGINE_VERSION}, {"compiler", compiler_name()}}, 1);
  const SystemStats s = stats();
  sink.counter("troupe_messages_sent_total", "Messages told, accepted or not.", {},
               static_cast<double>(s.sent));
  for (std::size_t i = 0; i < kDeadLetterReasonCount; ++i) {
    const auto reason = static_cast<DeadLetterReason>(i);
    sink.counter("troupe_dead_letters_total", "Messages that became dead letters, by reason.",
                 {{"reason", std::string(to_string(reason))}},
                 static_cast<double>(s.dead_by_reason[i]));
  }
  sink.counter("troupe_shutdown_abandoned_total", "Messages abandoned at a shutdown deadline.", {},
               static_cast<double>(s.dead_letters(DeadLetterReason::shutdown_abandoned)));
  std::lock_guard lock(registry_mu_);
  auto per_actor = [&](const std::string& label, double processed, double restarts,
                       double failures) {
    const Labels l{{"actor", label}};
    sink.counter("troupe_messages_processed_total", "Messages handled successfully, by actor.", l,
                 processed);
    sink.counter("troupe_actor_restarts_total", "Restarts, by actor.", l, restarts);
    sink.counter("troupe_actor_failures_total", "Handler failures, by actor.", l, failures);
  };
  for (const auto& [label, t] : retired_groups_) {
    per_actor(label, static_cast<double>(t.processed), static_cast<double>(t.restarts),
              static_cast<double>(t.failures));
  }
  for (CellBase* cell : live_) {
    if (cell->id() == 0) continue;  // the guardian
    const std::string& label = cell->metrics_label();
    per_actor(label, static_cast<double>(cell->processed_count()),
              static_cast<double>(cell->restart_count()),
              static_cast<double>(cell->failure_count()));
    sink.gauge("troupe_mailbox_length", "Messages queued or in a handler, by actor.",
               {{"actor", label}}, static_cast<double>(cell->queued()));
    sink.gauge("troupe_mailbox_capacity",
               "The bound of the mailbox (summed over a pool's workers), by actor.",
               {{"actor", label}}, static_cast<double>(cell->mailbox_capacity()));
  }
}

void Runtime::register_cell(CellBase& cell) {
  std::lock_guard lock(registry_mu_);
  live_.push_back(cell);
}

void Runtime::unregister_cell(CellBase& cell) {
  std::lock_guard lock(registry_mu_);
  forget_locked(cell);
}

void Runtime::retire_cell(CellBase& cell) {
  std::lock_guard lock(registry_mu_);
  const bool forgotten = forget_locked(cell);
  TROUPE_ASSERT(forgotten);
  retired_enqueued_ += cell.enqueued_count();
  retired_processed_ += cell.processed_count();
  // Counters never go down: what a stopped actor (a pool's worker, a
  // short-lived child) did stays in its label's totals. Labels are bounded:
  // past kMaxRetiredLabels, stopped actors' totals share one label.
  auto group = retired_groups_.find(cell.metrics_label());
  if (group == retired_groups_.end()) {
    const std::string& label =
        retired_groups_.size() < kMaxRetiredLabels ? cell.metrics_label() : kOtherStoppedActors;
    group = retired_groups_.try_emplace(label).first;
  }
  group->second.processed += cell.processed_count();
  group->second.restarts += cell.restart_count();
  group->second.failures += cell.failure_count();
  if (recording_shutdown_) {
    shutdown_entries_.push_back(ActorShutdown{
        cell.path(), cell.processed_count() - cell.processed_at_shutdown, cell.abandoned_count()});
  }
}

void Runtime::dead_letter(DeadLetterReason reason, const CellBase& cell, std::uint64_t count,
                          DeadMessage message) {
  if (count == 0) return;
  dead_[static_cast<std::size_t>(reason)].fetch_add(count, std::memory_order_relaxed);
  if (emitting()) {
    emit(EventKind::dead_letter, cell.id(), cell.path(), to_string(reason),
         static_cast<std::int64_t>(count));
  }
  if (stream_.wants_dead_letters()) {
    stream_.dead_letter(reason, cell.id(), cell.path(), count, std::move(message));
  }
}

void Runtime::rejected(DeadLetterReason reason, const CellBase& cell, DeadMessage message) {
  rejected_.fetch_add(1, std::memory_order_relaxed);
  dead_letter(reason, cell, 1, std::move(message));
}

void Runtime::rejected(DeadLetterReason reason, ActorId id, std::string_view path) {
  rejected_.fetch_add(1, std::memory_order_relaxed);
  dead_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  if (emitting()) emit(EventKind::dead_letter, id, path, to_string(reason), 1);
  if (stream_.wants_dead_letters()) stream_.dead_letter(reason, id, path, 1, {});
}

void Runtime::timer_cancelled(const CellBase& cell, TimePoint due) {
  // Counted as a rejected send (it is in `sent` through timer_held_, which
  // drops now) so that the message leaves `queued` for a dead letter.
  rejected_.fetch_add(1, std::memory_order_relaxed);
  dead_letter(DeadLetterReason::timer_cancelled, cell);
  timer_delivered(due);
}

void Runtime::emit(EventKind kind, ActorId actor, std::string_view path, std::string_view detail,
                   std::int64_t value) {
  EventSink* sink = sink_.load(std::memory_order_relaxed);
  if (sink == nullptr) return;
  sink->on_event(Event{kind, scheduler_->now(), actor, path, detail, value});
}

void Runtime::emit_message(EventKind kind, ActorId actor, std::string_view path, std::int64_t value,
                           std::uint64_t message, std::string_view type) {
  EventSink* sink = sink_.load(std::memory_order_relaxed);
  if (sink == nullptr) return;
  // On receipt the handler about to run is the receiver's own: the sender
  // is not known here (a recorder matches it from the send).
  const CellBase* running = kind == EventKind::sent ? current_cell() : nullptr;
  const ActorId sender = running != nullptr ? running->id() : 0;
  sink->on_event(Event{kind, scheduler_->now(), actor, path, {}, value, sender, message, type});
}

void Runtime::emit_hand_over(ActorId successor, std::string_view path, ActorId from,
                             std::uint64_t number_there, std::uint64_t number_here,
                             std::string_view type) {
  EventSink* sink = sink_.load(std::memory_order_relaxed);
  if (sink == nullptr) return;
  sink->on_event(Event{EventKind::handed_over,
                       scheduler_->now(),
                       successor,
                       path,
                       {},
                       static_cast<std::int64_t>(number_there),
                       from,
                       number_here,
                       type});
}

std::uint64_t Runtime::total_enqueued_locked() const {
  std::uint64_t total = retired_enqueued_;
  for (CellBase* cell : live_) total += cell->enqueued_count();
  return total;
}

std::uint64_t Runtime::total_activity_locked() const {
  std::uint64_t total = 0;
  for (CellBase* cell : live_) total += cell->activity();
  return total;
}

SystemStats Runtime::stats() const {
  SystemStats s;
  std::lock_guard lock(registry_mu_);
  // A message in a timer is both sent and queued until the timer fires;
  // then it is counted again only by the tell that delivers it.
  s.scheduled = timer_held_.load(std::memory_order_seq_cst);
  const std::uint64_t asks_answered = asks_answered_.load(std::memory_order_seq_cst);
  s.sent = total_enqueued_locked() + rejected_.load(std::memory_order_relaxed) + s.scheduled -
           handed_over_.load(std::memory_order_relaxed) + asks_answered;
  s.queued = s.scheduled;
  s.processed = retired_processed_ + asks_answered;
  for (CellBase* cell : live_) {
    s.processed += cell->processed_count();
    s.queued += cell->queued();
  }
  for (std::size_t i = 0; i < kDeadLetterReasonCount; ++i) {
    s.dead_by_reason[i] = dead_[i].load(std::memory_order_relaxed);
  }
  return s;
}

std::vector<MessageHolder> Runtime::holders() const {
  std::lock_guard lock(registry_mu_);
  std::vector<MessageHolder> out;
  for (CellBase* cell : live_) {
    if (const auto n = cell->queued(); n > 0) out.push_back(MessageHolder{cell->path(), n});
  }
  return out;
}

void Runtime::visit_mailboxes(
    const std::function<void(std::string_view, std::size_t)>& visit) const {
  std::lock_guard lock(registry_mu_);
  for (const CellBase* cell : live_) visit(cell->path(), cell->queued());
}

bool Runtime::quiescent() const {
  std::lock_guard lock(registry_mu_);
  // Waiting for quiescence asks again and again while work drains (in the
  // simulator, after every step). Looking for a busy cell from the one
  // found last time, instead of walking every cell, keeps that linear in
  // the number of cells rather than quadratic. Seeing one busy cell is
  // already a sound "no"; only a "yes" needs the careful walk below.
  // A message held by a timer is work still to come.
  if (timer_due_.load(std::memory_order_seq_cst) > 0) return false;
  if (held_publications_.load(std::memory_order_seq_cst) > 0) return false;
  if (terminations_in_transit_.load(std::memory_order_seq_cst) > 0) return false;
  if (find_busy_locked() != nullptr) return false;
  // Work that moves from a cell not yet checked to one already checked raises
  // the activity total, so comparing totals around the walk catches it.
  // (Retiring a cell needs this lock, so the set of cells cannot change.)
  const std::uint64_t before = total_activity_locked();
  for (CellBase* cell : live_) {
    if (!cell->idle()) return false;
  }
  // A timer that fired during the walk told its cell before it stopped
  // counting as held, so one of the two checks sees its message.
  // A held publication is released (counter down) only after its fan-out told.
  return total_activity_locked() == before && timer_due_.load(std::memory_order_seq_cst) == 0 &&
         held_publications_.load(std::memory_order_seq_cst) == 0 &&
         terminations_in_transit_.load(std::memory_order_seq_cst) == 0;
}

const CellBase* Runtime::find_busy_locked() const {
  // From the last busy cell to the end, then from the start up to it.
  const auto from = busy_hint_ != nullptr ? LiveList::Iterator(busy_hint_) : live_.begin();
  for (auto it = from; it != live_.end(); ++it) {
    if (!(*it)->idle()) return busy_hint_ = *it;
  }
  for (auto it = live_.begin(); it != from; ++it) {
    if (!(*it)->idle()) return busy_hint_ = *it;
  }
  busy_hint_ = nullptr;
  return nullptr;
}

bool Runtime::forget_locked(CellBase& cell) {
  if (busy_hint_ == &cell) busy_hint_ = cell.registry_links.next;
  return live_.erase(cell);
}

void Runtime::begin_shutdown() {
  std::lock_guard lock(registry_mu_);
  shutting_down_.store(true, std::memory_order_release);
  recording_shutdown_ = true;
  for (CellBase* cell : live_) cell->processed_at_shutdown = cell->processed_count();
}

std::uint64_t Runtime::abandon_all_queues() {
  std::lock_guard lock(registry_mu_);
  std::uint64_t total = 0;
  for (CellBase* cell : live_) total += cell->abandon_queue();
  return total;
}

std::vector<TimerId> Runtime::arm_shutdown_timeouts(TimePoint start, TimePoint system_deadline) {
  struct Due {
    std::weak_ptr<CellBase> cell;
    Duration timeout;
  };
  std::vector<Due> due;
  {
    std::lock_guard lock(registry_mu_);
    for (CellBase* cell : live_) {
      const Duration timeout = cell->shutdown_timeout();
      // The earlier deadline wins: the system's own is already enforced.
      if (deadline_after(start, timeout) < system_deadline) {
        due.push_back(Due{cell->weak_from_this(), timeout});
      }
    }
  }
  // Armed outside the registry lock: a scheduler may run a due callback at once.
  std::vector<TimerId> timers;
  timers.reserve(due.size());
  for (auto& d : due) {
    timers.push_back(scheduler_->after(d.timeout, [weak = std::move(d.cell)] {
      auto cell = weak.lock();
      if (cell == nullptr || cell->terminated()) return;
      cell->runtime().emit(EventKind::shutdown, cell->id(), cell->path(), "timeout");
      cell->abandon_queue();
      // Then it is stopped, as OTP kills a child past its shutdown timeout:
      // its pending timers and its restart wait hold the shutdown no longer
      // (cancelled, counted), and its children go with it.
      cell->enqueue_signal(
          stop_signal(TerminationReason::shutdown, nullptr, DeadLetterReason::shutdown_abandoned));
    }));
  }
  return timers;
}

std::vector<ActorShutdown> Runtime::take_shutdown_entries() {
  std::lock_guard lock(registry_mu_);
  auto entries = std::move(shutdown_entries_);
  std::sort(entries.begin(), entries.end(),
            [](const ActorShutdown& a, const ActorShutdown& b) { return a.path < b.path; });
  return entries;
}

}  // namespace troupe::detail
