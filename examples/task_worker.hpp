// The worker both task-pool examples run: the same actor code on real
// threads (taskpool.cpp) and under the simulator (sim_taskpool.cpp).
#pragma once

#include <cstdio>
#include <stdexcept>
#include <variant>

#include "engine/troupe.hpp"

namespace examples {

struct Job {
  int n;
};
struct Fail {};
using Task = std::variant<Job, Fail>;

class Worker : public troupe::Actor<Task> {
 public:
  explicit Worker(bool print) : print_(print) {}

  void receive(troupe::Context<Task>& ctx, Task& msg) override {
    if (std::holds_alternative<Fail>(msg)) throw std::runtime_error("simulated failure");
    ++done_;  // state lives in members; a restart starts it again from zero
    if (print_) {
      std::printf("%-10s processed %3d (its %d since start)\n", ctx.path().c_str(),
                  std::get<Job>(msg).n, done_);
    }
  }

 private:
  bool print_;
  int done_ = 0;
};

}  // namespace examples
