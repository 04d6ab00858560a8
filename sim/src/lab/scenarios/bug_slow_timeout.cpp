// bug-slow-timeout: planted bug, a timeout caused by a slow handler. /client
// asks one of two replicas for each call and gives up after `timeout_ms`; a
// replica's service time is sometimes longer than that, so its reply comes
// late. The buggy client marks a timed-out call failed but leaves it pending,
// so a late reply settles it a second time; the fixed variant (fixed=1)
// forgets a call when it times out and ignores a late reply by its id.
// The bug needs a handler's effects to happen at the end of its service time
// (a reply sent by a slow handler leaves late); calls are spaced so that
// queueing alone never makes a reply late.
// Liveness: every call is settled (answered or timed out) within
// `settle_within_ms` once the last call is made.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <variant>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

struct Call {
  std::uint64_t id;
};
struct Reply {
  std::uint64_t id;
};
struct Timeout {
  std::uint64_t id;
};
using ClientMsg = std::variant<Call, Reply, Timeout>;

struct Ask {
  std::uint64_t id;
  ActorRef<ClientMsg> reply_to;
};

/// How each call was settled, kept outside the client for the checks.
struct CallBook {
  std::map<std::uint64_t, std::uint64_t> settlements;  // by call id
  std::uint64_t late_replies = 0;                      // ignored (fixed variant)

  void settle(std::uint64_t id) { ++settlements[id]; }
  std::uint64_t settled() const { return settlements.size(); }
};

class Client : public Actor<ClientMsg> {
 public:
  Client(bool fixed, Duration timeout, std::vector<ActorRef<Ask>> replicas,
         std::shared_ptr<CallBook> book)
      : fixed_(fixed), timeout_(timeout), replicas_(std::move(replicas)), book_(std::move(book)) {}

  void receive(Context<ClientMsg>& ctx, ClientMsg& msg) override {
    if (const auto* call = std::get_if<Call>(&msg)) {
      pending_.insert(call->id);
      (void)replicas_[ctx.random() % replicas_.size()].tell(Ask{call->id, ctx.self()});
      ctx.schedule_once(timeout_, Timeout{call->id});
    } else if (const auto* reply = std::get_if<Reply>(&msg)) {
      if (pending_.erase(reply->id) > 0) {
        book_->settle(reply->id);
      } else {
        ++book_->late_replies;
      }
    } else {
      const std::uint64_t id = std::get<Timeout>(msg).id;
      if (!pending_.contains(id)) return;  // answered in time
      book_->settle(id);
      if (fixed_) pending_.erase(id);  // the bug: a failed call stays pending
    }
  }

 private:
  bool fixed_;
  Duration timeout_;
  std::vector<ActorRef<Ask>> replicas_;
  std::shared_ptr<CallBook> book_;
  std::set<std::uint64_t> pending_;
};

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  auto book = std::make_shared<CallBook>();
  std::vector<ActorRef<Ask>> replicas;
  for (const char* name : {"replica0", "replica1"}) {
    replicas.push_back(sim.system()
                           .spawn(name, Props<Ask>::from_function([](Context<Ask>&, Ask& ask) {
                                          (void)ask.reply_to.tell(Reply{ask.id});
                                        }).kind("replica"))
                           .value());
  }
  const auto client = sim.system()
                          .spawn("client", Props<ClientMsg>::of<Client>(count(p, "fixed") != 0,
                                                                        millis(p, "timeout_ms"),
                                                                        std::move(replicas), book))
                          .value();
  const std::uint64_t calls = count(p, "calls");
  sim.add(Workload{Arrivals::constant(millis(p, "gap_ms"), calls),
                   [client, items](std::uint64_t i) { return items->emit(client.tell(Call{i})); }});
  World world;
  world.finished = [&sim, calls] { return sim.emitted(0) == calls; };
  world.work = [items, book] {
    WorkLedger ledger = items->ledger();
    ledger.reached_end = book->settled();
    return ledger;
  };
  world.checks.push_back(
      [book](const SystemStats&, const std::vector<RecordedEvent>&) -> std::optional<Violation> {
        for (const auto& [id, times] : book->settlements) {
          if (times > 1) {
            return Violation{"call_settled_once", "/client",
                             "call " + std::to_string(id) + " settled " + std::to_string(times) +
                                 " times (a late reply after its timeout)"};
          }
        }
        return std::nullopt;
      });
  world.eventually.push_back({.name = "every_call_settled",
                              .holds = [book, calls] { return book->settled() == calls; },
                              .within = millis(p, "settle_within_ms")});
  return world;
}

}  // namespace

Scenario bug_slow_timeout_scenario() {
  return Scenario{
      .name = "bug-slow-timeout",
      .description = "planted bug: a reply that comes after its call timed out settles it twice",
      .params = {{"calls", 10, 1, 100000, "calls made", true, true},
                 {"gap_ms", 1000, 1, 3600000, "time between calls"},
                 {"timeout_ms", 100, 1, 3600000, "the client's timeout per call"},
                 {"service_max_ms", 150, 1, 3600000, "a replica's longest service time"},
                 {"settle_within_ms", 1000, 0, 3600000,
                  "liveness: every call settled this long after the last"},
                 {"fixed", 0, 0, 1, "1: a late reply is ignored by its call id", false, true}},
      .faults = [](const Params&) { return FaultPlan{}; },
      .settings =
          [](const Params& p) {
            const Duration high = millis(p, "service_max_ms");
            return SimSettings{
                .service_time = ServiceTime::per_kind(
                    {{"replica", ServiceTime::uniform(std::min<Duration>(10ms, high), high)}},
                    ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
