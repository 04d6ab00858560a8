// The regression gate's own test subject: a fixed CPU-bound loop, and a knob
// that plants a slowdown (`--planted_slowdown_pct=30`: each iteration does 1.3x
// the work but reports the same items), so a test can prove that the gate
// passes two identical runs and fails a planted regression. Not a troupe
// benchmark: `make bench` skips it.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace troupe::bench {
namespace {

constexpr std::uint64_t kStepsPerIteration = 200'000;
constexpr std::uint64_t kPlantedSlowdownPctMax = 1000;
constexpr std::string_view kPlantedFlag = "--planted_slowdown_pct=";

std::uint64_t planted_slowdown_pct = 0;

/// One step of a 64-bit mix: each depends on the last, so the loop cannot be
/// vectorised or folded, and it touches no memory (cache contention from
/// other processes leaves it alone).
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15ULL;
  return x ^ (x >> 29);
}

/// Items per second from CPU time (no UseRealTime): a busy machine delays the
/// probe but does not make its CPU time longer.
void BM_GateProbe(benchmark::State& state) {
  const std::uint64_t steps = kStepsPerIteration * (100 + planted_slowdown_pct) / 100;
  std::uint64_t x = 1;
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < steps; ++i) {
      x = mix(x + i);
    }
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kStepsPerIteration));
}
BENCHMARK(BM_GateProbe);

/// Takes `--planted_slowdown_pct=N` out of argv; false (after saying why) when
/// N is not a whole number in [0, kPlantedSlowdownPctMax].
bool take_planted_flag(int& argc, char** argv) {
  int kept = 0;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (!arg.starts_with(kPlantedFlag)) {
      argv[kept++] = argv[i];
      continue;
    }
    const char* text = argv[i] + kPlantedFlag.size();
    char* end = nullptr;
    const unsigned long long pct = std::strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end != '\0' || pct > kPlantedSlowdownPctMax) {
      std::fprintf(stderr, "bench_gate_probe: %s: want a whole number of percent, 0 to %llu\n",
                   argv[i], static_cast<unsigned long long>(kPlantedSlowdownPctMax));
      return false;
    }
    planted_slowdown_pct = pct;
  }
  argc = kept;
  argv[kept] = nullptr;
  return true;
}

}  // namespace
}  // namespace troupe::bench

int main(int argc, char** argv) {
  if (!troupe::bench::take_planted_flag(argc, argv)) return 2;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
