// pipeline: source -> parse -> enrich -> sink, each stage with a small
// bounded capacity. Backpressure by credit: a stage forwards an item only
// while its next stage holds fewer than `capacity` items, and otherwise keeps
// it in its own backlog and looks again after `retry_ms`. So no send is ever
// refused for a full mailbox and no item waits where it could be refused or
// dropped: every item reaches the sink, or the run says where it went.
#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <variant>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

struct Item {
  std::uint64_t id;
};
/// Look at the backlog again (at most one pending per stage).
struct Retry {};
using Msg = std::variant<Item, Retry>;

/// How many items a stage holds: queued for it, or in its backlog.
using Load = std::atomic<std::uint64_t>;

/// A stage as its upstream sees it. Only upstream stages refer to a Link, so
/// the references form a chain, never a cycle that would keep cells alive.
struct Link {
  ActorRef<Msg> ref;
  std::shared_ptr<Load> load = std::make_shared<Load>(0);
};

class PipelineStage final : public Actor<Msg> {
 public:
  PipelineStage(std::shared_ptr<Load> load, std::shared_ptr<Link> next, std::uint64_t next_capacity,
                Duration retry, std::shared_ptr<ItemCounters> items)
      : load_(std::move(load)),
        next_(std::move(next)),
        next_capacity_(next_capacity),
        retry_(retry),
        items_(std::move(items)) {}

  void receive(Context<Msg>& ctx, Msg& msg) override {
    if (const auto* item = std::get_if<Item>(&msg)) {
      backlog_.push_back(*item);
    } else {
      retry_pending_ = false;
    }
    flush();
    if (!backlog_.empty() && !retry_pending_) {
      retry_pending_ = true;
      ctx.schedule_once(retry_, Retry{});
    }
  }

 private:
  /// Forwards (or, the sink, consumes) while the next stage has room.
  void flush() {
    while (!backlog_.empty()) {
      if (next_) {
        if (next_->load->load() >= next_capacity_) return;  // held: looked at again later
        ++*next_->load;
        // Only a stopped stage refuses (at shutdown): the item is given up, counted.
        if (items_->sent(next_->ref.tell(Item{backlog_.front()})) != SendResult::accepted) {
          --*next_->load;
        }
      } else {
        ++items_->reached_end;
      }
      backlog_.pop_front();
      --*load_;
    }
  }

  std::shared_ptr<Load> load_;
  std::shared_ptr<Link> next_;
  std::uint64_t next_capacity_;
  Duration retry_;
  std::shared_ptr<ItemCounters> items_;
  std::deque<Item> backlog_;  // bounded: the upstream sends only below capacity
  bool retry_pending_ = false;
};

/// The mailbox has room for `capacity` items and the one pending Retry.
std::shared_ptr<Link> spawn_stage(System& sys, const char* name, std::shared_ptr<Link> next,
                                  std::uint64_t next_capacity, std::uint64_t capacity,
                                  Duration retry, std::shared_ptr<ItemCounters> items,
                                  std::string kind) {
  auto link = std::make_shared<Link>();
  link->ref = sys.spawn(name, Props<Msg>::of<PipelineStage>(link->load, std::move(next),
                                                            next_capacity, retry, std::move(items))
                                  .mailbox({.capacity = capacity + 1})
                                  .kind(std::move(kind)))
                  .value();
  return link;
}

World build(Stage& sim, const Params& p) {
  const std::uint64_t capacity = count(p, "capacity");
  const std::uint64_t source_capacity = capacity * 64;
  const Duration retry = millis(p, "retry_ms");
  auto& sys = sim.system();
  auto items = std::make_shared<ItemCounters>();
  auto sink = spawn_stage(sys, "sink", nullptr, 0, capacity, retry, items, "sink");
  auto enrich = spawn_stage(sys, "enrich", sink, capacity, capacity, retry, items, "stage");
  auto parse = spawn_stage(sys, "parse", enrich, capacity, capacity, retry, items, "stage");
  auto source =
      spawn_stage(sys, "source", parse, capacity, source_capacity, retry, items, "source");
  const std::uint64_t total = count(p, "items");
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), total),
                   [source, source_capacity, items](std::uint64_t i) {
                     if (source->load->load() >= source_capacity) {
                       ++items->emitted;  // turned away at the door, counted
                       ++items->given_up;
                       return SendResult::mailbox_full;
                     }
                     ++*source->load;
                     const SendResult r = items->emit(source->ref.tell(Item{i}));
                     if (r != SendResult::accepted) --*source->load;
                     return r;
                   }});
  World world;
  world.finished = [&sim, total, links = std::vector{source, parse, enrich, sink}] {
    if (sim.emitted(0) != total || !sim.system().quiescent()) return false;
    for (const auto& link : links) {
      if (link->load->load() != 0) return false;  // a backlog waits for its Retry
    }
    return true;
  };
  world.shutdown_deadline = 10s;
  world.work = [items] { return items->ledger(); };
  return world;
}

}  // namespace

Scenario pipeline_scenario() {
  return Scenario{
      .name = "pipeline",
      .description = "a four-stage pipeline with bounded stages and credit backpressure",
      .params = {{"items", 300, 1, 100000, "items through the pipeline", true},
                 {"rate_per_s", 400, 1, 1000000, "mean arrival rate (Poisson)"},
                 {"capacity", 4, 1, 1024, "items each stage may hold", false, true},
                 {"retry_ms", 2, 0.001, 10000, "how long a full stage waits before looking again"},
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
