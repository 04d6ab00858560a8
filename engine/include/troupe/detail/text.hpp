#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace troupe::detail {

/// Joins pieces into one string. Messages in public headers are built with
/// this rather than `"literal" + std::string`: g++ 12 at -O3 reports a false
/// -Wrestrict on that operator once inlined (GCC bug 105651), which would
/// break a user's `-O3 -Werror` build.
inline std::string concat(std::initializer_list<std::string_view> pieces) {
  std::size_t size = 0;
  for (std::string_view p : pieces) size += p.size();
  std::string out;
  out.reserve(size);
  for (std::string_view p : pieces) out.append(p);
  return out;
}

}  // namespace troupe::detail
