// Graceful shutdown over generated work and deadlines: nothing abandoned when
// the deadline allows the work, exact accounting when it does not, every
// actor stopped by the deadline plus one handler, and idempotence.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

#include "world.hpp"

namespace troupe::props {
namespace {

struct ShutdownWorld {
  SimWorld sim;
  std::vector<int> queued;  // messages per actor
  int service_ms = 1;
  int deadline_ms = 0;
};

std::ostream& operator<<(std::ostream& os, const ShutdownWorld& w) {
  os << w.sim << " service=" << w.service_ms << "ms deadline=" << w.deadline_ms << "ms queued=[";
  for (int q : w.queued) os << q << " ";
  return os << "]";
}

rc::Gen<ShutdownWorld> gen_shutdown_world() {
  return rc::gen::build<ShutdownWorld>(
      rc::gen::set(&ShutdownWorld::sim, gen_sim_world()),
      rc::gen::set(&ShutdownWorld::queued, gen_up_to<std::vector<int>>(5, rc::gen::inRange(0, 60))),
      rc::gen::set(&ShutdownWorld::service_ms, rc::gen::inRange(1, 20)),
      rc::gen::set(&ShutdownWorld::deadline_ms, rc::gen::inRange(-50, 1500)));
}

/// `deadline_seam` is how the world's deadline reaches the engine.
void shutdown_property(const std::function<Duration(Duration)>& deadline_seam) {
  const auto w = *gen_shutdown_world();
  const Duration service = ms(w.service_ms);
  sim::Simulation sim{{.seed = w.sim.seed,
                       .strategy = w.sim.strategy,
                       .service_time = sim::ServiceTime::fixed(service)},
                      {},
                      0};
  int accepted = 0;
  int max_queued = 0;
  for (std::size_t a = 0; a < w.queued.size(); ++a) {
    auto ref = sim.system()
                   .spawn(std::string("a").append(std::to_string(a)),
                          Props<int>::from_function([](Context<int>&, int&) {}))
                   .value();
    for (int i = 0; i < w.queued[a]; ++i) accepted += ref.tell(i) == SendResult::accepted ? 1 : 0;
    max_queued = std::max(max_queued, w.queued[a]);
  }
  const Duration deadline = ms(w.deadline_ms);
  const auto report = sim.system().shutdown(deadline_seam(deadline));
  const auto stats = sim.system().stats();
  // Actors work in parallel, one message per service time each.
  const Duration work = service * max_queued;
  if (deadline >= work) {
    RC_ASSERT(report.deadline_met);
    RC_ASSERT(report.abandoned == 0u);
    RC_ASSERT(stats.processed == static_cast<std::uint64_t>(accepted));
  } else {
    RC_ASSERT(report.abandoned + stats.processed == static_cast<std::uint64_t>(accepted));
    RC_ASSERT(report.abandoned == stats.dead_letters(DeadLetterReason::shutdown_abandoned));
    // Every actor is stopped by the deadline plus the handler it was in.
    RC_ASSERT(report.elapsed <= std::max(deadline, Duration::zero()) + service);
  }
  RC_ASSERT(stats.balanced());
  RC_ASSERT(stats.queued == 0u);
  const auto again = sim.system().shutdown(deadline);
  RC_ASSERT(again.drained == report.drained && again.abandoned == report.abandoned &&
            again.elapsed == report.elapsed);
}

RC_GTEST_PROP(ShutdownProperties, DrainsWhatTheDeadlineAllowsAndAccountsForTheRest, ()) {
  shutdown_property([](Duration d) { return d; });
}

TEST(ShutdownProperties, CatchesAShutdownThatOverrunsItsDeadline) {
  const auto failure =
      find_failure([] { shutdown_property([](Duration d) { return d * 3 + 100ms; }); });
  ASSERT_TRUE(failure.has_value());
}

}  // namespace
}  // namespace troupe::props
