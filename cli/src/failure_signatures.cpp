#include "failure_signatures.hpp"

#include <algorithm>
#include <cctype>

#include "troupe/assert.hpp"

namespace troupe::cli {

std::string FailureSignature::key() const {
  std::string k = invariant;
  if (!path.empty()) k.append(" ").append(path);
  return k.append(" (").append(kind).append(")");
}

std::string normalise_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(text[i])) != 0;
    const bool after_digit = i > 0 && std::isdigit(static_cast<unsigned char>(text[i - 1])) != 0;
    if (!digit) {
      out.push_back(text[i]);
    } else if (!after_digit) {
      out.push_back('*');
    }
  }
  return out;
}

FailureSignature violation_signature(const std::string& invariant, const std::string& actor) {
  // The harness's own verdicts (nothing could run; the run never settled)
  // are told apart from a scenario's invariants: they call for other fixes.
  const char* kind = invariant == "stuck"             ? "stuck"
                     : invariant == "budget_exceeded" ? "over_budget"
                                                      : "violation";
  return {kind, invariant, normalise_numbers(actor), 0, {}};
}

FailureSignature error_signature(const std::string& what) {
  return {"error", normalise_numbers(what), "", 0, {}};
}

void SignatureBook::insert_example(FailureSignature& into, FailureExample example, bool& kept) {
  auto& examples = into.examples;
  const auto at = std::find_if(examples.begin(), examples.end(),
                               [&](const FailureExample& e) { return example.before(e); });
  kept = static_cast<std::size_t>(at - examples.begin()) < keep_;
  if (!kept) return;
  examples.insert(at, std::move(example));
  if (examples.size() > keep_) {
    if (!examples.back().trace.empty()) displaced_.push_back(examples.back().trace);
    examples.pop_back();
  }
  TROUPE_ASSERT(examples.size() <= keep_);
}

SignatureBook::Admission SignatureBook::add(const FailureSignature& signature,
                                            FailureExample example) {
  TROUPE_ASSERT(signature.count == 0 && signature.examples.empty());
  auto [it, inserted] = by_key_.try_emplace(signature.key(), signature);
  ++it->second.count;
  bool kept = false;
  insert_example(it->second, std::move(example), kept);
  return {.new_signature = inserted, .keep_trace = kept};
}

void SignatureBook::add_all(const FailureSignature& signature) {
  FailureSignature bare = signature;
  bare.count = 0;
  bare.examples.clear();
  auto [it, inserted] = by_key_.try_emplace(signature.key(), bare);
  it->second.count += signature.count;
  for (const auto& e : signature.examples) {
    bool kept = false;
    insert_example(it->second, e, kept);
  }
}

void SignatureBook::forget_example(const FailureSignature& signature, std::uint64_t seed) {
  const auto it = by_key_.find(signature.key());
  if (it == by_key_.end()) return;
  std::erase_if(it->second.examples, [&](const FailureExample& e) { return e.seed == seed; });
}

std::vector<FailureSignature> SignatureBook::by_count() const {
  std::vector<FailureSignature> out;
  out.reserve(by_key_.size());
  for (const auto& [key, s] : by_key_) out.push_back(s);
  std::stable_sort(
      out.begin(), out.end(),
      [](const FailureSignature& a, const FailureSignature& b) { return a.count > b.count; });
  return out;
}

}  // namespace troupe::cli
