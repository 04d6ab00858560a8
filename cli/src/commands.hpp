// Each subcommand adds itself to the app; its callback sets the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "troupe/sim/scenario.hpp"

namespace troupe::cli {

/// The exit code of run and explore when a seed run twice gave two different
/// runs (--check-determinism): its traces cannot be trusted to replay, so it
/// outranks a failing verdict (1); bad input is 2.
inline constexpr int kExitNondeterministic = 3;

void add_run_command(CLI::App& app, int& exit_code);
void add_explore_command(CLI::App& app, int& exit_code);
void add_merge_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_shrink_command(CLI::App& app, int& exit_code);
void add_show_command(CLI::App& app, int& exit_code);
void add_list_command(CLI::App& app, int& exit_code);

/// "name=value" options into Params (errors name the bad one).
sim::Params parse_params(const std::vector<std::string>& texts);

/// Decimal digits only, of a number that fits 64 bits; nullopt otherwise.
std::optional<std::uint64_t> parse_decimal_u64(const std::string& text);

/// A check for CLI11 that accepts only decimal digits of a number that fits
/// 64 bits: CLI11 alone would read "-1" as 2^64-1 and "0x10" as 16.
const CLI::Validator& decimal_u64();

/// A check for CLI11 that accepts fifo, random, pct or guided.
const CLI::Validator& strategy_names();

/// PCT's settings from --pct-depth and --pct-steps (defaults where not
/// given); throws std::invalid_argument for 0, a depth past the limit, or a
/// flag given with a strategy that has no use for it (not `pct_strategy`).
/// --pct-depth and --pct-steps on `cmd`.
void add_pct_options(CLI::App& cmd, std::optional<std::uint64_t>& depth,
                     std::optional<std::uint64_t>& steps);

sim::PctSettings pct_settings(const std::optional<std::uint64_t>& depth,
                              const std::optional<std::uint64_t>& steps, bool pct_strategy);

}  // namespace troupe::cli
