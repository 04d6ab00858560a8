// Invariant checks that stay on in every build the project ships or tests.
// TROUPE_ASSERT is for what must never happen inside the engine; what a user
// can get wrong is reported with exceptions or results, never with this.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace troupe::detail {

[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "troupe: invariant violated: %s (%s:%d)\n", expr, file, line);
  std::abort();
}

}  // namespace troupe::detail

#define TROUPE_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::troupe::detail::assertion_failed(#expr, __FILE__, __LINE__))
