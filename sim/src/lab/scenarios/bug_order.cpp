// bug-order-2 and bug-order-3: planted ordering races. Each round, one
// arrival tells /config to publish config version r to /server, and /client
// to send request r, which travels through depth - 1 relays (/hop1, ...) to
// /server. The server serves request r with whatever config it has: the bug
// shows when the request overtakes the config, which takes `depth` scheduling
// decisions going the request's way (the client, then each hop, running
// before /config). The fixed variant (fixed=1) holds an early request until
// its config arrives.
#include <memory>
#include <set>
#include <string>
#include <variant>

#include "builtin.hpp"
#include "troupe/assert.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;

struct ConfigVersion {
  std::uint64_t version;
};
struct Request {
  std::uint64_t round;
};
using ServerMsg = std::variant<ConfigVersion, Request>;

/// What the server saw: requests served before their config.
struct ServerBook {
  std::uint64_t stale = 0;
  std::uint64_t first_stale_round = 0;
};

class Server : public Actor<ServerMsg> {
 public:
  Server(bool fixed, std::shared_ptr<ItemCounters> items, std::shared_ptr<ServerBook> book)
      : fixed_(fixed), items_(std::move(items)), book_(std::move(book)) {}

  void receive(Context<ServerMsg>&, ServerMsg& msg) override {
    if (const auto* c = std::get_if<ConfigVersion>(&msg)) {
      TROUPE_ASSERT(c->version > config_);
      config_ = c->version;
      serve_held();
      return;
    }
    const std::uint64_t round = std::get<Request>(msg).round;
    if (fixed_ && round > config_) {
      held_.insert(round);  // served once its config arrives
      return;
    }
    serve(round);
  }

 private:
  void serve(std::uint64_t round) {
    if (round > config_ && book_->stale++ == 0) book_->first_stale_round = round;
    ++items_->reached_end;
  }
  void serve_held() {
    while (!held_.empty() && *held_.begin() <= config_) {
      serve(*held_.begin());
      held_.erase(held_.begin());
    }
  }

  bool fixed_;
  std::shared_ptr<ItemCounters> items_;
  std::shared_ptr<ServerBook> book_;
  std::uint64_t config_ = 0;
  std::set<std::uint64_t> held_;  // rounds of requests early for their config
};

/// Passes each request on to the next hop.
Props<std::uint64_t> relay(ActorRef<std::uint64_t> next) {
  return Props<std::uint64_t>::from_function(
      [next](Context<std::uint64_t>&, std::uint64_t& round) { (void)next.tell(round); });
}

World build(Stage& sim, const Params& p, std::uint64_t depth) {
  TROUPE_ASSERT(depth >= 2);
  auto items = std::make_shared<ItemCounters>();
  auto book = std::make_shared<ServerBook>();
  System& system = sim.system();
  const auto server =
      system.spawn("server", Props<ServerMsg>::of<Server>(count(p, "fixed") != 0, items, book))
          .value();
  const auto config = system
                          .spawn("config", Props<std::uint64_t>::from_function(
                                               [server](Context<std::uint64_t>&, std::uint64_t& r) {
                                                 (void)server.tell(ConfigVersion{r});
                                               }))
                          .value();
  // The chain from the server back to the client: hop(depth-1), ..., hop1.
  ActorRef<std::uint64_t> next =
      system
          .spawn("hop" + std::to_string(depth - 1),
                 Props<std::uint64_t>::from_function(
                     [server](Context<std::uint64_t>&, std::uint64_t& r) {
                       (void)server.tell(Request{r});
                     }))
          .value();
  for (std::uint64_t hop = depth - 2; hop >= 1; --hop) {
    next = system.spawn(std::string("hop").append(std::to_string(hop)), relay(next)).value();
  }
  const auto client = system.spawn("client", relay(next)).value();
  const std::uint64_t rounds = count(p, "rounds");
  // Config first: a scheduler that runs actors in the order they became
  // runnable never shows the bug.
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), rounds),
                   [config, client, items](std::uint64_t i) {
                     (void)config.tell(i + 1);
                     return items->emit(client.tell(i + 1));
                   }});
  World world;
  world.finished = [&sim, rounds] { return sim.emitted(0) == rounds && sim.system().quiescent(); };
  world.work = [items] { return items->ledger(); };
  world.checks.push_back(
      [book](const SystemStats&, const std::vector<RecordedEvent>&) -> std::optional<Violation> {
        if (book->stale == 0) return std::nullopt;
        return Violation{"config_before_request", "/server",
                         std::to_string(book->stale) + " requests served before their config (" +
                             "first: round " + std::to_string(book->first_stale_round) + ")"};
      });
  return world;
}

Scenario bug_order_scenario(std::uint64_t depth) {
  const std::string d = std::to_string(depth);
  return Scenario{
      .name = "bug-order-" + d,
      .description =
          "planted bug: a request overtakes its config (an ordering race of depth " + d + ")",
      .params = {{"rounds", 1, 1, 10000, "rounds (a config and a request each)", true, true},
                 {"rate_per_s", 100, 1, 1000000, "mean round rate (Poisson)"},
                 {"fixed", 0, 0, 1, "1: the server holds a request until its config", false, true}},
      .faults = [](const Params&) { return FaultPlan{}; },
      .settings = [](const Params&) { return SimSettings{}; },
      .build = [depth](Stage& sim, const Params& p) { return build(sim, p, depth); }};
}

}  // namespace

Scenario bug_order_2_scenario() {
  return bug_order_scenario(2);
}

Scenario bug_order_3_scenario() {
  return bug_order_scenario(3);
}

}  // namespace troupe::sim
