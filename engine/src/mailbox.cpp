#include "troupe/mailbox.hpp"

#include <stdexcept>
#include <string>

namespace troupe {

void validate(const MailboxSettings& settings) {
  if (settings.capacity == 0 || settings.capacity > kMaxMailboxCapacity) {
    throw std::invalid_argument("mailbox.capacity must be within [1, " +
                                std::to_string(kMaxMailboxCapacity) + "], got " +
                                std::to_string(settings.capacity));
  }
  if (settings.overflow == Overflow::block && settings.block_timeout <= Duration::zero()) {
    throw std::invalid_argument("mailbox.block_timeout must be positive with overflow = block");
  }
}

}  // namespace troupe
