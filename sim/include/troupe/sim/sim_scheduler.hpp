// SimScheduler: runs every actor on the calling thread under a virtual clock.
// At each step a seeded strategy picks what runs next among the runnable
// actors and the timers due now (fifo, random, PCT, or a strategy of the
// caller's); when nothing is left at this instant the clock jumps to the
// next timer or wake-up. A message costs its actor its service time before
// the handler runs, so the handler's effects happen when the service ends;
// others run meanwhile. A seed, a strategy and a fault plan reproduce a run
// exactly, and every choice among two or more candidates is recorded on the
// decision tape (stream "choice"), from which a replay takes it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "troupe/detail/ring_queue.hpp"
#include "troupe/events.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/sim/decision_tape.hpp"
#include "troupe/sim/fault_plan.hpp"
#include "troupe/sim/node_recycler.hpp"
#include "troupe/sim/pct_strategy.hpp"
#include "troupe/sim/prng.hpp"
#include "troupe/sim/schedule_strategy.hpp"
#include "troupe/sim/service_time.hpp"
#include "troupe/sim/streams.hpp"

namespace troupe::sim {

enum class Strategy : std::uint8_t {
  fifo,    ///< runnable actors in the order they became runnable
  random,  ///< a uniformly random runnable actor each step
  pct,     ///< probabilistic concurrency testing (Burckhardt et al. 2010)
  /// coverage-guided (troupe/sim/guided.hpp) through a chooser; without one (a
  /// replay, or a single run) it chooses as random does
  guided,
  /// One schedule of a bounded depth-first enumeration (troupe/sim/systematic.hpp):
  /// its choices come from the explorer's chooser, or from a trace's tape on
  /// replay; alone it is the enumeration's first schedule, fifo.
  systematic,
};

struct SimSettings {
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::fifo;
  PctSettings pct{};
  ServiceTime service_time = ServiceTime::zero();
  /// When set, picks every step instead of `strategy` (systematic or guided
  /// exploration drive runs through one). Shared so settings stay copyable.
  std::shared_ptr<ScheduleStrategy> chooser{};
  /// Keep every decision (candidates, choice) for decisions(): what
  /// systematic exploration and schedule shrinking read.
  bool log_decisions = false;
  /// Steps one wait_until (and Simulation::run) may take: a livelock ends
  /// with budget_exceeded instead of a hang.
  std::uint64_t max_steps = 50'000'000;
  /// Virtual time a run may reach.
  Duration max_time = std::chrono::hours(24);
  /// When set, every random decision is recorded on it, or (a replaying
  /// tape) taken from it instead of the generators. Not owned.
  DecisionTape* tape = nullptr;
};

/// Throws std::invalid_argument naming the bad field.
void validate(const SimSettings& settings);

/// One scheduling decision: how many candidates there were, which was taken.
struct Decision {
  std::uint32_t candidates = 0;
  std::uint32_t chosen = 0;
};

std::optional<Strategy> parse_strategy(std::string_view name);
std::string_view to_string(Strategy strategy);

class SimScheduler final : public Scheduler {
 public:
  explicit SimScheduler(SimSettings settings = {}, FaultPlan faults = {},
                        EventSink* events = nullptr);

  // The Scheduler seam.
  void schedule(Resumable& r) override;
  TimePoint now() const override { return now_; }
  TimerId after(Duration delay, std::function<void()> callback) override;
  bool cancel(TimerId id) override;
  std::uint64_t random() override {
    if (!on_owner_thread()) return refuse_foreign_random();  // never races the stream
    return engine_stream_.next();
  }
  std::size_t throughput() const override { return 1; }
  bool wait_until(const std::function<bool()>& done, TimePoint deadline) override;
  void wake_waiters() override {}
  bool on_own_thread() const override { return stepping_ > 0; }
  void stop() override { stopped_ = true; }
  bool injects_failures() const override;
  bool times_handlers() const override { return true; }
  bool inject_failure(const ResumableInfo& actor, std::uint64_t message_seq,
                      std::string& what) override;
  void work(Duration time) override;
  Duration effects_delay() const override { return work_; }
  void hold(std::function<void()> effect) override;

  /// Runs one activation or fires one timer, moving the clock to the next
  /// due time first if nothing is left at this instant.
  /// False when there is nothing left to do at any time.
  bool step();
  /// Moves the clock forward to `t` when nothing is runnable and nothing is
  /// due before it (what an idle stretch of virtual time looks like).
  void advance_to(TimePoint t);
  /// When the next timer or deferred wake-up is due, if any.
  std::optional<TimePoint> next_due() const;
  bool has_runnable() const {
    return !runnable_.empty() || foreign_waiting_.load(std::memory_order_acquire);
  }
  /// Every decision so far, when settings().log_decisions is set.
  const std::vector<Decision>& decisions() const { return decisions_; }
  /// Decisions that took another candidate than the first (the default
  /// order): the preemptions of the run so far.
  std::uint64_t preemptions() const { return preemptions_; }
  /// Switches every fault of the plan off for the rest of the run (the
  /// convergence phase of a scenario's eventually properties).
  void end_faults() { faults_ended_ = true; }
  bool faults_ended() const { return faults_ended_; }

  const SimSettings& settings() const { return settings_; }
  const FaultPlan& faults() const { return faults_; }
  std::uint64_t steps() const { return steps_; }
  std::uint64_t faults_injected() const { return faults_injected_; }
  std::uint64_t messages_handled() const { return messages_handled_; }
  /// True once a wait_until gave up because it used its whole step budget.
  bool budget_exhausted() const { return budget_exhausted_; }

  /// Calls of schedule(), after() or random() made from a thread other than the one
  /// that constructed the simulator. A run with any is not reproducible, and
  /// run_scenario fails it with "foreign_thread". Such a call touches none of
  /// the simulator's structures (that would race its thread): a refused
  /// timer never fires, and a refused actor waits aside until the simulator's
  /// thread takes it in at its next step, so its message (already in the
  /// mailbox) is still handled and counted.
  std::uint64_t foreign_calls() const { return foreign_calls_.load(std::memory_order_acquire); }
  /// What the first foreign call was, e.g. "schedule /a" or "after 5000000ns".
  std::string first_foreign_call() const;

  /// A workload stream, independent of scheduling and faults.
  Prng workload_stream(std::uint64_t index) const {
    Prng stream = root_.fork(kWorkloadStreamBase + index);
    if (settings_.tape != nullptr) stream.record_to(settings_.tape, kWorkloadStreamBase + index);
    return stream;
  }

 private:
  using Key = std::pair<TimePoint, std::uint64_t>;  // due, then insertion order
  class StepCandidates;

  bool on_owner_thread() const { return std::this_thread::get_id() == owner_; }
  /// Counts a call from another thread and keeps the first one's description.
  void refuse_foreign(std::string call, Resumable* waiting = nullptr);
  /// A number for another thread's random() (a router on a foreign tell),
  /// counted as a foreign call, without touching the engine's stream.
  std::uint64_t refuse_foreign_random();
  /// Makes runnable (on the owning thread) what other threads scheduled.
  void take_in_foreign();

  bool step_once();
  bool has_due_timer() const;
  void collect_due_now();
  std::size_t decide();
  void run_actor(Resumable& r);
  bool charge_service(Resumable& r, const ResumableInfo& info);
  void run_activation(Resumable& r);
  void defer(Resumable& r, TimePoint until);
  void make_runnable(Resumable& r);
  void fire_timer(const Key& key);
  /// Runs, in order, the effects `actor` held that are due by now.
  void release_held(std::uint64_t actor);
  TimePoint stalled_until(const ResumableInfo& actor) const;
  double slow_factor(const ResumableInfo& actor) const;
  void record_fault(const ResumableInfo& actor, std::string_view kind, std::int64_t value);

  SimSettings settings_;
  FaultPlan faults_;
  EventSink* events_;
  Prng root_;
  Prng fault_stream_;
  Prng service_stream_;
  Prng engine_stream_;
  std::unique_ptr<ScheduleStrategy> own_strategy_;
  bool strategy_sees_every_step_ = false;  // asked once: a virtual call a step saved
  ScheduleStrategy* strategy_ = nullptr;   // own_strategy_ or settings_.chooser

  TimePoint now_{};
  std::uint64_t next_seq_ = 0;
  std::uint64_t steps_ = 0;
  std::uint64_t faults_injected_ = 0;
  std::uint64_t messages_handled_ = 0;
  std::uint64_t preemptions_ = 0;
  bool budget_exhausted_ = false;
  bool stopped_ = false;
  bool faults_ended_ = false;  // no fault is injected once set (end_faults)
  int stepping_ = 0;           // > 0 while step() runs an actor or a timer callback
  Duration work_{};            // declared by the running activation (Context::work)
  bool in_activation_ = false;
  Resumable* running_ = nullptr;  // the actor in the activation, while in_activation_

  struct HeldEffect {
    TimePoint due;
    std::function<void()> effect;
  };
  /// Effects held by an actor's declared work (hold()), oldest first, by
  /// actor id. Looked up by id, never iterated: determinism does not depend on it.
  std::unordered_map<std::uint64_t, std::deque<HeldEffect>> held_;

  // The only members another thread may touch (refuse_foreign).
  const std::thread::id owner_ = std::this_thread::get_id();
  std::atomic<std::uint64_t> foreign_calls_{0};
  std::atomic<bool> foreign_waiting_{false};  // foreign_ready_ is not empty
  mutable std::mutex foreign_mu_;
  std::string first_foreign_call_;         // guarded by foreign_mu_
  std::vector<Resumable*> foreign_ready_;  // guarded by foreign_mu_

  detail::RingQueue<Resumable*> runnable_;
  std::vector<Key> due_now_;  // timers due at this instant, this step's candidates
  // Timers, deferrals and paid service times come and go with messages: their
  // nodes are recycled here instead of taken from the heap (half of a
  // sweep's allocations were these). Declared first: it outlives the maps.
  NodeRecycler nodes_;
  std::pmr::map<Key, std::function<void()>> timers_{&nodes_};
  std::pmr::map<TimerId, Key> timer_keys_{&nodes_};
  std::pmr::map<Key, Resumable*> deferred_{&nodes_};
  std::vector<Decision> decisions_;
  // Looked up by actor id, never iterated: determinism does not depend on it.
  std::pmr::unordered_map<std::uint64_t, TimePoint> busy_until_{&nodes_};
  /// Service time already spent on an actor's next message: its handler
  /// runs when the actor comes up again.
  std::pmr::unordered_map<std::uint64_t, Duration> paid_{&nodes_};
};

}  // namespace troupe::sim
