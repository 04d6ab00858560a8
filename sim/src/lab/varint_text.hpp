// Whole numbers as text, compactly: each as LEB128 (7 bits a byte, small
// numbers in one byte), the bytes as base64url without padding. A trace's
// decisions are mostly small choice indices and some 64-bit draws: this
// takes about a third of the room of decimal JSON arrays.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::sim {

std::string encode_varints(const std::vector<std::uint64_t>& values);

/// The numbers back; nullopt (with `why` set) for a character outside
/// base64url, a length no encoding has, a number longer than 64 bits, a
/// number cut off at the end, or more than `max_values`.
std::optional<std::vector<std::uint64_t>> decode_varints(std::string_view text,
                                                         std::size_t max_values, std::string& why);

}  // namespace troupe::sim
