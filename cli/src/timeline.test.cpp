// The views of a run: the HTML page's data and charts, the failure it
// points at, and the Perfetto export, for real recorded runs and for
// hostile traces held in memory (times out of order, at the extremes,
// details that would close a <script> element).
#include "timeline.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "perfetto_export.hpp"
#include "troupe/sim/replay.hpp"

namespace troupe::cli {
namespace {

using nlohmann::json;

RecordedEvent event(EventKind kind, std::int64_t t_ns, ActorId actor, std::string path,
                    std::int64_t value = 0, std::string detail = "") {
  RecordedEvent e;
  e.kind = kind;
  e.time = TimePoint{} + Duration(t_ns);
  e.actor = actor;
  e.path = std::move(path);
  e.value = value;
  e.detail = std::move(detail);
  return e;
}

/// The text of the chart titled `title`, up to the next chart.
std::string chart(const std::string& html, const std::string& title) {
  const auto from = html.find("<h2>" + title);
  return from == std::string::npos ? "" : html.substr(from, html.find("</svg>", from) - from);
}

sim::Trace taskpool_failure() {
  return sim::record_run(
      {.scenario = "taskpool",
       .params = {{"crash_probability", 0.05}, {"max_restarts", 1}, {"jobs", 40}},
       .seed = 6});
}

TEST(HtmlReport, PoolSizeStartsAtTheWorkersSpawnedNotAtZero) {
  const sim::Trace t = taskpool_failure();
  const std::string html = html_report(t);
  const std::string pools = chart(html, "pool size");
  ASSERT_NE(pools, "");
  EXPECT_EQ(pools.find("no pool in this run"), std::string::npos);
  EXPECT_NE(pools.find(">/taskpool</text>"), std::string::npos) << pools;
}

TEST(HtmlReport, TheFailureIsTheBudgetExhaustedOnTheActorTheVerdictNames) {
  const sim::Trace t = taskpool_failure();
  ASSERT_EQ(t.footer.invariant, "budget_never_exhausted");
  const std::int64_t at = failure_event(t);
  ASSERT_GE(at, 0);
  const auto& e = t.events[static_cast<std::size_t>(at)];
  EXPECT_EQ(e.kind, EventKind::budget_exceeded);
  EXPECT_EQ(e.path, t.footer.actor);
  EXPECT_NE(html_report(t).find("id=\"to-failure\""), std::string::npos);
  // A passing run has none.
  const sim::Trace pass = sim::record_run({.scenario = "taskpool", .params = {{"jobs", 5}}});
  EXPECT_EQ(failure_event(pass), -1);
  EXPECT_EQ(html_report(pass).find("id=\"to-failure\""), std::string::npos);
}

TEST(HtmlReport, TheDataHasALanePerActorAndEveryMessageWithItsSender) {
  const sim::Trace t = taskpool_failure();
  const json data = json::parse(timeline_data_json(t));
  std::set<ActorId> actors;
  for (const auto& e : t.events) actors.insert(e.actor);
  actors.insert(0);  // the outside lane is always there
  ASSERT_EQ(data["actors"].size(), actors.size());
  ASSERT_EQ(data["events"].size(), t.events.size());
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const auto& row = data["events"][i];
    const auto& e = t.events[i];
    EXPECT_EQ(data["actors"][row[2].get<std::size_t>()][0].get<ActorId>(), e.actor);
    if (e.kind == EventKind::received && e.message != 0) {
      EXPECT_EQ(data["types"][row[6].get<std::size_t>()].get<std::string>(), e.type);
      EXPECT_EQ(row[5].get<std::uint64_t>(), e.message);
    }
  }
  EXPECT_EQ(data["focus"].get<std::int64_t>(), failure_event(t));
}

TEST(HtmlReport, ADetailCannotCloseTheScriptElement) {
  sim::Trace t;
  t.events = {event(EventKind::note, 0, 1, "/a", 0, "</script><script>alert(1)</script>")};
  const std::string data = timeline_data_json(t);
  EXPECT_EQ(data.find("</"), std::string::npos) << data;
  EXPECT_EQ(json::parse(data)["events"][0][7].get<std::string>(),
            "</script><script>alert(1)</script>");
  const std::string html = html_report(t);
  // The only "</script>" are the page's own: the error trap, the data, the script.
  std::size_t closes = 0;
  for (auto at = html.find("</script>"); at != std::string::npos;
       at = html.find("</script>", at + 1))
    ++closes;
  EXPECT_EQ(closes, 3u);
}

TEST(TextTimeline, ControlBytesFromTheTraceNeverReachTheTerminal) {
  sim::Trace t;
  t.header.scenario = "s\x1b[2J";
  t.events = {event(EventKind::spawned, 0, 1, "/a\x1b[31m"),
              event(EventKind::failed, 5, 1, "/a\x1b[31m", 1, "boom\x1b]0;owned\x07"),
              event(EventKind::note, 6, 1, "/a\x1b[31m", 0,
                    "\xc2\x9b"
                    "1m")};
  t.footer.outcome = "fail\r";
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  print_timeline(out, t, 100);
  std::rewind(out);
  std::string text;
  for (int c; (c = std::fgetc(out)) != EOF;) text.push_back(static_cast<char>(c));
  std::fclose(out);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << text;
  EXPECT_EQ(text.find("\xc2\x9b"), std::string::npos) << text;
  EXPECT_NE(text.find("/a\\x1b[31m"), std::string::npos) << text;
  EXPECT_NE(text.find("boom\\x1b]0;owned\\x07"), std::string::npos) << text;
  // The page: the same bytes are '?' in its markup, escaped in its data.
  const std::string html = html_report(t);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_EQ(html.find('\r'), std::string::npos);
}

TEST(HtmlReport, TimesOutOfOrderAndAtTheExtremesStayInsideTheCharts) {
  sim::Trace t;
  const auto max = std::numeric_limits<std::int64_t>::max();
  t.events = {event(EventKind::sent, 0, 1, "/a", 1), event(EventKind::sent, max, 1, "/a", 9),
              event(EventKind::sent, -max, 1, "/a", 2), event(EventKind::received, 5, 1, "/a")};
  const std::string html = html_report(t);
  EXPECT_NE(chart(html, "mailbox length").find(">9</text>"), std::string::npos) << html;
  EXPECT_EQ(html.find("nan"), std::string::npos);
  EXPECT_EQ(html.find("inf"), std::string::npos);
  EXPECT_TRUE(json::parse(perfetto_json(t)).contains("traceEvents"));
}

TEST(Perfetto, OneTrackPerActorAndEveryFlowEndsWhereItsMessageIsReceived) {
  const sim::Trace t = taskpool_failure();
  const json doc = json::parse(perfetto_json(t));
  const auto& events = doc["traceEvents"];
  ASSERT_TRUE(events.is_array());
  std::map<ActorId, std::string> tracks;
  std::map<std::uint64_t, ActorId> flow_from;
  std::size_t ends = 0, slices = 0;
  for (const auto& e : events) {
    const std::string ph = e["ph"];
    if (ph == "M" && e["name"] == "thread_name") tracks[e["tid"]] = e["args"]["name"];
    if (ph == "X") {
      ++slices;
      EXPECT_GT(e["dur"].get<double>(), 0.0);
    }
    if (ph == "s") flow_from[e["id"]] = e["tid"];
    if (ph == "f") {
      ASSERT_EQ(flow_from.count(e["id"]), 1u) << e.dump();
      ++ends;
    }
  }
  std::set<ActorId> actors;
  std::size_t received = 0;
  for (const auto& e : t.events) {
    if (e.actor != 0) actors.insert(e.actor);
    if (e.kind == EventKind::received && e.message != 0) ++received;
  }
  for (const ActorId a : actors) EXPECT_EQ(tracks.count(a), 1u) << a;
  // Every numbered receipt ends a flow, also those of messages a stopped
  // pool worker handed to its successor (handed_over carries the flow on).
  std::size_t handed = 0;
  for (const auto& e : t.events) handed += e.kind == EventKind::handed_over ? 1 : 0;
  EXPECT_GT(handed, 0u) << "the trace should hold a hand-over";
  EXPECT_EQ(ends, received);
  EXPECT_GT(slices, received);
  EXPECT_EQ(doc["otherData"]["outcome"], t.footer.outcome);
}

}  // namespace
}  // namespace troupe::cli
