// Failures grouped by what went wrong rather than by seed: thousands of
// failing seeds of one bug become one line with a count and a few example
// traces (the shortest runs, which are the easiest to read and shrink).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::cli {

/// One failing seed kept as an example of its signature.
struct FailureExample {
  std::uint64_t seed = 0;
  std::uint64_t events = 0;  ///< the run's length: shorter examples come first
  std::string trace{};       ///< the trace file; empty when none was written
  /// The order examples are kept in: shortest run first, then lowest seed,
  /// so the kept set does not depend on the order seeds finished in.
  bool before(const FailureExample& other) const {
    return events != other.events ? events < other.events : seed < other.seed;
  }
  bool operator==(const FailureExample&) const = default;
};

/// What groups failures: how the run failed, which invariant (or error
/// text), and where, with numbers in actor paths normalised ("/pool/w12" is
/// "/pool/w*"), so every worker's failure of one bug is one signature.
struct FailureSignature {
  std::string kind{};       ///< violation, stuck, over_budget or error
  std::string invariant{};  ///< the invariant broken, or an error's text (numbers normalised)
  std::string path{};       ///< the actor, normalised; may be empty
  std::uint64_t count = 0;
  std::vector<FailureExample> examples{};  ///< at most the book's keep, in FailureExample order

  /// "budget_never_exhausted /storm/s* (violation)": the text that groups.
  std::string key() const;
  bool operator==(const FailureSignature&) const = default;
};

/// Runs of digits become '*': "/storm/s12" -> "/storm/s*", "$3" -> "$*".
std::string normalise_numbers(std::string_view text);

/// The signature of a run that broke `invariant` at `actor` (count 0, no examples).
FailureSignature violation_signature(const std::string& invariant, const std::string& actor);
/// The signature of a run that could not be run or recorded (an exception).
FailureSignature error_signature(const std::string& what);

/// Every failure of a sweep by signature, keeping the `keep` shortest
/// examples of each. Not thread-safe: the caller locks.
class SignatureBook {
 public:
  explicit SignatureBook(std::size_t keep) : keep_(keep) {}

  struct Admission {
    bool new_signature = false;  ///< the first failure of its kind
    bool keep_trace = false;     ///< among the kept examples now: write its trace
  };
  /// Counts one failure. The example's trace is the file it will be written
  /// to; when it displaces a kept example, that one's file is listed in
  /// displaced() (deleted once no writer can be writing it).
  Admission add(const FailureSignature& signature, FailureExample example);
  /// Adds a whole signature (counts added, examples merged): troupe merge.
  void add_all(const FailureSignature& signature);
  /// The example's trace could not be written: keep the count, not the example.
  void forget_example(const FailureSignature& signature, std::uint64_t seed);

  const std::vector<std::string>& displaced() const { return displaced_; }
  /// Most frequent first, then by key: the same sweep lists the same way.
  std::vector<FailureSignature> by_count() const;
  std::size_t keep() const { return keep_; }

 private:
  void insert_example(FailureSignature& into, FailureExample example, bool& kept);
  std::size_t keep_;
  std::map<std::string, FailureSignature> by_key_;
  std::vector<std::string> displaced_{};
};

}  // namespace troupe::cli
