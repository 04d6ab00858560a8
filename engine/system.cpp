#include "engine/system.hpp"

#include <stdexcept>

#include "engine/assert.hpp"

namespace troupe {

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
  runtime_->scheduler().stop();
  runtime_->detach_sink();
  runtime_->unregister_cell(*guardian_);
}

bool System::is_shut_down() const {
  std::lock_guard lock(shutdown_mu_);
  return report_.has_value();
}

bool System::await_quiescence(Duration timeout) {
  if (detail::current_cell() != nullptr) {
    throw std::logic_error("System::await_quiescence called from inside an actor");
  }
  return runtime_->scheduler().wait_until([this] { return runtime_->quiescent(); },
                                          runtime_->scheduler().now() + timeout);
}

ShutdownReport System::shutdown(Duration deadline) {
  if (detail::current_cell() != nullptr) {
    throw std::logic_error("System::shutdown called from inside an actor; call it from outside");
  }
  std::lock_guard lock(shutdown_mu_);
  if (report_) return *report_;

  const TimePoint start = runtime_->scheduler().now();
  runtime_->begin_shutdown();
  runtime_->emit(EventKind::shutdown, 0, "", "drain");
  const bool drained =
      runtime_->scheduler().wait_until([this] { return runtime_->quiescent(); }, start + deadline);

  ShutdownReport report;
  report.deadline_met = drained;
  if (!drained) {
    runtime_->emit(EventKind::shutdown, 0, "", "abandon");
    runtime_->abandon_all_queues();
  }
  runtime_->emit(EventKind::shutdown, 0, "", "stop");
  const auto reason =
      drained ? DeadLetterReason::actor_stopped : DeadLetterReason::shutdown_abandoned;
  guardian_->enqueue_signal(detail::Signal{detail::Signal::Kind::stop, nullptr, {}, reason});
  // Handlers already running finish: threads cannot be pre-empted. Nothing
  // queued is handled any more, so this wait is as long as the longest one.
  runtime_->scheduler().wait_until([this] { return guardian_->terminated(); }, TimePoint::max());
  TROUPE_ASSERT(guardian_->terminated());

  report.elapsed = runtime_->scheduler().now() - start;
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
