// libFuzzer over the trace reader: any bytes are either a trace or a
// TraceError, never a crash, a hang, undefined behaviour or a leak.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "troupe/sim/trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    (void)troupe::sim::read_trace(in, "fuzz");
  } catch (const troupe::sim::TraceError&) {
    // refused with a message: the contract
  }
  return 0;
}
