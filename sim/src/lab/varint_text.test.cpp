#include "varint_text.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace troupe::sim {
namespace {

std::optional<std::vector<std::uint64_t>> decode(const std::string& text, std::string& why) {
  return decode_varints(text, 1000, why);
}

TEST(VarintText, RoundTripsSmallLargeAndEdgeValues) {
  constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
  for (const std::vector<std::uint64_t>& values : std::vector<std::vector<std::uint64_t>>{
           {}, {0}, {127}, {128}, {1, 2, 3}, {kMax}, {kMax, 0, kMax - 1, 1ull << 63, 300}}) {
    std::string why;
    const auto back = decode(encode_varints(values), why);
    ASSERT_TRUE(back.has_value()) << why;
    EXPECT_EQ(*back, values);
  }
  // Small numbers take a byte each: 3 choices are 4 characters.
  EXPECT_EQ(encode_varints({1, 2, 3}).size(), 4u);
}

TEST(VarintText, RefusesTextNoEncoderWrites) {
  std::string why;
  EXPECT_FALSE(decode("AB=C", why));  // '=' is not base64url
  EXPECT_NE(why.find("outside base64url"), std::string::npos);
  EXPECT_FALSE(decode("A", why));  // no byte count gives one character
  EXPECT_NE(why.find("length"), std::string::npos);
  EXPECT_FALSE(decode(encode_varints({1}).substr(0, 1) + "B", why));  // stray bits
  // A continuation byte at the end: the last number is cut off.
  EXPECT_FALSE(decode("gA", why));
  EXPECT_NE(why.find("cut off"), std::string::npos);
  // Eleven continuation bytes: longer than 64 bits.
  EXPECT_FALSE(decode("________________AQ", why));  // twelve 0xff bytes, then 0x01
  EXPECT_NE(why.find("64 bits"), std::string::npos);
  // More numbers than the caller allows.
  std::string many_why;
  EXPECT_FALSE(decode_varints(encode_varints(std::vector<std::uint64_t>(11, 5)), 10, many_why));
  EXPECT_NE(many_why.find("more numbers"), std::string::npos);
}

TEST(VarintText, ABitPatternPastSixtyFourBitsIsRefusedNotWrapped) {
  // 2^64 - 1 is nine 0xff bytes and 0x01: "____________" then "AQ". With
  // 0x02 as the last byte ("Ag") the number would be 2^64 and up.
  const std::string max_text = encode_varints({std::numeric_limits<std::uint64_t>::max()});
  ASSERT_EQ(max_text, "____________AQ");
  std::string why;
  EXPECT_FALSE(decode("____________Ag", why));
  EXPECT_NE(why.find("64 bits"), std::string::npos);
}

}  // namespace
}  // namespace troupe::sim
