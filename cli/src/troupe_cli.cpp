#include "troupe/cli/troupe_cli.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "text_escape.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::cli {

sim::Params parse_params(const std::vector<std::string>& texts) {
  sim::Params out;
  for (const auto& t : texts) {
    const auto [name, value] = sim::parse_param(t);
    out[name] = value;
  }
  return out;
}

std::optional<std::uint64_t> parse_decimal_u64(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      error != std::errc() || stop != end) {
    return std::nullopt;
  }
  return value;
}

const CLI::Validator& decimal_u64() {
  static const CLI::Validator check(
      [](std::string& text) -> std::string {
        if (parse_decimal_u64(text)) return {};
        return "'" + text + "' is not a whole number from 0 to 18446744073709551615";
      },
      "UINT");
  return check;
}

const CLI::Validator& strategy_names() {
  static const CLI::Validator check = CLI::IsMember({"fifo", "random", "pct", "guided"});
  return check;
}

void add_pct_options(CLI::App& cmd, std::optional<std::uint64_t>& depth,
                     std::optional<std::uint64_t>& steps) {
  cmd.add_option("--pct-depth", depth,
                 "PCT: bug depth to aim for, 1 to " + std::to_string(sim::kMaxPctDepth) +
                     " (default 3); --strategy pct")
      ->check(decimal_u64());
  cmd.add_option("--pct-steps", steps,
                 "PCT: steps over which its change points spread (default 10000); --strategy pct")
      ->check(decimal_u64());
}

sim::PctSettings pct_settings(const std::optional<std::uint64_t>& depth,
                              const std::optional<std::uint64_t>& steps, bool pct_strategy) {
  sim::PctSettings pct;
  if ((depth || steps) && !pct_strategy) {
    throw std::invalid_argument(std::string(depth ? "--pct-depth" : "--pct-steps") +
                                " needs --strategy pct");
  }
  if (depth) {
    if (*depth < 1 || *depth > sim::kMaxPctDepth) {
      throw std::invalid_argument("--pct-depth must be in [1, " +
                                  std::to_string(sim::kMaxPctDepth) + "], got " +
                                  std::to_string(*depth));
    }
    pct.depth = static_cast<std::size_t>(*depth);
  }
  if (steps) {
    if (*steps < 1) throw std::invalid_argument("--pct-steps must be >= 1, got 0");
    pct.expected_steps = *steps;
  }
  return pct;
}

int run_troupe(int argc, char** argv) {
  CLI::App app{"troupe: run, explore, merge, replay, shrink and show simulated actor systems"};
  app.set_version_flag("--version", std::string("troupe ") + TROUPE_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  add_run_command(app, exit_code);
  add_explore_command(app, exit_code);
  add_merge_command(app, exit_code);
  add_replay_command(app, exit_code);
  add_shrink_command(app, exit_code);
  add_show_command(app, exit_code);
  add_list_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RequiredError& e) {
    // CLI11 checks for the subcommand before the arguments it did not
    // expect: name the word it did not know, and the commands there are.
    if (argc > 1 && argv[1][0] != '\0' && app.get_subcommands().empty()) {
      std::fprintf(stderr,
                   "troupe: unknown command or option '%s': the commands are run, explore, "
                   "merge, replay, shrink, show and list (troupe --help)\n",
                   argv[1]);
    } else {
      std::fprintf(stderr, "troupe: %s\n", e.what());
    }
    return 2;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // Bad input is one line, like every other refusal.
    std::fprintf(stderr, "troupe: %s\n", e.what());
    return 2;
  } catch (const sim::TraceError& e) {
    // The message quotes the file: shown, never obeyed by the terminal.
    std::fprintf(stderr, "troupe: bad trace: %s\n", terminal_text(e.what()).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "troupe: %s\n", terminal_text(e.what()).c_str());
    return 2;
  }
  return exit_code;
}

}  // namespace troupe::cli
