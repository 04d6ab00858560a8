// The root of the actor tree: supervises top-level actors with their own
// policies and absorbs escalations, so a failure never takes the system down.
// It has no instance and receives no user messages.
#pragma once

#include <memory>

#include "troupe/detail/cell_base.hpp"

namespace troupe::detail {

class Guardian final : public CellBase {
 public:
  explicit Guardian(Runtime& runtime)
      : CellBase(runtime, nullptr, 0, std::make_shared<const ActorSettings>()) {}

 protected:
  bool process_one() override { return false; }
  std::size_t user_queue_size_locked() const override { return 0; }
  PendingMessage front_message_locked() const override { return {}; }
  std::size_t close_mailbox_locked() override { return 0; }
  void create_instance() override {}
  void destroy_instance() noexcept override {}
  bool has_instance() const override { return false; }
  void hook_pre_start() override {}
  void hook_post_stop() override {}
  void hook_pre_restart(const Failure&) override {}
  void hook_terminated(const Terminated&) override {}
};

}  // namespace troupe::detail
