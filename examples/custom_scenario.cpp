// Your own scenario under the troupe command: register it, then hand the
// arguments to run_troupe. Everything works on it: run, explore, replay,
// shrink, show, list.
//
//   build/examples/my_troupe list
//   build/examples/my_troupe run -s echo-burst -p bursts=5
//   build/examples/my_troupe explore -s echo-burst --seeds 200 -p capacity=2
#include <variant>

#include <troupe/cli/troupe_cli.hpp>
#include <troupe/sim/scenario.hpp>

using namespace troupe;
using namespace troupe::sim;
using namespace std::chrono_literals;

namespace {

/// One echo actor with a small mailbox receives bursts; it must never refuse
/// a message ("no_refusals"), which a too small capacity breaks.
World build_echo_burst(Stage& sim, const Params& p) {
  const auto capacity = static_cast<std::size_t>(p.at("capacity"));
  auto echo = sim.system()
                  .spawn("echo", Props<int>::from_function([](Context<int>&, int&) {})
                                     .mailbox({.capacity = capacity})
                                     .kind("echo"))
                  .value();
  const auto bursts = static_cast<std::uint64_t>(p.at("bursts"));
  sim.add(Workload::to<int>(echo, Arrivals::bursts(5ms, 50ms, 2000.0, bursts * 10),
                            [](std::uint64_t i) { return static_cast<int>(i); }));
  World world;
  world.finished = [&sim, bursts] {
    return sim.emitted(0) == bursts * 10 && sim.system().quiescent();
  };
  world.forbid_abandonment = true;
  world.checks.push_back([](const SystemStats& stats, const std::vector<RecordedEvent>&) {
    const auto refused = stats.dead_letters(DeadLetterReason::mailbox_full);
    return refused == 0 ? std::nullopt
                        : std::optional<Violation>(Violation{"no_refusals", "/echo",
                                                             std::to_string(refused) + " refused"});
  });
  return world;
}

}  // namespace

int main(int argc, char** argv) {
  register_scenario(
      Scenario{.name = "echo-burst",
               .description = "bursts of 10 messages against one echo actor's mailbox",
               .params = {{"bursts", 20, 1, 10000, "bursts sent", true},
                          {"capacity", 16, 1, 4096, "the echo actor's mailbox capacity"}},
               .faults = [](const Params&) { return FaultPlan{}; },
               .settings =
                   [](const Params&) {
                     return SimSettings{
                         .service_time = ServiceTime::per_kind(
                             {{"echo", ServiceTime::uniform(100us, 900us)}}, ServiceTime::zero())};
                   },
               .build = build_echo_burst});
  return troupe::cli::run_troupe(argc, argv);
}
