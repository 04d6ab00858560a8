// Mailboxes over generated traffic: the bound, per-sender order, what each
// overflow policy does, and the conservation law.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <vector>

#include "world.hpp"

namespace troupe::props {
namespace {

struct MailboxWorld {
  SimWorld sim;
  int capacity = 1;
  bool drop_oldest = false;
  int service_ms = 0;
  std::vector<int> burst_sizes;  // one sender actor per entry
};

std::ostream& operator<<(std::ostream& os, const MailboxWorld& w) {
  os << w.sim << " capacity=" << w.capacity << (w.drop_oldest ? " drop_oldest" : " reject")
     << " service=" << w.service_ms << "ms bursts=[";
  for (int b : w.burst_sizes) os << b << " ";
  return os << "]";
}

rc::Gen<MailboxWorld> gen_mailbox_world() {
  return rc::gen::build<MailboxWorld>(
      rc::gen::set(&MailboxWorld::sim, gen_sim_world()),
      rc::gen::set(&MailboxWorld::capacity, rc::gen::inRange(1, 9)),
      rc::gen::set(&MailboxWorld::drop_oldest),
      rc::gen::set(&MailboxWorld::service_ms, rc::gen::inRange(0, 4)),
      rc::gen::set(&MailboxWorld::burst_sizes,
                   gen_up_to<std::vector<int>>(6, rc::gen::inRange(0, 40))));
}

using Stamp = std::pair<int, int>;  // sender, sequence

struct MailboxRun {
  std::map<int, std::vector<int>> received;
  std::int64_t longest_queue = 0;
  int refused = 0;
  sim::SimResult result;
};

/// `capacity_seam` is how the world's capacity reaches the engine.
MailboxRun run_mailbox_world(const MailboxWorld& w, const std::function<int(int)>& capacity_seam) {
  MailboxRun out;
  sim::Simulation sim{
      {.seed = w.sim.seed,
       .strategy = w.sim.strategy,
       .service_time = sim::ServiceTime::per_kind(
           {{"receiver", sim::ServiceTime::fixed(ms(w.service_ms))}}, sim::ServiceTime::zero())}};
  const auto overflow = w.drop_oldest ? Overflow::drop_oldest : Overflow::reject;
  auto receiver =
      sim.system()
          .spawn("receiver",
                 Props<Stamp>::from_function(
                     [&](Context<Stamp>&, Stamp& s) { out.received[s.first].push_back(s.second); })
                     .mailbox({.capacity = static_cast<std::size_t>(capacity_seam(w.capacity)),
                               .overflow = overflow})
                     .kind("receiver"))
          .value();
  // Each sender actor sends its whole burst from one handler.
  for (std::size_t s = 0; s < w.burst_sizes.size(); ++s) {
    const int id = static_cast<int>(s);
    auto sender = sim.system()
                      .spawn(std::string("s").append(std::to_string(s)),
                             Props<int>::from_function([&out, receiver, id](Context<int>&, int& n) {
                               for (int i = 0; i < n; ++i) {
                                 if (receiver.tell({id, i}) != SendResult::accepted) ++out.refused;
                               }
                             }))
                      .value();
    (void)sender.tell(w.burst_sizes[s]);
  }
  out.result = sim.run();
  for (const auto& e : out.result.events) {
    if (e.kind == EventKind::sent && e.path == "/receiver") {
      out.longest_queue = std::max(out.longest_queue, e.value);
    }
  }
  return out;
}

void check_mailbox_world(const MailboxWorld& w, const MailboxRun& run) {
  const auto& stats = run.result.stats;
  RC_ASSERT(stats.balanced());
  RC_ASSERT(run.longest_queue <= w.capacity);
  int total_sent = 0;
  for (int b : w.burst_sizes) total_sent += b;
  std::size_t received = 0;
  for (const auto& [sender, seqs] : run.received) {
    received += seqs.size();
    for (std::size_t i = 1; i < seqs.size(); ++i) RC_ASSERT(seqs[i - 1] < seqs[i]);  // FIFO
  }
  const auto full = stats.dead_letters(DeadLetterReason::mailbox_full);
  if (w.drop_oldest) {
    RC_ASSERT(run.refused == 0);  // every send accepted; the oldest pay for it
  } else {
    RC_ASSERT(static_cast<std::uint64_t>(run.refused) == full);
  }
  RC_ASSERT(received + full == static_cast<std::size_t>(total_sent));
}

RC_GTEST_PROP(MailboxProperties, BoundFifoOverflowAndConservationHold, ()) {
  const auto w = *gen_mailbox_world();
  check_mailbox_world(w, run_mailbox_world(w, [](int c) { return c; }));
}

TEST(MailboxProperties, CatchesAMailboxThatHoldsOneTooMany) {
  MailboxWorld last_failing;
  const auto failure = find_failure([&] {
    const auto w = *gen_mailbox_world();
    const auto run = run_mailbox_world(w, [](int c) { return c + 1; });
    try {
      check_mailbox_world(w, run);
    } catch (...) {
      last_failing = w;  // only failing cases: the last one is the shrunk one
      throw;
    }
  });
  ASSERT_TRUE(failure.has_value());
  // Shrunk: the smallest mailbox and a burst just big enough to overfill it.
  EXPECT_EQ(last_failing.capacity, 1);
  int total = 0;
  for (int b : last_failing.burst_sizes) total += b;
  EXPECT_LE(total, 3);
}

}  // namespace
}  // namespace troupe::props
