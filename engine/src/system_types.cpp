#include "troupe/system_types.hpp"

#include <numeric>

namespace troupe {

std::uint64_t SystemStats::dead_letters() const {
  return std::accumulate(dead_by_reason.begin(), dead_by_reason.end(), std::uint64_t{0});
}

}  // namespace troupe
