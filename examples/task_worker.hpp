// The worker both task-pool examples run: the same actor code on real
// threads (taskpool.cpp) and under the simulator (sim_taskpool.cpp).
#pragma once

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <variant>

#include <troupe/troupe.hpp>

namespace examples {

struct Job {
  int n;
};
struct Fail {};
using Task = std::variant<Job, Fail>;

class Worker : public troupe::Actor<Task> {
 public:
  /// `work` is how long each job takes on real threads (the simulator models
  /// it with a service time instead, so there it is zero).
  Worker(bool print, std::chrono::milliseconds work) : print_(print), work_(work) {}

  void receive(troupe::Context<Task>& ctx, Task& msg) override {
    if (std::holds_alternative<Fail>(msg)) throw std::runtime_error("simulated failure");
    if (work_.count() > 0) std::this_thread::sleep_for(work_);  // stands in for real work
    ++done_;  // state lives in members; a restart starts it again from zero
    if (print_) {
      std::printf("%-10s processed %3d (its %d since start)\n", ctx.path().c_str(),
                  std::get<Job>(msg).n, done_);
    }
  }

 private:
  bool print_;
  std::chrono::milliseconds work_;
  int done_ = 0;
};

}  // namespace examples
