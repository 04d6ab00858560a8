#include "troupe/failure.hpp"

#include <gtest/gtest.h>

#include <string>

namespace troupe {
namespace {

using namespace std::chrono_literals;

/// True when no multi-byte UTF-8 character is cut: every lead byte is
/// followed by exactly its continuation bytes.
bool whole_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    if ((c & 0xC0U) == 0x80U || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0U) != 0x80U) return false;
    }
    i += len;
  }
  return true;
}

TEST(Failure, AFirstEscalationNamesTheFailedChildWithoutACount) {
  const Failure leaf{"/p/c", "boom", 7, TimePoint{1s}};
  const Failure up = escalated_failure("/p", leaf, TimePoint{2s});
  EXPECT_EQ(up.actor_path, "/p");
  EXPECT_EQ(up.what, "escalated from /p/c: boom");
  EXPECT_EQ(up.origin_path, "/p/c");
  EXPECT_EQ(up.origin_what, "boom");
  EXPECT_EQ(up.escalations, 1u);
  EXPECT_EQ(up.message_seq, 7u);
  EXPECT_EQ(up.time, TimePoint{2s});
}

TEST(Failure, FurtherEscalationsKeepTheOriginAndCountTheLevels) {
  Failure f{"/a/b/c", "boom"};
  f = escalated_failure("/a/b", f, TimePoint{});
  f = escalated_failure("/a", f, TimePoint{});
  EXPECT_EQ(f.what, "escalated from /a/b/c (2 levels): boom");
  EXPECT_EQ(f.origin_path, "/a/b/c");
  EXPECT_EQ(f.escalations, 2u);
}

TEST(Failure, EscalationTextStaysBoundedAndWholeUtf8WithHugePathsAndTexts) {
  std::string path = "/top";
  for (int i = 0; i < 2000; ++i) path += "/\xC3\xA9t\xC3\xA9";  // "/été"
  path += "/leaf";
  std::string what;
  for (int i = 0; i < 5000; ++i) what += "\xE2\x82\xAC";  // "€"
  Failure f{path, what};
  for (int level = 0; level < 50; ++level) f = escalated_failure("/top", f, TimePoint{});
  EXPECT_LE(f.what.size(), kFailureTextMax);
  EXPECT_LE(f.origin_what.size(), kFailureTextMax);
  EXPECT_TRUE(whole_utf8(f.what)) << f.what;
  EXPECT_EQ(f.what.rfind("escalated from /top/", 0), 0u) << f.what;
  EXPECT_NE(f.what.find("/leaf (50 levels): \xE2\x82\xAC"), std::string::npos) << f.what;
  EXPECT_EQ(f.what.substr(f.what.size() - 3), "...");
  EXPECT_EQ(f.origin_path, path);  // kept whole: only the text is shortened
}

TEST(Failure, DurationTextUsesTheLargestUnitThatDividesIt) {
  EXPECT_EQ(duration_text(5s), "5s");
  EXPECT_EQ(duration_text(60s), "60s");
  EXPECT_EQ(duration_text(250ms), "250ms");
  EXPECT_EQ(duration_text(1500us), "1500us");
  EXPECT_EQ(duration_text(7ns), "7ns");
  EXPECT_EQ(duration_text(Duration::zero()), "0s");
}

}  // namespace
}  // namespace troupe
