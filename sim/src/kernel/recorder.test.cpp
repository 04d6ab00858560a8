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
  for (const auto& e : kept)
    h = fold_event(h, Event{e.kind, e.time, e.actor, e.path, e.detail, e.value});
  EXPECT_EQ(h, last.hash());
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
