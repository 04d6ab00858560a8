#include "troupe/cli/troupe_cli.hpp"

int main(int argc, char** argv) {
  return troupe::cli::run_troupe(argc, argv);
}
