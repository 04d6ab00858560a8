// CompactMutex: a mutex in four bytes, for the lock every cell holds (a
// std::mutex takes forty, paid once per actor). Uncontended, lock and unlock
// are one atomic instruction each, inline; a contended lock spins briefly,
// since the sections it guards are a few instructions long, then sleeps in
// std::atomic::wait (a futex on Linux). The three states follow Drepper's
// "Futexes Are Tricky": unlock only wakes anyone when a sleeper may exist.
//
// A process with one thread (the simulator) needs no atomic instruction at
// all: as glibc's own locks and libstdc++'s shared_ptr do, the lock then
// uses plain loads and stores. Locked instructions cost the simulator a
// fifth of its ping-pong throughput otherwise. The flag only turns false
// when a second thread is created, which orders everything before it.
#pragma once

#include <atomic>
#include <cstdint>

#include "troupe/assert.hpp"

// Under ThreadSanitizer the lock tells it what it is, so that it checks lock
// order (potential deadlocks) as it does for std::mutex, not just the
// atomics inside.
#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define TROUPE_TSAN_MUTEX(call) call
#else
#define TROUPE_TSAN_MUTEX(call)
#endif

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define TROUPE_KNOWS_SINGLE_THREADED 1
#endif

namespace troupe::detail {

class CompactMutex {
 public:
  CompactMutex() { TROUPE_TSAN_MUTEX(__tsan_mutex_create(this, __tsan_mutex_not_static)); }
  ~CompactMutex() { TROUPE_TSAN_MUTEX(__tsan_mutex_destroy(this, __tsan_mutex_not_static)); }
  CompactMutex(const CompactMutex&) = delete;
  CompactMutex& operator=(const CompactMutex&) = delete;

  void lock() {
    TROUPE_TSAN_MUTEX(__tsan_mutex_pre_lock(this, 0));
    acquire();
    TROUPE_TSAN_MUTEX(__tsan_mutex_post_lock(this, 0, 0));
  }

  bool try_lock() {
    TROUPE_TSAN_MUTEX(__tsan_mutex_pre_lock(this, __tsan_mutex_try_lock));
    const bool acquired = try_acquire();
    TROUPE_TSAN_MUTEX(__tsan_mutex_post_lock(
        this, __tsan_mutex_try_lock | (acquired ? 0u : __tsan_mutex_try_lock_failed), 0));
    return acquired;
  }

  void unlock() {
    TROUPE_TSAN_MUTEX(__tsan_mutex_pre_unlock(this, 0));
    release();
    TROUPE_TSAN_MUTEX(__tsan_mutex_post_unlock(this, 0));
  }

 private:
  static constexpr std::uint32_t kFree = 0;
  static constexpr std::uint32_t kLocked = 1;    // held, nobody sleeping
  static constexpr std::uint32_t kSleepers = 2;  // held, someone may be sleeping

  void acquire() {
    if (single_threaded()) {
      TROUPE_ASSERT(state_.load(std::memory_order_relaxed) == kFree);  // no recursion
      state_.store(kLocked, std::memory_order_relaxed);
      return;
    }
    if (try_acquire()) return;
    acquire_contended();
  }

  bool try_acquire() {
    std::uint32_t expected = kFree;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  void release() {
    if (single_threaded()) {
      // No other thread exists, so none can be sleeping on this lock.
      state_.store(kFree, std::memory_order_relaxed);
      return;
    }
    if (state_.exchange(kFree, std::memory_order_release) == kSleepers) state_.notify_one();
  }

  void acquire_contended() {
    for (int spin = 0; spin < kSpins; ++spin) {
      pause();
      if (state_.load(std::memory_order_relaxed) == kFree && try_acquire()) return;
    }
    // Announce a sleeper; whoever takes the lock from here on takes it in
    // the sleepers state, so its unlock wakes the next one.
    while (state_.exchange(kSleepers, std::memory_order_acquire) != kFree) {
      state_.wait(kSleepers, std::memory_order_relaxed);
    }
  }

  static bool single_threaded() {
#ifdef TROUPE_KNOWS_SINGLE_THREADED
    return __libc_single_threaded != 0;
#else
    return false;
#endif
  }

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  static constexpr int kSpins = 100;

  std::atomic<std::uint32_t> state_{kFree};
};

static_assert(sizeof(CompactMutex) == 4);

}  // namespace troupe::detail
