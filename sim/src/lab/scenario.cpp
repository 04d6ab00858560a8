#include "troupe/sim/scenario.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "scenarios/builtin.hpp"

namespace troupe::sim {

namespace {

std::map<std::string, std::unique_ptr<Scenario>>& registry() {
  static std::map<std::string, std::unique_ptr<Scenario>> scenarios;
  return scenarios;
}

/// The built-in scenarios, registered on first use: a static library would
/// drop self-registering objects nothing refers to.
void ensure_builtins() {
  static const bool done = [] {
    for (auto& s : builtin_scenarios()) register_scenario(std::move(s));
    return true;
  }();
  (void)done;
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return true;
}

/// An optional '-', digits, and optionally '.' and digits: what a user types
/// as a number, and nothing strtod would also take (hex, exponents, inf).
bool plain_decimal(const std::string& text) {
  const std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  const auto digits_from = [&](std::size_t i) {
    std::size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    return j;
  };
  const std::size_t int_end = digits_from(start);
  if (int_end == start) return false;
  if (int_end == text.size()) return true;
  if (text[int_end] != '.') return false;
  const std::size_t frac_end = digits_from(int_end + 1);
  return frac_end > int_end + 1 && frac_end == text.size();
}

}  // namespace

void register_scenario(Scenario scenario) {
  if (!valid_name(scenario.name)) {
    throw std::invalid_argument("scenario name '" + scenario.name +
                                "' must be 1-64 characters of a-z, 0-9, '-' or '_'");
  }
  if (!scenario.build || !scenario.faults || !scenario.settings) {
    throw std::invalid_argument("scenario " + scenario.name + " needs build, faults and settings");
  }
  for (const auto& p : scenario.params) {
    if (p.min > p.max || p.default_value < p.min || p.default_value > p.max) {
      throw std::invalid_argument("scenario " + scenario.name + ": parameter " + p.name +
                                  " has its default outside [min, max]");
    }
  }
  auto& all = registry();
  if (all.count(scenario.name) != 0) {
    throw std::invalid_argument("scenario " + scenario.name + " is already registered");
  }
  const std::string name = scenario.name;
  all.emplace(name, std::make_unique<Scenario>(std::move(scenario)));
}

const Scenario* find_scenario(const std::string& name) {
  ensure_builtins();
  const auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

std::vector<const Scenario*> scenarios() {
  ensure_builtins();
  std::vector<const Scenario*> out;
  for (const auto& [name, s] : registry()) out.push_back(s.get());
  return out;
}

Params resolve_params(const Scenario& scenario, const Params& given) {
  Params out;
  for (const auto& p : scenario.params) out[p.name] = p.default_value;
  for (const auto& [name, value] : given) {
    const ParamSpec* spec = nullptr;
    for (const auto& p : scenario.params) {
      if (p.name == name) spec = &p;
    }
    if (spec == nullptr) {
      std::string known;
      for (const auto& p : scenario.params) known += (known.empty() ? "" : ", ") + p.name;
      throw std::invalid_argument("scenario " + scenario.name + " has no parameter '" + name +
                                  "' (it has: " + known + ")");
    }
    if (!(value >= spec->min && value <= spec->max)) {
      throw std::invalid_argument("parameter " + name + " = " + std::to_string(value) +
                                  " is outside [" + std::to_string(spec->min) + ", " +
                                  std::to_string(spec->max) + "]");
    }
    if ((spec->workload || spec->integer) && value != std::floor(value)) {
      throw std::invalid_argument("parameter " + name + " = " + std::to_string(value) +
                                  " must be a whole number");
    }
    out[name] = value;
  }
  return out;
}

std::pair<std::string, double> parse_param(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw std::invalid_argument("parameter '" + text + "' must look like name=value");
  }
  const std::string value = text.substr(eq + 1);
  if (!plain_decimal(value)) {
    throw std::invalid_argument("parameter '" + text +
                                "' needs a plain decimal number after '=' (like 12 or 0.5)");
  }
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || !std::isfinite(v)) {
    throw std::invalid_argument("parameter '" + text + "' needs a number after '='");
  }
  return {text.substr(0, eq), v};
}

}  // namespace troupe::sim
