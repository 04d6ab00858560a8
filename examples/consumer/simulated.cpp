// The same actors on the simulator's seeded virtual clock (troupe::sim).
// Prints "consumer: 100 replies in the simulator, balanced, run hash H";
// one seed gives one hash on every run and every machine.
#include <chrono>
#include <cstdio>

#include <troupe/sim/simulation.hpp>
#include <troupe/troupe.hpp>
#include "ping.hpp"

using namespace std::chrono_literals;

int main() {
  troupe::sim::Simulation sim{{.seed = 7, .strategy = troupe::sim::Strategy::random}};
  std::atomic<int> replies{0};
  auto counter =
      sim.system()
          .spawn("counter", troupe::Props<consumer::Reply>::of<consumer::Counter>(&replies))
          .value();
  auto echo =
      sim.system().spawn("echo", troupe::Props<consumer::Ping>::of<consumer::Echo>()).value();
  for (int i = 0; i < consumer::k_pings; ++i) {
    if (echo.tell(consumer::Ping{i, counter}) != troupe::SendResult::accepted) return 1;
  }
  sim.run();
  const troupe::ShutdownReport report = sim.system().shutdown(10s);
  const bool balanced = sim.system().stats().balanced();
  std::printf("consumer: %d replies in the simulator, %s, run hash %016llx\n", replies.load(),
              balanced ? "balanced" : "NOT balanced",
              static_cast<unsigned long long>(sim.result().hash));
  return replies.load() == consumer::k_pings && balanced && report.deadline_met ? 0 : 1;
}
