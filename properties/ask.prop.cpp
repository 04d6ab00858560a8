// Asks over random mixes of callees that reply, fail, work past the
// timeout, work within it, ignore the request, or have stopped: every ask
// ends exactly once with the kind its callee implies (from inside an actor
// and from outside), each late reply is one late_reply dead letter, and the
// books balance. Same seed, same run: the timeouts are virtual.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "troupe/sim/sim_scheduler.hpp"
#include "world.hpp"

namespace troupe::props {
namespace {

enum class Callee { reply, fail, slow, quick, ignore, stopped };
constexpr int kCallees = 6;

struct AskWorld {
  SimWorld sim;
  std::vector<int> callees;  // Callee per ask
  int timeout_ms = 50;
};

std::ostream& operator<<(std::ostream& os, const AskWorld& w) {
  os << w.sim << " timeout=" << w.timeout_ms << "ms callees=[";
  for (int c : w.callees) os << c << " ";
  return os << "]";
}

rc::Gen<AskWorld> gen_ask_world() {
  return rc::gen::build<AskWorld>(
      rc::gen::set(&AskWorld::sim, gen_sim_world()),
      rc::gen::set(&AskWorld::callees,
                   gen_up_to<std::vector<int>>(12, rc::gen::inRange(0, kCallees))),
      rc::gen::set(&AskWorld::timeout_ms, rc::gen::inRange(4, 400)));
}

struct Request {
  int n;
  ReplyTo<int> reply_to;
};

/// Behaves as its Callee says, with work relative to the ask's timeout.
Props<Request> callee(Callee kind, Duration timeout) {
  return Props<Request>::from_function([kind, timeout](Context<Request>& ctx, Request& r) {
    switch (kind) {
      case Callee::fail:
        throw std::runtime_error("planned failure");
      case Callee::slow:
        ctx.work(timeout * 2);
        break;
      case Callee::quick:
        ctx.work(timeout / 4);
        break;
      case Callee::ignore:
        return;
      case Callee::reply:
      case Callee::stopped:
        break;
    }
    (void)r.reply_to.tell(r.n);
  });
}

/// The outcome an ask of `kind` must have.
bool matches(Callee kind, const AskResult<int>& r, int n) {
  switch (kind) {
    case Callee::reply:
    case Callee::quick:
      return r.ok() && r.value() == n;
    case Callee::fail:
      return r.is(AskErrorKind::callee_failed) &&
             r.error().message.find("planned failure") != std::string::npos;
    case Callee::slow:
      return r.is(AskErrorKind::timeout);
    case Callee::ignore:
      return r.is(AskErrorKind::unanswered);
    case Callee::stopped:
      return r.is(AskErrorKind::dead_letter) && r.error().reason == DeadLetterReason::actor_stopped;
  }
  return false;
}

struct Outcome {
  int id;
  bool matched;
};
using AskerMsg = std::variant<int, Outcome>;  // int: ask callee number n

struct Log {
  std::map<int, int> ended;  // ask id -> outcomes seen
  int mismatched = 0;
};

void ask_property(bool from_inside) {
  const auto w = *gen_ask_world();
  const Duration timeout = std::chrono::milliseconds(w.timeout_ms);
  System sys(std::make_unique<sim::SimScheduler>(
      sim::SimSettings{.seed = w.sim.seed, .strategy = w.sim.strategy}));
  std::vector<ActorRef<Request>> refs;
  std::vector<Callee> kinds;
  for (std::size_t i = 0; i < w.callees.size(); ++i) {
    kinds.push_back(static_cast<Callee>(w.callees[i]));
    std::string name = "c";  // appended: g++ 12 -O3 reports a false -Wrestrict on "c" + string
    name += std::to_string(i);
    refs.push_back(sys.spawn(name, callee(kinds.back(), timeout)).value());
    if (kinds.back() == Callee::stopped) sys.stop(refs.back());
  }
  RC_ASSERT(sys.await_quiescence(Duration::max()));
  auto log = std::make_shared<Log>();
  if (from_inside) {
    auto asker =
        sys.spawn("asker",
                  Props<AskerMsg>::from_function([&, log](Context<AskerMsg>& ctx, AskerMsg& m) {
                    if (auto* o = std::get_if<Outcome>(&m)) {
                      ++log->ended[o->id];
                      if (!o->matched) ++log->mismatched;
                      return;
                    }
                    const int i = std::get<int>(m);
                    const Callee kind = kinds[static_cast<std::size_t>(i)];
                    ctx.ask<int>(
                        refs[static_cast<std::size_t>(i)],
                        [i](ReplyTo<int> to) {
                          return Request{i, to};
                        },
                        timeout,
                        [i, kind](AskResult<int> r) {
                          return AskerMsg{Outcome{i, matches(kind, r, i)}};
                        });
                  }))
            .value();
    for (int i = 0; i < static_cast<int>(refs.size()); ++i)
      RC_ASSERT(asker.tell(i) == SendResult::accepted);
  } else {
    for (int i = 0; i < static_cast<int>(refs.size()); ++i) {
      AskResult<int> r = ask<int>(
                             refs[static_cast<std::size_t>(i)],
                             [i](ReplyTo<int> to) {
                               return Request{i, to};
                             },
                             timeout)
                             .get();
      ++log->ended[i];
      if (!matches(kinds[static_cast<std::size_t>(i)], r, i)) ++log->mismatched;
    }
  }
  RC_ASSERT(sys.await_quiescence(Duration::max()));
  RC_ASSERT(log->mismatched == 0);
  RC_ASSERT(log->ended.size() == refs.size());
  for (const auto& [id, n] : log->ended) RC_ASSERT(n == 1);
  const SystemStats s = sys.stats();
  std::uint64_t slow = 0;
  for (Callee k : kinds) slow += k == Callee::slow ? 1 : 0;
  RC_ASSERT(s.dead_letters(DeadLetterReason::late_reply) == slow);
  RC_ASSERT(s.balanced());
  (void)sys.shutdown(std::chrono::seconds(1));
  RC_ASSERT(sys.stats().balanced());
}

RC_GTEST_PROP(Ask, EveryAskFromAnActorEndsOnceWithItsCalleesKindAndTheBooksBalance, ()) {
  ask_property(true);
}

RC_GTEST_PROP(Ask, EveryAskFromOutsideEndsOnceWithItsCalleesKindAndTheBooksBalance, ()) {
  ask_property(false);
}

}  // namespace
}  // namespace troupe::props
