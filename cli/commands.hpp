// Each subcommand adds itself to the app; its callback sets the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "sim/scenario.hpp"

namespace troupe::cli {

void add_run_command(CLI::App& app, int& exit_code);
void add_explore_command(CLI::App& app, int& exit_code);
void add_replay_command(CLI::App& app, int& exit_code);
void add_shrink_command(CLI::App& app, int& exit_code);
void add_show_command(CLI::App& app, int& exit_code);
void add_list_command(CLI::App& app, int& exit_code);

/// "name=value" options into Params (errors name the bad one).
sim::Params parse_params(const std::vector<std::string>& texts);

/// A check for CLI11 that accepts fifo, random or pct.
const CLI::Validator& strategy_names();

}  // namespace troupe::cli
