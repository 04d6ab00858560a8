// A program of your own on real threads: only troupe::engine (this file is
// also what the pkg-config check compiles). Prints
// "consumer: 100 replies on threads, balanced" and exits 0 when all came back.
#include <chrono>
#include <cstdio>
#include <memory>

#include <troupe/troupe.hpp>
#include "ping.hpp"

using namespace std::chrono_literals;

int main() {
  troupe::System sys{std::make_unique<troupe::ThreadScheduler>()};
  std::atomic<int> replies{0};
  auto counter =
      sys.spawn("counter", troupe::Props<consumer::Reply>::of<consumer::Counter>(&replies)).value();
  auto echo = sys.spawn("echo", troupe::Props<consumer::Ping>::of<consumer::Echo>()).value();
  for (int i = 0; i < consumer::k_pings; ++i) {
    if (echo.tell(consumer::Ping{i, counter}) != troupe::SendResult::accepted) return 1;
  }
  sys.await_quiescence(10s);
  const troupe::ShutdownReport report = sys.shutdown(10s);
  const bool balanced = sys.stats().balanced();
  std::printf("consumer: %d replies on threads, %s\n", replies.load(),
              balanced ? "balanced" : "NOT balanced");
  return replies.load() == consumer::k_pings && balanced && report.deadline_met ? 0 : 1;
}
