// The recorder keeps the last events of a long run (a ring) and hashes all
// of them: a trace of a livelock shows how it ends, and replays.
#include "troupe/sim/recorder.hpp"

#include <gtest/gtest.h>

namespace troupe::sim {
namespace {

Event numbered(std::int64_t i) {
  return Event{EventKind::sent, TimePoint{} + Duration(i), static_cast<ActorId>(i), "/a", "", i};
}

TEST(Recorder, KeepsTheLastEventsAndHashesThemAll) {
  Recorder all(100);
  Recorder last(4);
  for (std::int64_t i = 0; i < 10; ++i) {
    all.on_event(numbered(i));
    last.on_event(numbered(i));
  }
  EXPECT_EQ(last.count(), 10u);
  EXPECT_EQ(last.hash(), all.hash());
  EXPECT_TRUE(last.truncated());
  EXPECT_EQ(last.first_kept(), 6u);
  const auto kept = last.events();
  ASSERT_EQ(kept.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(kept[i].value, static_cast<std::int64_t>(6 + i));
  // The running hashes of the kept events are those of the whole run.
  const auto whole = all.running_hashes();
  const auto tail = last.running_hashes();
  ASSERT_EQ(tail.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(tail[i], whole[6 + i]);
  EXPECT_EQ(last.hash_before_kept(), whole[5]);
  // Folding the kept events onto the hash before them gives the final hash.
  std::uint64_t h = last.hash_before_kept();
  for (const auto& e : kept) h = fold_event(h, view(e));
  EXPECT_EQ(h, last.hash());
}

TEST(Recorder, TakingTheEventsGivesThemInOrderAndKeepsTheHashConsistent) {
  Recorder copied(4);
  Recorder taken(4);
  for (std::int64_t i = 0; i < 10; ++i) {  // the ring has wrapped
    copied.on_event(numbered(i));
    taken.on_event(numbered(i));
  }
  const auto expected = copied.events();
  const std::uint64_t before = taken.hash_before_kept();
  const auto moved = taken.take_events();
  ASSERT_EQ(moved.size(), expected.size());
  for (std::size_t i = 0; i < moved.size(); ++i) EXPECT_EQ(moved[i].value, expected[i].value);
  std::uint64_t h = before;
  for (const auto& e : moved) h = fold_event(h, view(e));
  EXPECT_EQ(h, taken.hash());
  // Nothing is kept after it, as if the capacity had pushed it all out.
  EXPECT_TRUE(taken.events().empty());
  EXPECT_EQ(taken.hash_before_kept(), taken.hash());
  EXPECT_EQ(taken.first_kept(), 10u);
  taken.on_event(numbered(10));
  copied.on_event(numbered(10));
  EXPECT_EQ(taken.hash(), copied.hash());
  ASSERT_EQ(taken.events().size(), 1u);
  EXPECT_EQ(taken.events()[0].value, 10);
}

TEST(Recorder, KnowsWhichActorsAreAlive) {
  Recorder r(0);
  r.on_event(Event{EventKind::spawned, TimePoint{}, 1, "/a", "", 0});
  r.on_event(Event{EventKind::spawned, TimePoint{}, 2, "/b", "", 0});
  r.on_event(Event{EventKind::stopped, TimePoint{}, 1, "/a", "", 0});
  EXPECT_EQ(r.live_actors(), std::vector<std::string>{"/b"});
  EXPECT_TRUE(r.spawned("/a"));
  EXPECT_EQ(r.first_kept(), 3u);
}

}  // namespace
}  // namespace troupe::sim

namespace troupe::sim {
namespace {

Event message_event(EventKind kind, ActorId receiver, std::uint64_t message, ActorId sender) {
  return Event{kind, TimePoint{}, receiver, "/r", "", 0, sender, message, "Msg"};
}

TEST(Recorder, AReceiptAtAStoppedWorkersSuccessorNamesWhoSentItFirst) {
  Recorder r;
  r.on_event(message_event(EventKind::sent, 7, 1, 3));  // to the worker, by actor 3
  r.on_event(message_event(EventKind::sent, 7, 2, 4));
  // Worker 7 stops; successor 9 takes its messages 1 and 2 as its 1 and 2.
  Event handed = message_event(EventKind::handed_over, 9, 1, 7);
  handed.value = 1;
  r.on_event(handed);
  handed.message = 2;
  handed.value = 2;
  r.on_event(handed);
  r.on_event(message_event(EventKind::received, 9, 1, 0));
  r.on_event(message_event(EventKind::received, 9, 2, 0));
  const auto events = r.events();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].sender, 7u);  // a hand-over names the stopped worker
  EXPECT_EQ(events[4].sender, 3u);
  EXPECT_EQ(events[5].sender, 4u);
}

TEST(Recorder, FillsInTheSenderOfEachReceiptFromItsSend) {
  Recorder r;
  r.on_event(message_event(EventKind::sent, 7, 1, 3));
  r.on_event(message_event(EventKind::sent, 7, 2, 4));
  r.on_event(message_event(EventKind::sent, 7, 3, 5));
  r.on_event(message_event(EventKind::sent, 8, 1, 6));
  // Message 1 of actor 7 was dropped for room (drop_oldest): never received.
  r.on_event(message_event(EventKind::received, 7, 2, 0));
  r.on_event(message_event(EventKind::received, 8, 1, 0));
  r.on_event(message_event(EventKind::received, 7, 0, 0));  // taken again from the stash
  r.on_event(message_event(EventKind::received, 7, 3, 0));
  r.on_event(message_event(EventKind::received, 7, 3, 0));  // no second send numbered 3
  const auto events = r.events();
  ASSERT_EQ(events.size(), 9u);
  EXPECT_EQ(events[4].sender, 4u);
  EXPECT_EQ(events[5].sender, 6u);
  EXPECT_EQ(events[6].sender, 0u);
  EXPECT_EQ(events[7].sender, 5u);
  EXPECT_EQ(events[8].sender, 0u);
  // The hash covers what was filled in: recomputed from the kept events.
  std::uint64_t h = Recorder::kInitialHash;
  for (const auto& e : events) h = fold_event(h, view(e));
  EXPECT_EQ(h, r.hash());
}

TEST(Recorder, TheHashCoversSenderNumberAndTypeOfMessagesOnly) {
  const Event sent = message_event(EventKind::sent, 7, 1, 3);
  Event other_sender = sent;
  other_sender.sender = 4;
  Event other_number = sent;
  other_number.message = 2;
  Event other_type = sent;
  other_type.type = "Other";
  EXPECT_NE(hash_event(sent), hash_event(other_sender));
  EXPECT_NE(hash_event(sent), hash_event(other_number));
  EXPECT_NE(hash_event(sent), hash_event(other_type));
  // Other kinds carry no message: stray fields change nothing.
  Event stopped{EventKind::stopped, TimePoint{}, 7, "/r", "", 0};
  Event stray = stopped;
  stray.sender = 9;
  stray.type = "X";
  EXPECT_EQ(hash_event(stopped), hash_event(stray));
}

}  // namespace
}  // namespace troupe::sim
