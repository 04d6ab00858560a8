// The actors both consumer programs run: a Counter that receives replies and
// an Echo that answers each Ping with one. The same code runs on real threads
// (threads.cpp) and on the simulator's virtual clock (simulated.cpp).
#pragma once

#include <atomic>

#include <troupe/troupe.hpp>

namespace consumer {

struct Reply {
  int n;
};

struct Ping {
  int n;
  troupe::ActorRef<Reply> reply_to;
};

/// Counts the replies it receives into a counter the program reads at the end.
class Counter : public troupe::Actor<Reply> {
 public:
  explicit Counter(std::atomic<int>* replies) : replies_(replies) {}
  void receive(troupe::Context<Reply>&, Reply&) override { replies_->fetch_add(1); }

 private:
  std::atomic<int>* replies_;
};

/// Answers every ping with a reply carrying the same number.
class Echo : public troupe::Actor<Ping> {
 public:
  void receive(troupe::Context<Ping>&, Ping& ping) override {
    // A refused reply is not lost: the system counts it as a dead letter.
    (void)ping.reply_to.tell(Reply{ping.n});
  }
};

inline constexpr int k_pings = 100;

}  // namespace consumer
