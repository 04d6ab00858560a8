// Events that tell the story, on both schedulers: every sent and received
// event names its message (receiver and number), its type and, on a send,
// the actor that sent it; every receipt matches exactly one send; notes from
// handlers are events of their own. Written against the public API only.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "troupe/pool.hpp"
#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"
#include "troupe/type_name.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::On;

struct Pong {
  int n = 0;
};
struct Ping {
  int n = 0;
  ActorRef<std::variant<int, Pong>> reply_to;
};

/// Answers each Ping with a Pong, and notes the third one.
class Ponger : public Actor<Ping> {
 public:
  void receive(Context<Ping>& ctx, Ping& ping) override {
    if (ping.n == 3) ctx.note("third ping");
    (void)ping.reply_to.tell(Pong{ping.n});
  }
};

/// On an int n, sends n Pings; counts the Pongs.
class Pinger : public Actor<std::variant<int, Pong>> {
 public:
  explicit Pinger(ActorRef<Ping> ponger) : ponger_(std::move(ponger)) {}
  void receive(Context<std::variant<int, Pong>>& ctx, std::variant<int, Pong>& m) override {
    if (const int* n = std::get_if<int>(&m)) {
      for (int i = 1; i <= *n; ++i) (void)ponger_.tell(Ping{i, ctx.self()});
    }
  }

 private:
  ActorRef<Ping> ponger_;
};

/// Notes a text too long for a note, and records whether it was refused.
class Noter : public Actor<int> {
 public:
  explicit Noter(std::shared_ptr<std::string> refusal) : refusal_(std::move(refusal)) {}
  void receive(Context<int>& ctx, int& n) override {
    try {
      ctx.note(std::string(static_cast<std::size_t>(n), 'x'));
    } catch (const std::invalid_argument& e) {
      *refusal_ = e.what();
    }
  }

 private:
  std::shared_ptr<std::string> refusal_;
};

class MessageEventsOnBoth : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override {
    sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5),
                                    SystemSettings{.events = &log_});
  }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }

  EventLog log_;
  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, MessageEventsOnBoth, testing::both_schedulers(),
                         testing::scheduler_name);

TEST_P(MessageEventsOnBoth, EveryReceiptMatchesOneSendWithItsSenderAndType) {
  auto ponger = sys().spawn("ponger", Props<Ping>::of<Ponger>()).value();
  auto pinger = sys().spawn("pinger", Props<std::variant<int, Pong>>::of<Pinger>(ponger)).value();
  constexpr int kPings = 5;
  ASSERT_EQ(pinger.tell(kPings), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(10s));
  sys().shutdown(5s);

  // Sends by (receiver, message number); each must be unique.
  std::map<std::pair<ActorId, std::uint64_t>, RecordedEvent> sends;
  for (const auto& e : log_.events(EventKind::sent)) {
    EXPECT_NE(e.message, 0u);
    EXPECT_TRUE(sends.emplace(std::pair{e.actor, e.message}, e).second)
        << "two sends numbered " << e.message << " to " << e.path;
  }
  ASSERT_EQ(sends.size(), 1u + 2u * kPings);  // the int, the pings, the pongs
  std::size_t receipts = 0;
  for (const auto& e : log_.events(EventKind::received)) {
    const auto send = sends.find({e.actor, e.message});
    ASSERT_NE(send, sends.end()) << "a receipt by " << e.path << " with no send";
    EXPECT_EQ(send->second.type, e.type);
    sends.erase(send);  // matched once
    ++receipts;
  }
  EXPECT_EQ(receipts, 1u + 2u * kPings);
  EXPECT_TRUE(sends.empty());

  // Who sent what: the int from outside, the pings by the pinger, the pongs by the ponger.
  std::map<std::string, std::vector<ActorId>> senders_by_type;
  for (const auto& e : log_.events(EventKind::sent)) senders_by_type[e.type].push_back(e.sender);
  EXPECT_EQ(senders_by_type[std::string(type_name<int>())], std::vector<ActorId>{0});
  EXPECT_EQ(senders_by_type[std::string(type_name<Ping>())],
            std::vector<ActorId>(kPings, pinger.id()));
  EXPECT_EQ(senders_by_type[std::string(type_name<Pong>())],
            std::vector<ActorId>(kPings, ponger.id()));
  EXPECT_EQ(type_name<Pong>(), "troupe::(anonymous)::Pong");

  const auto notes = log_.events(EventKind::note);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].actor, ponger.id());
  EXPECT_EQ(notes[0].detail, "third ping");
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(MessageEventsOnBoth, AMessageHandedToAStoppedWorkersSuccessorKeepsItsSend) {
  // One worker with no restart budget fails on job 3 and is stopped: what it
  // still holds goes to its successor, numbered again there. Each receipt
  // must still lead back to its one send, through a handed_over event.
  auto props = Props<int>::from_function([](Context<int>&, int& n) {
                 if (n == 3) throw std::runtime_error("job 3 fails");
               }).restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<int>::spawn(sys(), "p", props, {.min = 1, .max = 1}).value();
  constexpr int kJobs = 8;
  for (int i = 1; i <= kJobs; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(10s));
  sys().shutdown(5s);

  std::map<std::pair<ActorId, std::uint64_t>, RecordedEvent> sends;
  for (const auto& e : log_.events(EventKind::sent))
    sends.emplace(std::pair{e.actor, e.message}, e);
  std::size_t handed = 0;
  for (const auto& e : log_.events(EventKind::handed_over)) {
    ++handed;
    ASSERT_NE(e.value, 0);
    ASSERT_NE(e.message, 0u);
    const auto first = sends.find({e.sender, static_cast<std::uint64_t>(e.value)});
    ASSERT_NE(first, sends.end()) << "a hand-over of a message never sent to " << e.sender;
    EXPECT_EQ(first->second.type, e.type);
    EXPECT_NE(e.actor, e.sender);
    RecordedEvent moved = first->second;
    sends.erase(first);
    EXPECT_TRUE(sends.emplace(std::pair{e.actor, e.message}, moved).second);
  }
  std::size_t receipts = 0;
  for (const auto& e : log_.events(EventKind::received)) {
    const auto send = sends.find({e.actor, e.message});
    ASSERT_NE(send, sends.end()) << "a receipt of #" << e.message << " by " << e.path
                                 << " with no send";
    EXPECT_EQ(send->second.type, e.type);
    sends.erase(send);
    ++receipts;
  }
  // Job 3 failed in its handler: every job was received once, none is left.
  EXPECT_EQ(receipts, static_cast<std::size_t>(kJobs));
  EXPECT_TRUE(sends.empty());
  // On the simulator the jobs are all queued before the worker runs: jobs
  // 4 to 8 wait behind the failing one. On threads, as many as were queued.
  if (GetParam() == On::simulator) {
    EXPECT_EQ(handed, 5u);
  }
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(MessageEventsOnBoth, ANoteTooLongIsRefusedAndAnEmptyOneIsKept) {
  auto refusal = std::make_shared<std::string>();
  auto noter = sys().spawn("noter", Props<int>::of<Noter>(refusal)).value();
  ASSERT_EQ(noter.tell(static_cast<int>(kMaxNoteBytes) + 1), SendResult::accepted);
  ASSERT_EQ(noter.tell(0), SendResult::accepted);
  ASSERT_EQ(noter.tell(static_cast<int>(kMaxNoteBytes)), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(10s));
  sys().shutdown(5s);
  EXPECT_NE(refusal->find("at most 4096 bytes, got 4097"), std::string::npos) << *refusal;
  const auto notes = log_.events(EventKind::note);
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0].detail, "");
  EXPECT_EQ(notes[1].detail.size(), kMaxNoteBytes);
}

}  // namespace
}  // namespace troupe
