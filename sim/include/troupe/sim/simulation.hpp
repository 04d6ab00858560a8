// Simulation: a System on a SimScheduler with a Recorder, workloads and a
// run loop with budgets. The usual shape of a simulated test or scenario:
//
//   Simulation sim{{.seed = 7, .strategy = Strategy::random,
//                   .service_time = ServiceTime::fixed(2ms)}};
//   auto w = sim.system().spawn("w", props).value();
//   sim.add(Workload::to(w, Arrivals::constant(1ms, 100), make_job));
//   SimResult r = sim.run();             // until idle, stuck or over budget
//   sim.system().shutdown(15s);          // on the virtual clock
//   std::uint64_t hash = sim.result().hash;
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "troupe/sim/fault_plan.hpp"
#include "troupe/sim/recorder.hpp"
#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/sim/stage.hpp"
#include "troupe/sim/workload.hpp"
#include "troupe/system.hpp"

namespace troupe::sim {

enum class Outcome : std::uint8_t {
  completed,           ///< nothing left to do and no message queued
  stuck,               ///< nothing left to do, but messages are still queued (or,
                       ///< for run_until(done), `done` never held)
  budget_exceeded,     ///< the step or virtual-time budget ran out
  invariant_violated,  ///< the conservation law does not hold
};

std::string_view to_string(Outcome outcome);

/// Messages an actor handled in some stretch of a run.
struct ActorLoad {
  std::string path;
  std::uint64_t handled = 0;
};

struct SimResult {
  Outcome outcome = Outcome::completed;
  std::string reason;                  ///< why, for anything but completed
  std::vector<MessageHolder> holders;  ///< actors still holding messages
  std::uint64_t hash = 0;              ///< of the whole event stream so far
  std::uint64_t event_count = 0;
  std::uint64_t steps = 0;
  std::uint64_t messages = 0;  ///< messages taken into handlers
  std::uint64_t faults = 0;    ///< faults injected
  Duration elapsed{};          ///< virtual time since the start
  SystemStats stats;
  std::vector<RecordedEvent> events;    ///< the kept events (see event_capacity)
  std::uint64_t first_event = 0;        ///< the index in the run of events[0]
  std::uint64_t hash_before_first = 0;  ///< the running hash before events[0]
  /// The actors spawned and not stopped, by path.
  std::vector<std::string> live_actors;
  /// Among the kept events, the actors that handled most messages, busiest
  /// first: what a run over budget was doing. Filled when the outcome is
  /// budget_exceeded (else see Simulation::busiest).
  std::vector<ActorLoad> busiest;
};

/// A fault plan names an actor the run never spawned: a mistake in a plan
/// written for this run, but the sign of a changed run when the plan comes
/// from a recording (a replay reports that as a divergence, not an error).
class UnspawnedFaultTarget : public std::invalid_argument {
 public:
  explicit UnspawnedFaultTarget(const std::string& path)
      : std::invalid_argument("fault plan names " + path +
                              ", but no actor with that path was spawned in this run"),
        path_(path) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Simulation final : public Stage {
 public:
  /// `event_capacity` bounds the events kept for inspection (the hash and
  /// count always cover every event); 0 keeps none, the fastest setting.
  explicit Simulation(SimSettings settings = {}, FaultPlan faults = {},
                      std::size_t event_capacity = 1 << 16);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  System& system() override { return *system_; }
  SimScheduler& scheduler() { return *scheduler_; }
  const Recorder& recorder() const { return recorder_; }

  /// Starts a workload now; its arrivals are timers on the virtual clock.
  void add(Workload workload) override;
  std::uint64_t emitted(std::size_t index) const override { return workload_stats(index).emitted; }
  const WorkloadStats& workload_stats(std::size_t index) const;

  /// Runs until nothing is left to do, or a budget runs out.
  SimResult run();
  /// Runs until the virtual clock reaches now + duration (or idle, or budget).
  SimResult run_for(Duration duration);
  /// Runs until the virtual clock reaches `limit` (or idle, or budget).
  SimResult run_until(TimePoint limit);
  /// Runs until `done()` holds after a step (or idle, or budget).
  SimResult run_until(const std::function<bool()>& done);
  /// Runs until `done()` holds after a step, or the clock reaches `limit`
  /// (or idle, or budget).
  SimResult run_until(TimePoint limit, const std::function<bool()>& done);
  /// run_until(done) with SimResult::events left empty: for a caller that
  /// takes the events once, at the end (take_result), not a copy per call.
  SimResult run_until_without_events(const std::function<bool()>& done);
  /// The summary at this moment (hash, counts, holders).
  SimResult result() const;
  /// The same, the kept events moved out of the recorder instead of copied:
  /// for the end of a run (the recorder keeps no events after it).
  SimResult take_result();

  /// The `top` actors that handled most messages among the kept events.
  std::vector<ActorLoad> busiest(std::size_t top) const;

 private:
  struct Driver;
  /// result() around `events`, the recorder's kept events.
  SimResult summary(std::vector<RecordedEvent> events) const;
  /// Runs; its outcome is in last_outcome_ and last_reason_.
  void run_loop(TimePoint limit, const std::function<bool()>& done);
  void check_fault_targets() const;
  std::string stuck_reason() const;
  void arm(Driver& driver);

  Recorder recorder_;
  std::vector<std::unique_ptr<Driver>> drivers_;  // outlive the system's timers
  SimScheduler* scheduler_ = nullptr;             // owned by system_
  std::unique_ptr<System> system_;
  std::string last_reason_;
  Outcome last_outcome_ = Outcome::completed;
};

}  // namespace troupe::sim
