// The readable views of a run: the HTML page stays inside its arrays for any
// event times a Trace in memory may hold.
#include "timeline.hpp"

#include <gtest/gtest.h>

namespace troupe::cli {
namespace {

RecordedEvent sent_at(std::int64_t t_ns, std::int64_t mailbox) {
  RecordedEvent e;
  e.kind = EventKind::sent;
  e.time = TimePoint{} + Duration(t_ns);
  e.path = "/a";
  e.value = mailbox;
  return e;
}

/// The text of the chart titled `title`, up to the next chart.
std::string chart(const std::string& html, const std::string& title) {
  const auto from = html.find("<h2>" + title);
  return from == std::string::npos ? "" : html.substr(from, html.find("</svg>", from) - from);
}

TEST(HtmlReport, PutsANegativeTimeInTheFirstBucketNotBeforeTheArray) {
  sim::Trace t;
  t.events = {sent_at(-5'000'000, 7), sent_at(10'000'000, 1)};
  const std::string html = html_report(t);
  // The mailbox chart's top is the first bucket's mean, 7.
  EXPECT_NE(chart(html, "mean mailbox length").find(">7</text>"), std::string::npos) << html;
}

TEST(HtmlReport, PutsTimesPastTheLastEventInTheLastBucket) {
  sim::Trace t;
  // Out of order: the latest time is not the last event's.
  t.events = {sent_at(0, 1), sent_at(std::numeric_limits<std::int64_t>::max(), 9),
              sent_at(-std::numeric_limits<std::int64_t>::max(), 2), sent_at(1'000'000, 1)};
  const std::string html = html_report(t);
  EXPECT_NE(chart(html, "mean mailbox length").find(">9</text>"), std::string::npos) << html;
}

}  // namespace
}  // namespace troupe::cli
