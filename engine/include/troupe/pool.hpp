// Pool<M>: workers spawned from one Props<M>, addressed like one actor.
// A manager actor (the pool's own path) supervises the workers, replaces any
// that its supervision stops, applies resizes and runs the autoscaler. Senders
// route directly to a worker under the pool's lock (no extra hop), which is
// also what makes shrinking lossless: a worker leaves routing under that lock,
// then drains its mailbox, then stops.
//
//   auto pool = Pool<Task>::spawn(sys, "taskpool", props, {.min = 2, .max = 6}).value();
//   pool.autoscale({.interval = 500ms, .high_threshold = 6, .low_threshold = 2,
//                   .scale_up_step = 2, .scale_down_step = 1, .cooldown = 2s});
//   pool.tell(Job{1});
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "troupe/autoscaler.hpp"
#include "troupe/detail/pool_state.hpp"
#include "troupe/router.hpp"
#include "troupe/system.hpp"

namespace troupe {

template <class M>
class Pool {
 public:
  using KeyFn = std::function<std::uint64_t(const M&)>;

  /// Spawns the manager `name` and `settings.min` workers. Throws
  /// std::invalid_argument for bad settings (naming the field); returns an
  /// Error for a duplicate name or a system shutting down.
  static Result<Pool> spawn(System& sys, std::string name, Props<M> worker, PoolSettings settings,
                            KeyFn key = {}) {
    validate(settings);
    if constexpr (!std::is_copy_constructible_v<M>) {
      if (settings.routing == Routing::broadcast) {
        throw std::invalid_argument(
            "pool: broadcast routing needs a copyable message type (a copy per worker)");
      }
    }
    if (settings.routing == Routing::consistent_hash && !key) {
      throw std::invalid_argument("pool: consistent_hash routing needs a key function");
    }
    auto state =
        std::make_shared<detail::PoolState<M>>(std::move(worker), settings, std::move(key));
    auto manager = sys.spawn(std::move(name), detail::PoolState<M>::manager_props(state));
    if (!manager.ok()) return manager.error();
    state->start(manager.value());
    return Pool(std::move(state));
  }

  /// Routes `message` to a worker (or, with broadcast, a copy to each).
  SendResult tell(M message) const { return state_->tell(message); }

  /// Asks the pool to have `n` workers, clamped to [min, max]; applied by the
  /// manager shortly after. Shrinking loses no message.
  void resize(std::size_t n) const { state_->request_resize(n); }

  /// Starts (or restarts with new settings) the autoscaler.
  void autoscale(AutoScaleSettings s) const {
    validate(s);
    state_->start_scaler(s, s.interval);
  }
  /// The pressure-based policy instead (see PressureSettings).
  void autoscale_by_pressure(PressureSettings s) const {
    validate(s);
    state_->start_scaler(s, s.interval);
  }
  void stop_autoscaler() const { state_->stop_scaler(); }

  /// Workers currently in routing.
  std::size_t size() const { return state_->size(); }
  std::vector<ActorRef<M>> workers() const { return state_->workers(); }
  /// The resizes the autoscaler made, oldest first (the last 1024).
  std::vector<ScaleDecision> decisions() const { return state_->decisions(); }
  const std::string& path() const { return state_->path(); }
  const PoolSettings& settings() const { return state_->settings(); }

  /// For the runtime: the shared state (Context::offer routes through it).
  detail::PoolState<M>& state() const { return *state_; }

 private:
  explicit Pool(std::shared_ptr<detail::PoolState<M>> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::PoolState<M>> state_;
};

template <class M>
template <class T>
OfferResult Context<M>::offer(const Pool<T>& to, T& message, M notice) {
  detail::PoolState<T>& pool = to.state();
  return cell_.offer_with_notice(std::move(notice),
                                 [&](detail::WaitFor* wait) { return pool.offer(message, wait); });
}

}  // namespace troupe
