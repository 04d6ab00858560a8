#include "cli/troupe_cli.hpp"

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "sim/trace.hpp"

namespace troupe::cli {

sim::Params parse_params(const std::vector<std::string>& texts) {
  sim::Params out;
  for (const auto& t : texts) {
    const auto [name, value] = sim::parse_param(t);
    out[name] = value;
  }
  return out;
}

const CLI::Validator& strategy_names() {
  static const CLI::Validator check = CLI::IsMember({"fifo", "random", "pct"});
  return check;
}

int run_troupe(int argc, char** argv) {
  CLI::App app{"troupe: run, explore, replay, shrink and show simulated actor systems"};
  app.require_subcommand(1);
  int exit_code = 0;
  add_run_command(app, exit_code);
  add_explore_command(app, exit_code);
  add_replay_command(app, exit_code);
  add_shrink_command(app, exit_code);
  add_show_command(app, exit_code);
  add_list_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const sim::TraceError& e) {
    std::fprintf(stderr, "troupe: bad trace: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "troupe: %s\n", e.what());
    return 2;
  }
  return exit_code;
}

}  // namespace troupe::cli
