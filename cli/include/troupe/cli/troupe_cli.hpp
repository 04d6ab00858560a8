// The troupe command as a library: `troupe run | explore | replay | shrink |
// show | list`. A program that registers its own scenarios (register_scenario)
// and then calls run_troupe gets the whole command over them; see
// examples/custom_scenario.cpp.
#pragma once

namespace troupe::cli {

/// Parses the arguments, runs the subcommand and returns the exit code:
/// 0 success, 1 a run failed or a replay diverged, 2 bad input.
int run_troupe(int argc, char** argv);

}  // namespace troupe::cli
