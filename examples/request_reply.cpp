// Request and reply: a client asks a worker with a timeout, on real threads
// and in the simulator, with the same actor code. The worker answers, works
// too long for one request (a timeout, then a counted late reply) and fails
// on another (the ask ends at once with the failure). The client receives
// every outcome as its own message; main asks from outside with ask().
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>

#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/troupe.hpp"

using namespace troupe;
using namespace std::chrono_literals;

// The worker's protocol: each request carries where its reply goes.
struct Square {
  int n;
  ReplyTo<int> reply_to;
};
using WorkerMsg = std::variant<Square>;

class Worker : public Actor<WorkerMsg> {
 public:
  void receive(Context<WorkerMsg>& ctx, WorkerMsg& m) override {
    auto& req = std::get<Square>(m);
    if (req.n < 0) throw std::domain_error("cannot square " + std::to_string(req.n));
    if (req.n > 100) ctx.work(200ms);  // big numbers are slow
    (void)req.reply_to.tell(req.n * req.n);
  }
};

// The client's protocol: its own requests and the outcomes of its asks.
struct Compute {
  int n;
};
struct Answer {
  int n;
  AskResult<int> result;
};
using ClientMsg = std::variant<Compute, Answer>;

class Client : public Actor<ClientMsg> {
 public:
  explicit Client(ActorRef<WorkerMsg> worker) : worker_(std::move(worker)) {}
  void receive(Context<ClientMsg>& ctx, ClientMsg& m) override {
    if (auto* c = std::get_if<Compute>(&m)) {
      const int n = c->n;
      ctx.ask<int>(
          worker_,
          [n](ReplyTo<int> to) {
            return WorkerMsg{Square{n, to}};
          },
          100ms,
          [n](AskResult<int> r) {
            return ClientMsg{Answer{n, std::move(r)}};
          });
      return;
    }
    auto& a = std::get<Answer>(m);
    if (a.result.ok()) {
      std::printf("  client: %d squared is %d\n", a.n, a.result.value());
    } else {
      std::printf("  client: %d failed: %s (%s)\n", a.n,
                  std::string(to_string(a.result.error().kind)).c_str(),
                  a.result.error().message.c_str());
    }
  }

 private:
  ActorRef<WorkerMsg> worker_;
};

static bool run(const char* name, std::unique_ptr<Scheduler> scheduler) {
  std::printf("%s:\n", name);
  System sys(std::move(scheduler));
  auto worker = sys.spawn("worker", Props<WorkerMsg>::of<Worker>()).value();
  auto client = sys.spawn("client", Props<ClientMsg>::of<Client>(worker)).value();
  // In turn, so that the output reads the same on both schedulers.
  for (int n : {7, 1000, -3}) {
    if (client.tell(Compute{n}) != SendResult::accepted) return false;
    if (!sys.await_quiescence(10s)) return false;
  }
  // From outside actors: a handle whose get() waits (or runs the simulation).
  AskResult<int> outside = ask<int>(
                               worker,
                               [](ReplyTo<int> to) {
                                 return WorkerMsg{Square{12, to}};
                               },
                               1s)
                               .get();
  std::printf("  main: 12 squared is %d\n", outside.value());
  (void)sys.shutdown(10s);
  const SystemStats s = sys.stats();
  std::printf("  late replies: %llu, conservation: %s\n",
              static_cast<unsigned long long>(s.dead_letters(DeadLetterReason::late_reply)),
              s.balanced() ? "balanced" : "NOT balanced");
  return s.balanced();
}

int main() {
  const bool threads = run("threads", std::make_unique<ThreadScheduler>());
  const bool simulated =
      run("simulator", std::make_unique<sim::SimScheduler>(sim::SimSettings{.seed = 1}));
  return threads && simulated ? 0 : 1;
}
