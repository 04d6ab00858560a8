// The stash over generated sequences of stash, unstash, failure and restart,
// under both StashOnRestart settings and a small stash bound: every job is
// handled exactly once or is a counted dead letter (stash_full, or
// stash_discarded), or is still stashed; the books balance before and after
// shutdown, which turns what is still stashed into actor_stopped dead letters.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <map>
#include <vector>

#include "world.hpp"

namespace troupe::props {
namespace {

struct Cmd {
  enum Kind { job, gate_on, gate_off, unstash_one, fail } kind = job;
};

struct StashWorld {
  SimWorld sim;
  bool dead_letter_on_restart = false;
  int stash_capacity = 1;
  std::vector<Cmd::Kind> commands;
};

std::ostream& operator<<(std::ostream& os, const StashWorld& w) {
  os << w.sim << (w.dead_letter_on_restart ? " dead_letter" : " keep")
     << " stash_capacity=" << w.stash_capacity << " commands=[";
  static constexpr const char* kNames[] = {"job", "on", "off", "one", "fail"};
  for (auto c : w.commands) os << kNames[c] << " ";
  return os << "]";
}

rc::Gen<StashWorld> gen_stash_world() {
  // Jobs most often, so that the stash fills and overflows.
  const auto command = rc::gen::weightedElement<Cmd::Kind>({{6, Cmd::job},
                                                            {2, Cmd::gate_on},
                                                            {2, Cmd::gate_off},
                                                            {1, Cmd::unstash_one},
                                                            {1, Cmd::fail}});
  return rc::gen::build<StashWorld>(
      rc::gen::set(&StashWorld::sim, gen_sim_world()),
      rc::gen::set(&StashWorld::dead_letter_on_restart),
      rc::gen::set(&StashWorld::stash_capacity, rc::gen::inRange(1, 6)),
      rc::gen::set(&StashWorld::commands, gen_up_to<std::vector<Cmd::Kind>>(60, command)));
}

struct Msg {
  Cmd::Kind kind;
  int id;
};

struct StashRun {
  std::map<int, int> handled;  // job id -> times handled
  int jobs = 0;
  int fails = 0;
  SystemStats before_shutdown;
  SystemStats after_shutdown;
};

/// Stashes jobs while gated. `forget(id)`: a planted defect, a job the
/// actor neither handles nor stashes.
class Gated : public Actor<Msg> {
 public:
  Gated(StashRun* run, std::function<bool(int)> forget) : run_(run), forget_(std::move(forget)) {}
  void receive(Context<Msg>& ctx, Msg& m) override {
    switch (m.kind) {
      case Cmd::job:
        if (forget_(m.id)) return;
        if (gated_) {
          ctx.stash();  // a refusal is a counted stash_full dead letter
        } else {
          ++run_->handled[m.id];
        }
        break;
      case Cmd::gate_on:
        gated_ = true;
        break;
      case Cmd::gate_off:
        gated_ = false;
        ctx.unstash_all();
        break;
      case Cmd::unstash_one:
        ctx.unstash();  // handled at once if not gated, stashed again if gated
        break;
      case Cmd::fail:
        throw std::runtime_error("planned failure");
    }
  }

 private:
  StashRun* run_;
  std::function<bool(int)> forget_;
  bool gated_ = false;
};

StashRun run_stash_world(const StashWorld& w, const std::function<bool(int)>& forget) {
  StashRun out;
  sim::Simulation sim{{.seed = w.sim.seed, .strategy = w.sim.strategy}};
  const auto on_restart =
      w.dead_letter_on_restart ? StashOnRestart::dead_letter : StashOnRestart::keep;
  auto actor =
      sim.system()
          .spawn("gated", Props<Msg>::of<Gated>(&out, forget)
                              .stash({.capacity = static_cast<std::size_t>(w.stash_capacity),
                                      .on_restart = on_restart})
                              .restart({.max_restarts = 1000, .within = 1h}))
          .value();
  for (const auto kind : w.commands) {
    const int id = kind == Cmd::job ? out.jobs++ : -1;
    if (kind == Cmd::fail) ++out.fails;
    RC_ASSERT(actor.tell(Msg{kind, id}) == SendResult::accepted);
  }
  sim.run();
  out.before_shutdown = sim.system().stats();
  sim.system().shutdown(1h);
  out.after_shutdown = sim.system().stats();
  return out;
}

void check_stash_world(const StashRun& run) {
  const auto& before = run.before_shutdown;
  RC_ASSERT(before.balanced());
  std::uint64_t handled = 0;
  for (const auto& [id, times] : run.handled) {
    RC_ASSERT(times == 1);  // never twice
    handled += static_cast<std::uint64_t>(times);
  }
  // Every job: handled, a stash dead letter, or still stashed (queued).
  const std::uint64_t jobs = static_cast<std::uint64_t>(run.jobs);
  RC_ASSERT(handled + before.dead_letters(DeadLetterReason::stash_full) +
                before.dead_letters(DeadLetterReason::stash_discarded) + before.queued ==
            jobs);
  RC_ASSERT(before.dead_letters(DeadLetterReason::handler_failed) ==
            static_cast<std::uint64_t>(run.fails));
  RC_ASSERT(before.processed + before.dead_letters() + before.queued == before.sent);
  const auto& after = run.after_shutdown;
  RC_ASSERT(after.balanced());
  RC_ASSERT(after.queued == 0u);
  RC_ASSERT(after.dead_letters(DeadLetterReason::actor_stopped) == before.queued);
}

RC_GTEST_PROP(StashProperties, EveryJobIsHandledOnceOrACountedDeadLetter, ()) {
  const auto w = *gen_stash_world();
  check_stash_world(run_stash_world(w, [](int) { return false; }));
}

TEST(StashProperties, CatchesAnActorThatForgetsAJob) {
  const auto failure = find_failure([] {
    const auto w = *gen_stash_world();
    check_stash_world(run_stash_world(w, [](int id) { return id == 3; }));
  });
  ASSERT_TRUE(failure.has_value());
}

}  // namespace
}  // namespace troupe::props
