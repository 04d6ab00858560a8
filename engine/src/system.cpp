#include "troupe/system.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "troupe/assert.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe {

namespace {

// A system whose handler never returned cannot free its actors, runtime or
// scheduler: the stuck thread uses them when (if ever) the handler returns.
// They are kept here on purpose, reachable from a static so that leak
// checkers do not report them, and never destroyed (not even at exit, when
// the thread may still run).
void keep_forever(std::shared_ptr<void> runtime, std::shared_ptr<void> guardian) {
  static auto* mu = new std::mutex;
  static auto* kept = new std::vector<std::shared_ptr<void>>;
  std::lock_guard lock(*mu);
  kept->push_back(std::move(runtime));
  kept->push_back(std::move(guardian));
}

}  // namespace

System::System(std::unique_ptr<Scheduler> scheduler, SystemSettings settings)
    : settings_(settings) {
  if (!scheduler) throw std::invalid_argument("System needs a scheduler");
  runtime_ = std::make_shared<detail::Runtime>(*this, std::move(scheduler), settings.events,
                                               settings.timing_sample_every);
  guardian_ = std::make_shared<detail::Guardian>(*runtime_);
  // Registered so that quiescence sees supervision work pending at the top.
  runtime_->register_cell(*guardian_);
  guardian_->start();
}

System::~System() {
  shutdown(settings_.destructor_deadline);
  if (!guardian_->terminated()) {
    // A handler never returned (see shutdown): its thread stays behind, and
    // everything it can reach stays alive. A handler that returns after this
    // must not use ctx.system(): the System itself is gone.
    runtime_->detach_sink();
    keep_forever(runtime_, guardian_);
    runtime_->scheduler().stop();
    return;
  }
  runtime_->scheduler().stop();
  runtime_->detach_sink();
  runtime_->unregister_cell(*guardian_);
}

std::shared_ptr<detail::CellBase> System::find_cell(std::string_view path) const {
  // "/a/b": each part a child's name, from the guardian down.
  if (path.empty() || path.front() != '/') return nullptr;
  std::shared_ptr<detail::CellBase> cell = guardian_;
  while (cell && !path.empty()) {
    path.remove_prefix(1);  // the '/'
    const std::size_t end = std::min(path.find('/'), path.size());
    if (end == 0) return nullptr;  // "//" or a trailing '/'
    cell = cell->find_child(path.substr(0, end));
    path.remove_prefix(end);
  }
  return cell == guardian_ ? nullptr : cell;
}

bool System::is_shut_down() const {
  std::lock_guard lock(shutdown_mu_);
  return report_.has_value();
}

void System::refuse_blocking_here(const char* what) const {
  // Checked before anything changes, so a misuse leaves the system as it was.
  if (detail::current_cell() != nullptr) {
    throw std::logic_error(std::string(what) +
                           " called from inside an actor; call it from outside the system");
  }
  if (runtime_->scheduler().on_own_thread()) {
    throw std::logic_error(std::string(what) +
                           " called from a timer callback (a scheduler thread); call it from "
                           "outside the system");
  }
}

bool System::await_quiescence(Duration timeout) {
  refuse_blocking_here("System::await_quiescence");
  auto& scheduler = runtime_->scheduler();
  return scheduler.wait_until([this] { return runtime_->quiescent(); },
                              deadline_after(scheduler.now(), timeout));
}

bool System::stop_all(TimePoint cutoff) {
  // Handlers already running finish: threads cannot be pre-empted. Nothing
  // queued is handled any more, so this is as long as the longest handler,
  // unless one is still running at the cutoff: then it may never return,
  // and shutdown gives up on it rather than break its own deadline.
  auto& scheduler = runtime_->scheduler();
  bool gave_up = false;
  scheduler.wait_until(
      [&] {
        if (guardian_->terminated()) return true;
        gave_up = scheduler.running_activations() && scheduler.now() >= cutoff;
        return gave_up;
      },
      TimePoint::max());
  // A scheduler that runs handlers on this thread (the simulator) has none
  // running while it asks, so it always drives the stop to its end.
  TROUPE_ASSERT(guardian_->terminated() || gave_up);
  return guardian_->terminated();
}

ShutdownReport System::shutdown(Duration deadline) {
  refuse_blocking_here("System::shutdown");
  std::lock_guard lock(shutdown_mu_);
  if (report_) return *report_;

  auto& scheduler = runtime_->scheduler();
  const TimePoint start = scheduler.now();
  const TimePoint drain_until = deadline_after(start, deadline);
  runtime_->begin_shutdown();
  runtime_->emit(EventKind::shutdown, 0, "", "drain");
  // Actors with a shorter shutdown_timeout of their own are cut off earlier.
  const std::vector<TimerId> own_deadlines = runtime_->arm_shutdown_timeouts(start, drain_until);
  const bool drained = scheduler.wait_until([this] { return runtime_->quiescent(); }, drain_until);
  for (const TimerId timer : own_deadlines) (void)scheduler.cancel(timer);

  // Subscriptions end with the system: what stopping and abandoning cause
  // from here on is counted, not published.
  runtime_->stream().close();
  ShutdownReport report;
  report.deadline_met = drained;
  if (!drained) {
    runtime_->emit(EventKind::shutdown, 0, "", "abandon");
    runtime_->abandon_all_queues();
  }
  runtime_->emit(EventKind::shutdown, 0, "", "stop");
  const auto reason =
      drained ? DeadLetterReason::actor_stopped : DeadLetterReason::shutdown_abandoned;
  guardian_->enqueue_signal(detail::stop_signal(TerminationReason::shutdown, nullptr, reason));
  const TimePoint cutoff =
      deadline_after(std::max(drain_until, scheduler.now()), settings_.shutdown_grace);
  if (!stop_all(cutoff)) {
    // Whatever is still queued will never be handled; what is left in each
    // holder after that is the message its handler is stuck on.
    runtime_->abandon_all_queues();
    for (auto& holder : runtime_->holders()) report.stuck_in_handler.push_back(holder.path);
    std::sort(report.stuck_in_handler.begin(), report.stuck_in_handler.end());
    report.deadline_met = false;
    runtime_->emit(EventKind::shutdown, 0, "", "stuck");
  }

  report.elapsed = scheduler.now() - start;
  report.actors = runtime_->take_shutdown_entries();
  for (const auto& a : report.actors) {
    report.drained += a.drained;
    report.abandoned += a.abandoned;
  }
  runtime_->emit(EventKind::shutdown, 0, "", "done");
  report_ = report;
  return report;
}

}  // namespace troupe
