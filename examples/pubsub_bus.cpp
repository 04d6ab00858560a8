// A trade bus on the event stream: an exchange actor publishes every trade;
// a fast ledger and a slow audit subscribe to trades (the audit with a bound
// of 32 trades not yet taken), and a monitor subscribes to dead letters and
// lifecycle events. The audit cannot keep up: its overflow is not lost but
// counted, and the monitor sees each one as a DeadLetter. The same actor code
// runs on real threads and then in the simulator; each run checks that every
// trade reached every subscriber or is a counted dead letter, and that the
// books balance. Exits nonzero otherwise.
//
//   pubsub_bus
#include <atomic>
#include <cstdio>
#include <memory>
#include <variant>

#include <troupe/sim/sim_scheduler.hpp>
#include <troupe/troupe.hpp>

using namespace troupe;
using namespace std::chrono_literals;

struct Order {
  int id;
};
struct Trade {
  int id;
};
using Book = std::variant<Trade>;
using Watch = std::variant<DeadLetter, LifecycleEvent>;

constexpr int kOrders = 500;

struct Counts {
  std::atomic<int> published{0}, ledger{0}, audit{0}, audit_overflow_seen{0}, stopped_seen{0};
};

/// Publishes a trade for each order: the exchange knows nobody who listens.
Props<Order> exchange(Counts* counts) {
  return Props<Order>::from_function([counts](Context<Order>& ctx, Order& order) {
    if (ctx.publish(Trade{order.id}).ok()) ++counts->published;
  });
}

/// Handles each trade, spending `work` on it (the audit is slow).
Props<Book> book(std::atomic<int>* handled, Duration work) {
  return Props<Book>::from_function([handled, work](Context<Book>& ctx, Book&) {
    if (work > Duration::zero()) ctx.work(work);
    ++*handled;
  });
}

Props<Watch> monitor(Counts* counts) {
  return Props<Watch>::from_function([counts](Context<Watch>&, Watch& event) {
    if (const auto* dead = std::get_if<DeadLetter>(&event)) {
      if (dead->reason == DeadLetterReason::subscriber_overflow &&
          dead->recipient_path == "/audit") {
        counts->audit_overflow_seen += static_cast<int>(dead->count);
      }
    } else if (std::get<LifecycleEvent>(event).kind == LifecycleEvent::Kind::stopped) {
      ++counts->stopped_seen;
    }
  });
}

bool run(System& sys, const char* name) {
  Counts counts;
  EventStream& bus = sys.event_stream();
  auto watcher = sys.spawn("monitor", monitor(&counts).mailbox({.capacity = 4096})).value();
  auto ledger = sys.spawn("ledger", book(&counts.ledger, Duration::zero())).value();
  auto audit = sys.spawn("audit", book(&counts.audit, 200us)).value();
  bool ok = bus.subscribe<DeadLetter>(watcher, {.bound = 4096}).ok() &&
            bus.subscribe<LifecycleEvent>(watcher).ok() &&
            bus.subscribe<Trade>(ledger, {.bound = 1024}).ok() &&
            bus.subscribe<Trade>(audit, {.bound = 32}).ok();
  auto market = sys.spawn("exchange", exchange(&counts)).value();
  for (int i = 0; i < kOrders; ++i) ok = market.tell(Order{i}) == SendResult::accepted && ok;
  ok = sys.await_quiescence(60s) && ok;
  sys.stop(market);
  ok = sys.await_quiescence(60s) && ok;

  const SystemStats s = sys.stats();
  const auto overflow = s.dead_letters(DeadLetterReason::subscriber_overflow);
  // Every trade reached each subscriber, or is a counted dead letter the
  // monitor saw: nothing is lost silently.
  ok = ok && counts.published == kOrders && counts.ledger == kOrders &&
       counts.audit + counts.audit_overflow_seen == kOrders &&
       overflow == static_cast<std::uint64_t>(counts.audit_overflow_seen) &&
       counts.stopped_seen == 1 && s.balanced();
  std::printf("%s: %d trades; ledger %d, audit %d + %d counted overflow; %s\n", name,
              counts.published.load(), counts.ledger.load(), counts.audit.load(),
              counts.audit_overflow_seen.load(),
              s.balanced() ? "conservation: balanced" : "UNBALANCED");
  return ok;
}

int main() {
  bool ok = true;
  {
    System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
    ok = run(sys, "threads") && ok;
  }
  {
    System sys{std::make_unique<sim::SimScheduler>(sim::SimSettings{.seed = 7})};
    ok = run(sys, "simulator") && ok;
  }
  std::printf(ok ? "pubsub bus: every trade delivered or counted on both schedulers\n"
                 : "pubsub bus: FAILED\n");
  return ok ? 0 : 1;
}
