#include "varint_text.hpp"

#include <array>

namespace troupe::sim {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> reverse_alphabet() {
  std::array<std::int8_t, 256> r{};
  for (auto& v : r) v = -1;
  for (int i = 0; i < 64; ++i)
    r[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return r;
}
constexpr auto kReverse = reverse_alphabet();

}  // namespace

std::string encode_varints(const std::vector<std::uint64_t>& values) {
  std::string bytes;
  bytes.reserve(values.size() * 2);
  for (std::uint64_t v : values) {
    while (v >= 0x80) {
      bytes.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes.push_back(static_cast<char>(v));
  }
  std::string text;
  text.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) text.push_back(kAlphabet[(n >> s) & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    text.push_back(kAlphabet[(n >> 18) & 63]);
    text.push_back(kAlphabet[(n >> 12) & 63]);
    if (rest == 2) text.push_back(kAlphabet[(n >> 6) & 63]);
  }
  return text;
}

std::optional<std::vector<std::uint64_t>> decode_varints(std::string_view text,
                                                         std::size_t max_values, std::string& why) {
  if (text.size() % 4 == 1) {
    why = "its length is not that of base64 text";
    return std::nullopt;
  }
  std::vector<std::uint64_t> values;
  std::uint64_t value = 0;
  int shift = 0;
  const auto take = [&](unsigned byte) -> bool {
    if (shift == 63 && (byte & 0x7e) != 0) {
      why = "a number is longer than 64 bits";
      return false;
    }
    value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (values.size() == max_values) {
        why = "more numbers than a line may hold";
        return false;
      }
      values.push_back(value);
      value = 0;
      shift = 0;
      return true;
    }
    shift += 7;
    if (shift > 63) {
      why = "a number is longer than 64 bits";
      return false;
    }
    return true;
  };
  std::uint32_t bits = 0;
  int have = 0;
  for (const char c : text) {
    const int v = kReverse[static_cast<unsigned char>(c)];
    if (v < 0) {
      why = "a character outside base64url";
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    have += 6;
    if (have >= 8) {
      have -= 8;
      if (!take((bits >> have) & 0xff)) return std::nullopt;
    }
  }
  // Leftover bits must be zero padding; anything else was not written by
  // encode_varints.
  if ((bits & ((1u << have) - 1)) != 0) {
    why = "stray bits at the end of the base64 text";
    return std::nullopt;
  }
  if (shift != 0) {
    why = "the last number is cut off";
    return std::nullopt;
  }
  return values;
}

}  // namespace troupe::sim
