// A circuit breaker in front of a flaky backend: closed, open and half-open
// are behaviours switched with ctx.become; the open state's cool-down is a
// named single timer; the client calls on a repeating timer. The same actor
// code runs on real threads and then in the simulator (seeded virtual time),
// and both runs must account for every call and balance their books.
//
//   circuit_breaker
#include <atomic>
#include <cstdio>
#include <string>
#include <variant>

#include <troupe/sim/simulation.hpp>
#include <troupe/troupe.hpp>

using namespace troupe;
using namespace std::chrono_literals;

/// A call; `backend_up` is what the backend would do with it.
struct Call {
  int id;
  bool backend_up;
};
struct CoolDownOver {};
using BreakerMsg = std::variant<Call, CoolDownOver>;

struct Tally {
  std::atomic<int> succeeded{0}, failed{0}, rejected{0}, trips{0};
  int total() const { return succeeded + failed + rejected; }
};

constexpr int kFailuresToTrip = 3;
constexpr Duration kCoolDown = 100ms;

class Breaker : public Actor<BreakerMsg> {
 public:
  explicit Breaker(Tally* tally) : tally_(tally) {}

  // Closed: calls go through; kFailuresToTrip failures in a row trip it.
  void receive(Context<BreakerMsg>& ctx, BreakerMsg& m) override {
    const auto* call = std::get_if<Call>(&m);
    if (call == nullptr) return;  // a cool-down from before a restart: nothing to do
    if (pass(*call)) {
      failures_in_a_row_ = 0;
    } else if (++failures_in_a_row_ >= kFailuresToTrip) {
      trip(ctx, "closed");
    }
  }

 private:
  bool pass(const Call& call) {
    (call.backend_up ? tally_->succeeded : tally_->failed)++;
    return call.backend_up;
  }

  void trip(Context<BreakerMsg>& ctx, const char* from) {
    ++tally_->trips;
    log(ctx, from, "open");
    ctx.become([this](Context<BreakerMsg>& c, BreakerMsg& m) { open(c, m); });
    ctx.start_single_timer("cool-down", kCoolDown, CoolDownOver{});
  }

  // Open: calls fail fast until the cool-down is over, then one trial call.
  void open(Context<BreakerMsg>& ctx, BreakerMsg& m) {
    if (std::holds_alternative<Call>(m)) {
      ++tally_->rejected;
      return;
    }
    log(ctx, "open", "half-open");
    ctx.become([this](Context<BreakerMsg>& c, BreakerMsg& msg) { half_open(c, msg); });
  }

  // Half-open: the trial call closes the breaker or opens it again.
  void half_open(Context<BreakerMsg>& ctx, BreakerMsg& m) {
    const auto* call = std::get_if<Call>(&m);
    if (call == nullptr) return;
    if (pass(*call)) {
      failures_in_a_row_ = 0;
      log(ctx, "half-open", "closed");
      ctx.unbecome();  // back to receive: closed
    } else {
      trip(ctx, "half-open");
    }
  }

  void log(Context<BreakerMsg>& ctx, const char* from, const char* to) const {
    if (!verbose_) return;
    const auto at = std::chrono::duration_cast<std::chrono::milliseconds>(ctx.now() - start_);
    std::printf("  %5lld ms  %s -> %s\n", static_cast<long long>(at.count()), from, to);
  }

 public:
  static inline TimePoint start_{};
  static inline bool verbose_ = false;

 private:
  Tally* tally_;
  int failures_in_a_row_ = 0;
};

/// Calls every 10 ms on a repeating timer; the backend is down for calls 10-24.
struct Tick {};
class Client : public Actor<Tick> {
 public:
  Client(ActorRef<BreakerMsg> breaker, int calls) : breaker_(breaker), calls_(calls) {}
  void pre_start(Context<Tick>& ctx) override { ctx.start_timer("call", 10ms, Tick{}); }
  void receive(Context<Tick>& ctx, Tick&) override {
    const bool up = sent_ < 10 || sent_ >= 25;
    if (breaker_.tell(Call{sent_, up}) != SendResult::accepted) return;  // counted by the system
    if (++sent_ == calls_) ctx.cancel_timer("call");
  }

 private:
  ActorRef<BreakerMsg> breaker_;
  int calls_;
  int sent_ = 0;
};

/// The same actors on any scheduler: true when every call is accounted for.
bool run(System& sys, const char* on, bool verbose) {
  constexpr int kCalls = 60;
  Tally tally;
  Breaker::start_ = sys.now();
  Breaker::verbose_ = verbose;
  std::printf("%s:\n", on);
  auto breaker = sys.spawn("breaker", Props<BreakerMsg>::of<Breaker>(&tally)).value();
  sys.spawn("client", Props<Tick>::of<Client>(breaker, kCalls)).value();
  const bool all_in =
      sys.scheduler().wait_until([&] { return tally.total() == kCalls; }, sys.now() + 30s);
  sys.shutdown(5s);
  const SystemStats s = sys.stats();
  std::printf("%s: calls=%d succeeded=%d failed=%d rejected=%d trips=%d dead_letters=%llu %s\n", on,
              kCalls, tally.succeeded.load(), tally.failed.load(), tally.rejected.load(),
              tally.trips.load(), static_cast<unsigned long long>(s.dead_letters()),
              s.balanced() ? "balanced" : "NOT BALANCED");
  return all_in && tally.total() == kCalls && s.balanced() && tally.trips >= 1;
}

int main() {
  bool ok = true;
  {
    System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
    ok = run(sys, "threads", false) && ok;
  }
  {
    sim::Simulation sim{{.seed = 7}};
    ok = run(sim.system(), "simulator", true) && ok;
  }
  std::printf(ok ? "circuit breaker: every call accounted for on both schedulers\n"
                 : "circuit breaker: FAILED\n");
  return ok ? 0 : 1;
}
