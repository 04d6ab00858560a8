// A backpressured pipeline: source -> pool of workers -> sink, every mailbox
// small, on real threads and in the simulator with the same actor code. Each
// stage sends with ctx.offer: when the next stage is full, the message stays
// with the sender, which takes no message of its own until a notice says
// there is room. So a slow sink slows the workers, whose full mailboxes slow
// the source, and no job is dropped or retried on a timer. Exits nonzero
// unless every job reached the sink exactly once with no dead letter.
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <variant>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

using namespace troupe;
using namespace std::chrono_literals;

constexpr int kJobs = 600;

struct Job {
  int id;
};
struct Squared {
  int id;
  long square;
};

/// The sink counts what reaches it, slowly (capacity 4).
struct Received {
  std::mutex mu;
  std::vector<int> times_seen = std::vector<int>(kJobs, 0);
  int total = 0;
};

Props<Squared> sink_props(Received* received) {
  return Props<Squared>::from_function([received](Context<Squared>& ctx, Squared& r) {
           ctx.work(300us);  // the bottleneck
           std::lock_guard lock(received->mu);
           ++received->times_seen.at(static_cast<std::size_t>(r.id));
           ++received->total;
         })
      .mailbox({.capacity = 4});
}

// A worker's protocol: jobs, and the notice that the sink has room.
struct SinkRoom {};
using WorkerMsg = std::variant<Job, SinkRoom>;

/// Squares a job and offers the result to the sink; while the sink is full
/// it keeps that one result and, gated, takes no job until SinkRoom.
class Worker : public Actor<WorkerMsg> {
 public:
  explicit Worker(ActorRef<Squared> sink) : sink_(std::move(sink)) {}
  void receive(Context<WorkerMsg>& ctx, WorkerMsg& m) override {
    if (auto* job = std::get_if<Job>(&m)) {
      if (pending_) throw std::logic_error("a job reached a worker that waits for the sink");
      ctx.work(100us);
      pending_ = Squared{job->id, static_cast<long>(job->id) * job->id};
    }
    if (!pending_) return;
    switch (ctx.offer(sink_, *pending_, WorkerMsg{SinkRoom{}})) {
      case OfferResult::full:
        return;                // SinkRoom comes next
      case OfferResult::busy:  // the sink allows more waiters than there are workers
        throw std::logic_error("more workers wait for the sink than its limit");
      case OfferResult::accepted:
      case OfferResult::refused:  // the sink stopped: a counted dead letter
        pending_.reset();
        return;
    }
  }

 private:
  ActorRef<Squared> sink_;
  std::optional<Squared> pending_;
};

// The source's protocol: start, and the notice that a worker has room.
struct Start {};
struct PoolRoom {};
using SourceMsg = std::variant<Start, PoolRoom>;

/// Offers every job to the pool, pausing whenever all workers are full.
class Source : public Actor<SourceMsg> {
 public:
  explicit Source(Pool<WorkerMsg> workers) : workers_(std::move(workers)) {}
  void receive(Context<SourceMsg>& ctx, SourceMsg&) override {
    while (next_ < kJobs) {
      WorkerMsg job{Job{next_}};
      const OfferResult r = ctx.offer(workers_, job, SourceMsg{PoolRoom{}});
      if (r == OfferResult::full) return;  // the job stays here; PoolRoom comes next
      if (r == OfferResult::busy) throw std::logic_error("the only source found no place to wait");
      ++next_;  // accepted, or refused (the pool stopped: a counted dead letter)
    }
  }

 private:
  Pool<WorkerMsg> workers_;
  int next_ = 0;
};

/// The same actors on any scheduler: true when every job reached the sink once.
bool run(System& sys, const char* on) {
  Received received;
  auto sink = sys.spawn("sink", sink_props(&received)).value();
  // Three workers of capacity 2 and a sink of capacity 4: 10 places for 600 jobs.
  auto worker = Props<WorkerMsg>::of<Worker>(sink).mailbox({.capacity = 2});
  auto workers = Pool<WorkerMsg>::spawn(sys, "workers", worker, {.min = 3, .max = 3}).value();
  auto source = sys.spawn("source", Props<SourceMsg>::of<Source>(workers)).value();
  (void)source.tell(Start{});
  const bool all_in = sys.scheduler().wait_until(
      [&] {
        std::lock_guard lock(received.mu);
        return received.total == kJobs;
      },
      sys.now() + 60s);
  sys.shutdown(5s);
  const SystemStats s = sys.stats();
  int once = 0;
  {
    std::lock_guard lock(received.mu);
    for (int n : received.times_seen) once += n == 1 ? 1 : 0;
  }
  std::printf("%s: jobs=%d reached the sink once=%d dead_letters=%llu %s\n", on, kJobs, once,
              static_cast<unsigned long long>(s.dead_letters()),
              s.balanced() ? "balanced" : "NOT BALANCED");
  return all_in && once == kJobs && s.dead_letters() == 0 && s.balanced();
}

int main() {
  bool ok = true;
  {
    System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
    ok = run(sys, "threads") && ok;
  }
  {
    sim::Simulation sim{{.seed = 7}};
    ok = run(sim.system(), "simulator") && ok;
  }
  std::printf(ok ? "pipeline: every job reached the sink on both schedulers, none lost\n"
                 : "pipeline: FAILED\n");
  return ok ? 0 : 1;
}
