// Lifecycle, mailbox and pool churn on real threads through the public API
// only: stops racing failures racing restarts with backoff, all_for_one
// restarts while siblings stop, watch/unwatch churn, pools resized 1<->64
// while workers fail (every directive) and senders tell, `block` senders
// while their actor stops, and shutdown with Duration::zero(), max() or a
// short deadline in the middle of it. Every run must end balanced, with no
// invariant violated (an illegal lifecycle move aborts) and, in the sanitizer
// builds, no report.
//
//   lifecycle_stress [SCENARIO 0..5, -1 for all] [FIRST_SEED] [LAST_SEED]
//
// The deadline is seed % 3 (0: zero, 1: max, 2: 5 ms). ctest runs a few seeds;
// run many by hand under TSan and ASan+UBSan after touching the core.
#include <troupe/pool.hpp>
#include <troupe/troupe.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace troupe;
using namespace std::chrono_literals;

namespace {

struct Shared {
  std::mutex mu;
  std::vector<ActorRef<int>> refs;
  std::vector<ActorRef<int>> all;
  void add(const ActorRef<int>& r) {
    std::lock_guard l(mu);
    refs.push_back(r);
    all.push_back(r);
    if (refs.size() > 64) refs.erase(refs.begin());
  }
  ActorRef<int> pick(std::mt19937_64& rng) {
    std::lock_guard l(mu);
    if (refs.empty()) return {};
    return refs[rng() % refs.size()];
  }
};

// Messages: 0 work, 1 throw, 2 stop self, 3 spawn+watch a child, 4 unwatch/stop a child,
// 5 watch a random other actor, 6 schedule a timer, 7 throw in a run of children
class Node : public Actor<int> {
 public:
  Node(Shared* shared, int depth, bool throw_in_start)
      : shared_(shared), depth_(depth), throw_in_start_(throw_in_start) {}
  void pre_start(Context<int>& ctx) override {
    shared_->add(ctx.self());
    if (throw_in_start_ && (ctx.random() % 5 == 0)) throw std::runtime_error("pre_start");
    if (depth_ > 0) {
      for (int i = 0; i < 3; ++i) spawn_child(ctx);
    }
  }
  void pre_restart(Context<int>& ctx, const Failure&) override {
    if (ctx.random() % 7 == 0) throw std::runtime_error("pre_restart");
  }
  void post_stop(Context<int>& ctx) override {
    if (ctx.random() % 7 == 0) throw std::runtime_error("post_stop");
  }
  void on_terminated(Context<int>& ctx, const Terminated&) override {
    if (ctx.random() % 5 == 0) throw std::runtime_error("on_terminated");
  }
  void receive(Context<int>& ctx, int& m) override {
    std::mt19937_64 rng(ctx.random());
    switch (m % 8) {
      case 1:
        throw std::runtime_error("boom");
      case 2:
        ctx.stop();
        break;
      case 3:
        std::erase_if(children_, [](const ActorRef<int>& c) { return !c.alive(); });
        if (depth_ > 0 && children_.size() < 8) spawn_child(ctx);
        break;
      case 4:
        if (!children_.empty()) {
          auto c = children_[rng() % children_.size()];
          if (rng() % 2)
            ctx.unwatch(c);
          else
            ctx.stop(c);
          if (rng() % 2) ctx.watch(c);
        }
        break;
      case 5: {
        auto r = shared_->pick(rng);
        if (r.valid()) {
          ctx.watch(r);
          if (rng() % 2) ctx.unwatch(r);
          if (rng() % 3 == 0) ctx.stop(r);
        }
        break;
      }
      case 6:
        ctx.schedule_once(std::chrono::microseconds(rng() % 2000), 0);
        break;
      case 7:
        if (!children_.empty()) {
          auto c = children_[rng() % children_.size()];
          (void)c.tell(1);
          (void)c.tell(static_cast<int>(rng() % 8));
        }
        break;
      default:
        break;
    }
  }

 private:
  void spawn_child(Context<int>& ctx) {
    auto props =
        Props<int>([s = shared_, d = depth_ - 1] { return std::make_unique<Node>(s, d, true); })
            .restart({.max_restarts = 1000, .within = 1s})
            .backoff({.min = 10us, .max = 2ms, .factor = 2.0, .jitter = 0.5})
            .supervise_children(ctx.random() % 2 ? Scope::all_for_one : Scope::one_for_one)
            .mailbox({.capacity = 8,
                      .overflow = ctx.random() % 2 ? Overflow::drop_oldest : Overflow::reject});
    if (ctx.random() % 4 == 0) {
      props.decider([](const Failure& f) {
        if (f.what.find("boom") != std::string::npos) return Directive::restart;
        if (f.what.find("on_terminated") != std::string::npos) return Directive::resume;
        if (f.what.find("pre_start") != std::string::npos) return Directive::escalate;
        return Directive::stop;
      });
    }
    auto r = ctx.spawn("", props);
    if (r.ok()) {
      ctx.watch(r.value());
      children_.push_back(r.value());
    }
  }

  Shared* shared_;
  int depth_;
  bool throw_in_start_;
  std::vector<ActorRef<int>> children_;
};

int deadline_mode = 0;
Duration deadline() {
  if (deadline_mode == 0) return Duration::zero();
  if (deadline_mode == 1) return Duration::max();
  return 5ms;
}

bool check(System& sys, const char* what) {
  const SystemStats s = sys.stats();
  std::string line = std::string(what) + ": sent " + std::to_string(s.sent) + " processed " +
                     std::to_string(s.processed) + " queued " + std::to_string(s.queued) +
                     " dead by reason";
  for (auto d : s.dead_by_reason) line.append(" ").append(std::to_string(d));
  std::printf("%s%s\n", line.c_str(), s.balanced() ? "" : "  UNBALANCED");
  return s.balanced();
}

std::unique_ptr<ThreadScheduler> threads(std::uint64_t seed, std::size_t n = 4) {
  return std::make_unique<ThreadScheduler>(
      ThreadSchedulerSettings{.threads = n, .throughput = 1 + seed % 64, .seed = seed});
}

// 0: a tree failing, restarting with backoff, stopping, watching, while outsiders stop it.
bool tree(std::uint64_t seed) {
  System sys{threads(seed)};
  Shared shared;
  auto root =
      sys.spawn("root", Props<int>([&] { return std::make_unique<Node>(&shared, 2, false); })
                            .supervise_children(Scope::all_for_one)
                            .restart({.max_restarts = 1000, .within = 1s})
                            .backoff({.min = 10us, .max = 1ms}))
          .value();
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 31 + static_cast<std::uint64_t>(t));
      while (go.load()) {
        auto r = shared.pick(rng);
        if (!r.valid()) continue;
        const std::uint64_t k = rng() % 100;
        const int m = k < 40   ? 0
                      : k < 60 ? 1
                      : k < 70 ? 3
                      : k < 80 ? 4
                      : k < 90 ? 5
                      : k < 95 ? 6
                      : k < 99 ? 7
                               : 2;
        if (m == 2 && r == root) continue;
        if (m == 2 && rng() % 2)
          sys.stop(r);
        else
          (void)r.tell(m);
        if (rng() % 16 == 0) (void)root.tell(3);
        if (rng() % 64 == 0) (void)root.tell(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20 + seed % 50));
  if (seed % 3 == 0) {
    // shutdown while senders still go on
    sys.shutdown(deadline());
    go = false;
  } else {
    go = false;
    for (auto& t : ts) t.join();
    ts.clear();
    sys.shutdown(deadline());
  }
  for (auto& t : ts) t.join();
  return check(sys, "tree");
}

// 1: pool resized 1<->64 while workers fail and senders tell; shutdown in the middle.
bool pool(std::uint64_t seed) {
  System sys{threads(seed)};
  std::atomic<std::uint64_t> n{0};
  auto props =
      Props<int>::from_function([&](Context<int>& ctx, int& m) {
        if (++n % 5 == 0) throw std::runtime_error("fifth");
        if (m % 97 == 0) ctx.stop();
      })
          .mailbox({.capacity = 2, .overflow = seed % 2 ? Overflow::drop_oldest : Overflow::reject})
          .restart({.max_restarts = static_cast<int>(seed % 3), .within = 1s})
          .backoff({.min = 5us, .max = 1ms});
  auto p = Pool<int>::spawn(sys, "p", props,
                            {.min = 1,
                             .max = 64,
                             .routing = seed % 3 == 0   ? Routing::round_robin
                                        : seed % 3 == 1 ? Routing::smallest_mailbox
                                                        : Routing::broadcast})
               .value();
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  ts.emplace_back([&] {
    std::size_t k = 1;
    while (go.load()) {
      p.resize(k);
      k = k == 64 ? 1 : 64;
      std::this_thread::sleep_for(100us);
    }
  });
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&] {
      int i = 0;
      while (go.load()) (void)p.tell(++i);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20 + seed % 40));
  sys.shutdown(deadline());
  go = false;
  for (auto& t : ts) t.join();
  (void)p.tell(1);
  p.resize(3);
  return check(sys, "pool");
}

// 2: block-overflow senders while the actor stops (and restarts).
bool block(std::uint64_t seed) {
  System sys{threads(seed, 2)};
  auto props = Props<int>::from_function([](Context<int>& ctx, int& m) {
                 std::this_thread::sleep_for(20us);
                 if (m % 13 == 0) throw std::runtime_error("x");
                 if (m % 501 == 0) ctx.stop();
               }).mailbox({.capacity = 1, .overflow = Overflow::block, .block_timeout = 50ms});
  std::vector<ActorRef<int>> refs;
  for (int i = 0; i < 4; ++i)
    refs.push_back(sys.spawn(std::string("b").append(std::to_string(i)), props).value());
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      int i = 0;
      while (go.load()) {
        ++i;
        (void)refs[static_cast<std::size_t>((t + i) % 4)].tell(i);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(5 + seed % 20));
  sys.stop(refs[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  sys.shutdown(deadline());
  go = false;
  for (auto& t : ts) t.join();
  return check(sys, "block");
}

// 3: watch/unwatch churn across unrelated actors, with stops.
bool watch(std::uint64_t seed) {
  System sys{threads(seed)};
  Shared shared;
  std::vector<ActorRef<int>> tops;
  for (int i = 0; i < 6; ++i) {
    tops.push_back(sys.spawn(std::string("w").append(std::to_string(i)),
                             Props<int>([&] {
                               return std::make_unique<Node>(&shared, 1, false);
                             }).restart({.max_restarts = 1000, .within = 1s}))
                       .value());
  }
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(seed + static_cast<std::uint64_t>(t));
      while (go.load()) {
        auto& r = tops[rng() % tops.size()];
        const int k = rng() % 3 == 0 ? 5 : (rng() % 2 ? 4 : 3);
        (void)r.tell(k);
        if (rng() % 50 == 0) (void)r.tell(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20 + seed % 30));
  sys.shutdown(deadline());
  go = false;
  for (auto& t : ts) t.join();
  return check(sys, "watch");
}

// 4: all_for_one restarts while a sibling stops, failing again and again.
bool afo(std::uint64_t seed) {
  System sys{threads(seed)};
  Shared shared;
  auto root = sys.spawn("afo", Props<int>([&] {
                                 return std::make_unique<Node>(&shared, 1, false);
                               }).supervise_children(Scope::all_for_one))
                  .value();
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(seed * 7 + static_cast<std::uint64_t>(t));
      while (go.load()) {
        auto r = shared.pick(rng);
        if (!r.valid()) continue;
        switch (rng() % 16) {
          case 0:
          case 1:
          case 2:
          case 3:
          case 4:
            (void)r.tell(1);
            break;
          case 5:
            if (r != root) sys.stop(r);
            break;
          case 6:
            if (r != root) (void)r.tell(2);
            break;
          case 7:
            (void)r.tell(4);
            break;
          case 8:
            (void)r.tell(7);
            break;
          default:
            (void)root.tell(3);
            (void)r.tell(0);
            break;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20 + seed % 30));
  go = false;
  for (auto& t : ts) t.join();
  sys.shutdown(deadline());
  return check(sys, "afo");
}

// 5: a pool whose workers escalate (the manager fails and restarts), are
// stopped from outside, resume, restart: any directive, while resized and told.
bool pool_escalate(std::uint64_t seed) {
  System sys{threads(seed)};
  std::atomic<std::uint64_t> n{0};
  auto props = Props<int>::from_function([&](Context<int>& ctx, int& m) {
                 if (++n % 3 == 0) throw std::runtime_error(std::to_string(ctx.random() % 4));
                 if (m % 89 == 0) ctx.stop();
               })
                   .mailbox({.capacity = 1 + seed % 4,
                             .overflow = seed % 2 ? Overflow::drop_oldest : Overflow::reject})
                   .restart({.max_restarts = static_cast<int>(seed % 4), .within = 1s})
                   .backoff({.min = 5us, .max = 500us})
                   .decider([](const Failure& f) {
                     switch (f.what.empty() ? 0 : f.what[0] - '0') {
                       case 0:
                         return Directive::escalate;
                       case 1:
                         return Directive::resume;
                       case 2:
                         return Directive::stop;
                       default:
                         return Directive::restart;
                     }
                   });
  const Routing routings[] = {Routing::round_robin, Routing::random, Routing::smallest_mailbox,
                              Routing::consistent_hash, Routing::broadcast};
  const Routing routing = routings[seed % 5];
  auto p =
      Pool<int>::spawn(sys, "pe", props, {.min = 1, .max = 64, .routing = routing},
                       [](const int& m) { return static_cast<std::uint64_t>(m) * 2654435761u; })
          .value();
  std::atomic<bool> go{true};
  std::vector<std::thread> ts;
  ts.emplace_back([&] {
    std::mt19937_64 rng(seed);
    while (go.load()) {
      p.resize(rng() % 2 ? 1 : 1 + rng() % 64);
      auto ws = p.workers();
      if (!ws.empty() && rng() % 3 == 0) sys.stop(ws[rng() % ws.size()]);
      std::this_thread::sleep_for(50us);
    }
  });
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&] {
      int i = 0;
      while (go.load()) (void)p.tell(++i);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(30 + seed % 60));
  if (seed % 2) {
    go = false;
    for (auto& t : ts) t.join();
    ts.clear();
  }
  sys.shutdown(deadline());
  go = false;
  for (auto& t : ts) t.join();
  return check(sys, "pool_escalate");
}

}  // namespace

int main(int argc, char** argv) {
  const int scenario = argc > 1 ? std::atoi(argv[1]) : -1;
  const std::uint64_t first = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;
  const std::uint64_t last = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : first;
  bool (*const all[])(std::uint64_t) = {tree, pool, block, watch, afo, pool_escalate};
  bool ok = true;
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    deadline_mode = static_cast<int>(seed % 3);
    for (int i = 0; i < 6; ++i) {
      if (scenario >= 0 && scenario != i) continue;
      ok = all[i](seed) && ok;
    }
  }
  std::printf("%s\n", ok ? "ok" : "FAIL");
  return ok ? 0 : 1;
}
