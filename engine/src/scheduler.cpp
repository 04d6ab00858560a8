#include "troupe/scheduler.hpp"

#include <thread>

namespace troupe {

void Scheduler::work(Duration time) {
  // On real threads declared work is real time: the handler holds its
  // thread as the I/O it stands for would.
  if (time > Duration::zero()) std::this_thread::sleep_for(time);
}

}  // namespace troupe
