#include "troupe/sim/schedule_strategy.hpp"

namespace troupe::sim {

namespace {

class Fifo final : public ScheduleStrategy {
 public:
  std::size_t choose(const Candidates&) override { return 0; }
};

class Random final : public ScheduleStrategy {
 public:
  explicit Random(Prng stream) : stream_(stream) {}
  std::size_t choose(const Candidates& candidates) override {
    return static_cast<std::size_t>(stream_.below(candidates.size()));
  }

 private:
  Prng stream_;
};

}  // namespace

std::unique_ptr<ScheduleStrategy> make_fifo_strategy() {
  return std::make_unique<Fifo>();
}

std::unique_ptr<ScheduleStrategy> make_random_strategy(Prng stream) {
  return std::make_unique<Random>(stream);
}

}  // namespace troupe::sim
