// bug-same-instant: planted bug, a race between two arrivals at one instant.
// Each round /buyer-a and /buyer-b each set a timer for the same instant;
// when it fires, the buyer asks /stock how many units of the round's item
// are left (one each round) and, seeing one, takes it: a check in one
// handler, the act in another. Two cascades that overlap both see the unit
// and the stock is oversold. The fixed variant (fixed=1) takes only if a
// unit is still there, in the stock's own handler.
// The bug needs events due at the same instant to interleave (a timer may
// fire while another timer's cascade is still running).
#include <map>
#include <memory>
#include <variant>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;

struct Arm {
  std::uint64_t round;
};
struct Buy {
  std::uint64_t round;
};
struct Left {
  std::uint64_t round;
  std::uint64_t units;
};
struct Done {
  std::uint64_t round;
};
using BuyerMsg = std::variant<Arm, Buy, Left, Done>;

struct Check {
  std::uint64_t round;
  ActorRef<BuyerMsg> reply_to;
};
struct Take {
  std::uint64_t round;
  ActorRef<BuyerMsg> reply_to;
};
using StockMsg = std::variant<Check, Take>;

/// Units sold beyond what the stock had.
struct Oversold {
  std::uint64_t units = 0;
  std::uint64_t first_round = 0;
};

class Stock : public Actor<StockMsg> {
 public:
  Stock(bool fixed, std::shared_ptr<Oversold> oversold)
      : fixed_(fixed), oversold_(std::move(oversold)) {}

  void receive(Context<StockMsg>&, StockMsg& msg) override {
    if (const auto* check = std::get_if<Check>(&msg)) {
      (void)check->reply_to.tell(Left{check->round, units(check->round)});
      return;
    }
    const auto& take = std::get<Take>(msg);
    std::uint64_t& left = units(take.round);
    if (left > 0) {
      --left;
    } else if (!fixed_ && oversold_->units++ == 0) {
      oversold_->first_round = take.round;  // sold a unit it did not have
    }
    (void)take.reply_to.tell(Done{take.round});
  }

 private:
  std::uint64_t& units(std::uint64_t round) { return units_.try_emplace(round, 1).first->second; }

  bool fixed_;
  std::shared_ptr<Oversold> oversold_;
  std::map<std::uint64_t, std::uint64_t> units_;  // one unit per round
};

class Buyer : public Actor<BuyerMsg> {
 public:
  Buyer(ActorRef<StockMsg> stock, std::shared_ptr<ItemCounters> items)
      : stock_(std::move(stock)), items_(std::move(items)) {}

  void receive(Context<BuyerMsg>& ctx, BuyerMsg& msg) override {
    if (const auto* arm = std::get_if<Arm>(&msg)) {
      ctx.schedule_once(1ms, Buy{arm->round});  // both buyers' timers: one instant
    } else if (const auto* buy = std::get_if<Buy>(&msg)) {
      (void)stock_.tell(Check{buy->round, ctx.self()});
    } else if (const auto* left = std::get_if<Left>(&msg)) {
      if (left->units == 0) {
        ++items_->reached_end;  // sold out: the attempt ends here
      } else {
        (void)stock_.tell(Take{left->round, ctx.self()});
      }
    } else {
      ++items_->reached_end;  // bought
    }
  }

 private:
  ActorRef<StockMsg> stock_;
  std::shared_ptr<ItemCounters> items_;
};

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  auto oversold = std::make_shared<Oversold>();
  System& system = sim.system();
  const auto stock =
      system.spawn("stock", Props<StockMsg>::of<Stock>(count(p, "fixed") != 0, oversold)).value();
  const auto a = system.spawn("buyer-a", Props<BuyerMsg>::of<Buyer>(stock, items)).value();
  const auto b = system.spawn("buyer-b", Props<BuyerMsg>::of<Buyer>(stock, items)).value();
  const std::uint64_t rounds = count(p, "rounds");
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), rounds), [a, b, items](std::uint64_t i) {
                     (void)items->emit(a.tell(Arm{i}));
                     return items->emit(b.tell(Arm{i}));
                   }});
  World world;
  world.finished = [&sim, rounds] { return sim.emitted(0) == rounds && sim.system().quiescent(); };
  world.work = [items] { return items->ledger(); };
  world.checks.push_back([oversold](const SystemStats&,
                                    const std::vector<RecordedEvent>&) -> std::optional<Violation> {
    if (oversold->units == 0) return std::nullopt;
    return Violation{"never_oversold", "/stock",
                     std::to_string(oversold->units) + " units sold that were not there (first: " +
                         "round " + std::to_string(oversold->first_round) + ")"};
  });
  return world;
}

}  // namespace

Scenario bug_same_instant_scenario() {
  return Scenario{
      .name = "bug-same-instant",
      .description = "planted bug: two purchases due at one instant both see the last unit",
      .params = {{"rounds", 3, 1, 10000, "rounds (two buyers, one unit each)", true, true},
                 {"rate_per_s", 100, 1, 1000000, "mean round rate (Poisson)"},
                 {"fixed", 0, 0, 1, "1: the stock takes a unit only if one is left", false, true}},
      .faults = [](const Params&) { return FaultPlan{}; },
      .settings = [](const Params&) { return SimSettings{}; },
      .build = build};
}

}  // namespace troupe::sim
