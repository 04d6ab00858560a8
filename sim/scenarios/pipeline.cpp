// pipeline: source -> parse -> enrich -> sink, each stage with a small
// bounded mailbox. A stage whose next stage is full holds the item and tries
// again later (backpressure by retry), so nothing is lost while the sink is
// the bottleneck; the retries are bounded and a give-up is a dead letter.
#include <memory>
#include <string>

#include "sim/scenarios/builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

struct Item {
  std::uint64_t id;
  std::uint32_t tries = 0;
};

constexpr std::uint32_t kMaxTries = 1000;

/// A stage forwards to `next`, or, the sink, consumes: the item's end. An
/// item the next stage refuses waits in a timer and tries again; after
/// kMaxTries the stage gives it up (counted, and its last send is a dead
/// letter), so every item is accounted for.
Props<Item> stage(std::shared_ptr<ActorRef<Item>> next, std::size_t capacity, Duration retry,
                  std::string kind, std::shared_ptr<ItemCounters> items) {
  return Props<Item>::from_function([next, retry, items](Context<Item>& ctx, Item& item) {
           if (!next) {
             ++items->reached_end;
             return;
           }
           const bool retries = item.tries < kMaxTries;
           if (items->sent(next->tell(Item{item.id}), retries) == SendResult::mailbox_full &&
               retries) {
             ctx.schedule_once(retry, Item{item.id, item.tries + 1});
           }
         })
      .mailbox({.capacity = capacity})
      .kind(std::move(kind));
}

World build(Stage& sim, const Params& p) {
  const auto capacity = static_cast<std::size_t>(count(p, "capacity"));
  const Duration retry = millis(p, "retry_ms");
  auto& sys = sim.system();
  auto to_enrich = std::make_shared<ActorRef<Item>>();
  auto to_sink = std::make_shared<ActorRef<Item>>();
  auto to_parse = std::make_shared<ActorRef<Item>>();
  auto counters = std::make_shared<ItemCounters>();
  *to_sink = sys.spawn("sink", stage(nullptr, capacity, retry, "sink", counters)).value();
  *to_enrich = sys.spawn("enrich", stage(to_sink, capacity, retry, "stage", counters)).value();
  *to_parse = sys.spawn("parse", stage(to_enrich, capacity, retry, "stage", counters)).value();
  auto source =
      sys.spawn("source", stage(to_parse, capacity * 64, retry, "source", counters)).value();
  const std::uint64_t items = count(p, "items");
  sim.add(Workload{
      Arrivals::poisson(p.at("rate_per_s"), items),
      [source, counters](std::uint64_t i) { return counters->emit(source.tell(Item{i})); }});
  World world;
  // Quiescence covers the items waiting in retry timers (the conservation
  // law counts a message held by a timer as queued).
  world.finished = [&sim, items] { return sim.emitted(0) == items && sim.system().quiescent(); };
  world.shutdown_deadline = 10s;
  world.work = [counters] { return counters->ledger(); };
  return world;
}

}  // namespace

Scenario pipeline_scenario() {
  return Scenario{
      .name = "pipeline",
      .description = "a four-stage pipeline with bounded mailboxes and backpressure",
      .params = {{"items", 300, 1, 100000, "items through the pipeline", true},
                 {"rate_per_s", 400, 1, 1000000, "mean arrival rate (Poisson)"},
                 {"capacity", 4, 1, 1024, "mailbox capacity of each stage"},
                 {"retry_ms", 2, 0.001, 10000, "how long a stage waits before retrying"},
                 {"sink_ms", 3, 0, 10000, "time the sink takes per item"}},
      .faults = [](const Params&) { return FaultPlan{}; },
      .settings =
          [](const Params& p) {
            return SimSettings{.service_time = ServiceTime::per_kind(
                                   {{"stage", ServiceTime::uniform(500us, 1500us)},
                                    {"sink", ServiceTime::fixed(millis(p, "sink_ms"))}},
                                   ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
