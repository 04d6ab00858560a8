#include "troupe/sim/scenario_run.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <stdexcept>

#include "troupe/saturating_time.hpp"
#include "troupe/sim/eventually.hpp"
#include "troupe/sim/thread_stage.hpp"

namespace troupe::sim {

namespace {

std::string ms_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

std::optional<Violation> check_pool_bounds(const World& world) {
  for (const auto& pool : world.pools) {
    const std::size_t n = pool.size();
    if (n < pool.min || n > pool.max) {
      return Violation{"pool_size_within_bounds", pool.path,
                       std::to_string(n) + " workers, bounds [" + std::to_string(pool.min) + ", " +
                           std::to_string(pool.max) + "]"};
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_cooldown(const PoolWatch& pool,
                                        const std::vector<ScaleDecision>& decisions) {
  for (std::size_t i = 1; i < decisions.size(); ++i) {
    const Duration gap = decisions[i].time - decisions[i - 1].time;
    if (gap < pool.cooldown) {
      return Violation{
          "cooldown_respected", pool.path,
          "two decisions " + ms_text(gap) + " apart, cooldown " + ms_text(pool.cooldown)};
    }
  }
  return std::nullopt;
}

bool has_prefix(const std::string& path, const std::string& prefix) {
  return path.compare(0, prefix.size(), prefix) == 0;
}

/// Restart decisions per actor inside any sliding window, counted as the
/// engine counts them: at the time each is taken (its `restart_scheduled`
/// event). A restart itself happens after its backoff, so restart times can
/// bunch decisions the window kept apart (a long backoff, then a short one)
/// and would accuse a run that kept its budget. The window is the engine's:
/// a decision `within` old or older has left it. By actor id: a parent's
/// restart makes new children with the same paths, and each new incarnation
/// starts with a fresh budget.
std::optional<Violation> check_budgets(const World& world,
                                       const std::vector<RecordedEvent>& events) {
  for (const auto& watch : world.budgets) {
    std::map<ActorId, std::deque<TimePoint>> recent;
    for (const auto& e : events) {
      if (e.kind != EventKind::restart_scheduled || !has_prefix(e.path, watch.path_prefix)) {
        continue;
      }
      auto& times = recent[e.actor];
      times.push_back(e.time);
      while (e.time - times.front() >= watch.budget.within) times.pop_front();
      if (times.size() > static_cast<std::size_t>(watch.budget.max_restarts)) {
        return Violation{"restart_budget_respected", e.path,
                         std::to_string(times.size()) + " restarts decided within " +
                             ms_text(watch.budget.within)};
      }
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_policies(const World& world,
                                        const std::vector<RecordedEvent>& events) {
  if (!world.forbid_budget_exhaustion) return std::nullopt;
  for (const auto& e : events) {
    if (e.kind == EventKind::budget_exceeded) {
      return Violation{"budget_never_exhausted", e.path, "stopped after exhausting its restarts"};
    }
  }
  return std::nullopt;
}

std::optional<Violation> check_shutdown(const World& world, const ShutdownReport& report,
                                        const SystemStats& stats) {
  if (!stats.balanced()) {
    return Violation{"conservation", "", "sent != processed + dead letters + queued"};
  }
  if (stats.queued != 0) {
    return Violation{"shutdown_completes", "",
                     std::to_string(stats.queued) + " messages still queued after shutdown"};
  }
  if (report.deadline_met != (report.abandoned == 0)) {
    return Violation{"shutdown_reports_abandonment", "", "deadline_met disagrees with abandoned"};
  }
  if (world.forbid_abandonment && report.abandoned > 0) {
    for (const auto& a : report.actors) {
      if (a.abandoned > 0) {
        return Violation{"shutdown_drains_everything", a.path,
                         std::to_string(a.abandoned) + " messages abandoned at the deadline"};
      }
    }
  }
  return std::nullopt;
}

/// Every item emitted is accounted for (see World::work).
std::optional<Violation> check_end_to_end(const World& world, const SystemStats& stats) {
  if (!world.work) return std::nullopt;
  const WorkLedger w = world.work();
  const std::uint64_t dead = stats.dead_letters();
  const std::uint64_t dead_after_accept = dead > w.refused ? dead - w.refused : 0;
  const std::uint64_t accounted = w.reached_end + w.given_up + dead_after_accept;
  const std::string counts = std::to_string(w.emitted) + " items emitted, " +
                             std::to_string(w.reached_end) + " reached their end, " +
                             std::to_string(w.given_up) + " given up, " +
                             std::to_string(dead_after_accept) + " dead letters after acceptance";
  if (accounted < w.emitted) {
    return Violation{"lost_work", "",
                     std::to_string(w.emitted - accounted) + " items vanished: " + counts};
  }
  if (accounted > w.emitted || dead < w.refused) {
    return Violation{"work_accounted_twice", "",
                     counts + ", " + std::to_string(w.refused) + " refused sends of " +
                         std::to_string(dead) + " dead letters"};
  }
  return std::nullopt;
}

}  // namespace

std::string RunReport::outcome() const {
  if (!violation) return "pass";
  return "fail: " + violation->invariant + (violation->actor.empty() ? "" : " " + violation->actor);
}

namespace {

/// Stops the autoscalers, shuts down, lets `collect` fill report.result with
/// the run's events (shutdown included), then checks what needs them.
void finish(World& world, System& system, const RunSpec& spec, RunReport& report,
            std::optional<Violation> violation, const std::function<void()>& collect) {
  for (const auto& pool : world.pools) pool.stop_autoscaler();
  if (spec.keep_metrics) report.metrics = system.metrics_text();
  report.shutdown = system.shutdown(world.shutdown_deadline);
  collect();
  const auto& events = report.result.events;
  if (!violation) violation = check_budgets(world, events);
  for (const auto& pool : world.pools) {
    if (!violation) violation = check_cooldown(pool, pool.decisions());
  }
  if (!violation) violation = check_policies(world, events);
  if (!violation) violation = check_shutdown(world, report.shutdown, system.stats());
  if (world.work) report.work = world.work();
  if (!violation) violation = check_end_to_end(world, system.stats());
  for (const auto& check : world.checks) {
    if (!violation) violation = check(system.stats(), events);
  }
  report.violation = violation;
}

/// A recording stays bounded: the run and its shutdown each take at most
/// this many steps, so their decisions fit on the tape.
constexpr std::uint64_t kMaxRecordedSteps = 2'000'000;

std::string describe_loads(const std::vector<ActorLoad>& loads) {
  std::string out;
  for (const auto& l : loads) {
    out += (out.empty() ? "" : ", ") + l.path + " (" + std::to_string(l.handled) + " handled)";
  }
  return out.empty() ? "none" : out;
}

/// What a run that ended early (stuck or over budget) violated, if anything.
std::optional<Violation> run_violation(const SimResult& run, std::size_t kept_events) {
  if (run.outcome == Outcome::stuck) return Violation{"stuck", "", run.reason};
  if (run.outcome == Outcome::budget_exceeded) {
    return Violation{"budget_exceeded", run.busiest.empty() ? "" : run.busiest.front().path,
                     run.reason + "; busiest actors in the last " + std::to_string(kept_events) +
                         " events: " + describe_loads(run.busiest)};
  }
  return std::nullopt;
}

/// A thread the simulator does not own scheduled an actor, armed a timer,
/// drew a number or emitted an event (SimScheduler::foreign_calls,
/// Recorder::foreign_events): the run cannot be reproduced, whatever else it
/// shows, so this verdict comes before any other.
std::optional<Violation> foreign_thread_violation(Simulation& sim) {
  const std::uint64_t calls = sim.scheduler().foreign_calls();
  const std::uint64_t events = sim.recorder().foreign_events();
  if (calls == 0 && events == 0) return std::nullopt;
  // "schedule /a" or "sent /a": the actor is the rest.
  const std::string first =
      calls > 0 ? sim.scheduler().first_foreign_call() : sim.recorder().first_foreign_event();
  const auto space = first.find(' ');
  const std::string actor = space == std::string::npos ? "" : first.substr(space + 1);
  return Violation{"foreign_thread", actor.starts_with('/') ? actor : "",
                   std::to_string(calls) + " call(s) to the simulator and " +
                       std::to_string(events) +
                       " event(s) from a thread it does not own (first: " + first +
                       "), so the run cannot be reproduced; tell actors only from handlers, "
                       "timers and workloads, never from a thread of your own"};
}

SimSettings settings_for(const RunSpec& spec, const RunReport& report) {
  SimSettings settings = report.scenario->settings(report.params);
  settings.seed = spec.seed;
  settings.strategy = spec.strategy;
  settings.pct = spec.pct;
  settings.tape = spec.tape;
  settings.chooser = spec.chooser;
  settings.log_decisions = spec.log_decisions;
  if (spec.tape != nullptr) settings.max_steps = std::min(settings.max_steps, kMaxRecordedSteps);
  return settings;
}

void run_on_simulator(const RunSpec& spec, RunReport& report) {
  Simulation sim{settings_for(spec, report), report.faults, spec.event_capacity};
  struct ClockReset {  // the tape outlives the simulation it reads
    DecisionTape* tape;
    ~ClockReset() {
      if (tape != nullptr) tape->set_event_clock(nullptr);
    }
  } reset{spec.tape};
  if (spec.tape != nullptr) spec.tape->set_event_clock([&sim] { return sim.recorder().count(); });
  World world = report.scenario->build(sim, report.params);
  validate_eventually(world.eventually);
  if (spec.on_built) spec.on_built(sim.system(), world);
  const DecisionTape* tape = spec.tape;
  const auto stop_past_tape = [&] {
    return tape != nullptr && tape->exhausted() && !spec.continue_past_tape;
  };
  // Bounds are checked after every step.
  std::optional<Violation> violation;
  bool tape_full = false;
  const auto step_done = [&] {
    violation = check_pool_bounds(world);
    tape_full = tape != nullptr && tape->nearly_full();
    return violation.has_value() || !world.finished || world.finished() || stop_past_tape() ||
           tape_full;
  };
  SimResult run;
  try {
    run = sim.run_until_without_events(step_done);
  } catch (const UnspawnedFaultTarget& e) {
    // A replayed plan names an actor this run never spawned: the run is not
    // the recorded one (the code or a parameter changed), so it diverged.
    if (tape == nullptr || !tape->replaying()) throw;
    report.unspawned_fault_target = e.path();
    run = sim.result();
  }
  if (!violation && run.outcome == Outcome::completed && !world.eventually.empty() &&
      world.finished && world.finished() && !stop_past_tape() && !tape_full &&
      !report.unspawned_fault_target) {
    auto failed = converge(sim, world.eventually, [&] {
      tape_full = tape != nullptr && tape->nearly_full();
      return stop_past_tape() || tape_full;
    });
    // A replay stopped at the end of its tape diverged: no verdict of its own.
    if (!stop_past_tape() && !tape_full) violation = std::move(failed);
  }
  report.stopped_past_tape = stop_past_tape();
  if (tape_full) {
    run.outcome = Outcome::budget_exceeded;
    run.reason = "decision budget of " + std::to_string(DecisionTape::kMaxDecisions) + " exhausted";
    run.busiest = sim.busiest(3);
  }
  if (!violation && !report.stopped_past_tape && !report.unspawned_fault_target) {
    violation = run_violation(run, sim.recorder().kept_events().size());
  }
  finish(world, sim.system(), spec, report, violation, [&] {
    report.hashes = sim.recorder().running_hashes();
    report.result = sim.take_result();
  });
  report.decisions = sim.scheduler().decisions();
  report.preemptions = sim.scheduler().preemptions();
  if (auto foreign = foreign_thread_violation(sim)) report.violation = foreign;
}

void run_on_threads(const RunSpec& spec, RunReport& report) {
  if (!report.faults.empty()) {
    throw std::invalid_argument(
        "scenario " + spec.scenario +
        ": its fault plan needs the simulator (on threads nothing injects faults); set the fault "
        "parameters to 0 or drop --threads");
  }
  ThreadStage stage{spec.seed == 0 ? 1 : spec.seed, spec.event_capacity};
  World world = report.scenario->build(stage, report.params);
  validate_eventually(world.eventually);  // checked on the simulator only
  std::optional<Violation> violation;
  auto& scheduler = stage.system().scheduler();
  const TimePoint deadline = deadline_after(scheduler.now(), spec.threads_time_limit);
  // Bounds are checked at each wake-up, and at least every 10 ms.
  while (!violation && !(world.finished && world.finished())) {
    if (scheduler.now() >= deadline) {
      violation = Violation{"budget_exceeded", "", "the workload did not finish in time"};
      break;
    }
    scheduler.wait_until([&] { return world.finished && world.finished(); },
                         std::min(deadline, scheduler.now() + std::chrono::milliseconds(10)));
    violation = check_pool_bounds(world);
  }
  finish(world, stage.system(), spec, report, violation, [&] {
    Recorder recorder(0);
    report.result.events = stage.events().events();
    for (const auto& e : report.result.events) {
      recorder.on_event(view(e));
      report.hashes.push_back(recorder.hash());
    }
    report.result.event_count = report.result.events.size();
    report.result.hash = recorder.hash();
    report.result.stats = stage.system().stats();
    report.result.elapsed = report.shutdown.elapsed;
  });
  if (stage.events().dropped() > 0) {
    throw std::length_error("the run has more events than kept (" +
                            std::to_string(spec.event_capacity) + ")");
  }
}

}  // namespace

RunReport run_scenario(const RunSpec& spec) {
  const Scenario* scenario = find_scenario(spec.scenario);
  if (scenario == nullptr) throw std::invalid_argument("unknown scenario '" + spec.scenario + "'");
  RunReport report;
  report.scenario = scenario;
  report.params = resolve_params(*scenario, spec.params);
  report.faults = spec.faults ? *spec.faults : scenario->faults(report.params);
  if (spec.swarm && !spec.faults) {
    Prng swarm_prng = Prng(spec.seed).fork(kSwarmStream);
    report.faults = report.faults.swarm(swarm_prng);
  }
  if (spec.threads) {
    run_on_threads(spec, report);
  } else {
    run_on_simulator(spec, report);
  }
  return report;
}

}  // namespace troupe::sim
