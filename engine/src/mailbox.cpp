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
  if (settings.max_room_waiters == 0 || settings.max_room_waiters > kMaxRoomWaiters) {
    std::string what = "mailbox.max_room_waiters must be within [1, ";
    what.append(std::to_string(kMaxRoomWaiters)).append("], got ");
    what.append(std::to_string(settings.max_room_waiters));
    throw std::invalid_argument(what);
  }
}

}  // namespace troupe
