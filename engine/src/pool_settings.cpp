#include "troupe/pool_settings.hpp"

#include <stdexcept>
#include <string>

namespace troupe {

void validate(const PoolSettings& s) {
  if (s.min < 1) throw std::invalid_argument("pool.min must be >= 1");
  if (s.max < s.min) {
    throw std::invalid_argument("pool.max (" + std::to_string(s.max) + ") must be >= pool.min (" +
                                std::to_string(s.min) + ")");
  }
  if (s.max > kMaxPoolWorkers) {
    throw std::invalid_argument("pool.max must be <= " + std::to_string(kMaxPoolWorkers));
  }
}

}  // namespace troupe
