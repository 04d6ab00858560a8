#include "failure_signatures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace troupe::cli {
namespace {

TEST(FailureSignatures, NumbersInPathsAndTextsAreNormalised) {
  EXPECT_EQ(normalise_numbers("/storm/s12"), "/storm/s*");
  EXPECT_EQ(normalise_numbers("/pool/w1/$3"), "/pool/w*/$*");
  EXPECT_EQ(normalise_numbers("no digits"), "no digits");
  EXPECT_EQ(normalise_numbers(""), "");
  EXPECT_EQ(normalise_numbers("0"), "*");
  EXPECT_EQ(violation_signature("budget_never_exhausted", "/storm/s2").key(),
            violation_signature("budget_never_exhausted", "/storm/s31").key());
  EXPECT_NE(violation_signature("budget_never_exhausted", "/storm/s2").key(),
            violation_signature("restart_budget_respected", "/storm/s2").key());
}

TEST(FailureSignatures, TheHarnessVerdictsAreKindsOfTheirOwn) {
  EXPECT_EQ(violation_signature("stuck", "").kind, "stuck");
  EXPECT_EQ(violation_signature("budget_exceeded", "/a").kind, "over_budget");
  EXPECT_EQ(violation_signature("lost_work", "").kind, "violation");
  EXPECT_EQ(error_signature("run 17 threw").key(), "run * threw (error)");
  EXPECT_EQ(violation_signature("lost_work", "").key(), "lost_work (violation)");
}

TEST(SignatureBook, KeepsTheShortestRunsWhateverTheOrderTheyArrive) {
  // 40 failures of one signature in many orders: the kept examples are
  // always the 3 shortest (ties by seed), and each displaced trace is listed.
  std::vector<FailureExample> all;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    // Built by append: g++ 12 Release warns (-Wrestrict, a known false
    // positive) on "literal" + std::string.
    std::string trace = "t";
    trace += std::to_string(seed);
    all.push_back(FailureExample{seed, 100 + (seed * 7) % 13, trace});
  }
  std::vector<FailureExample> sorted = all;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.before(b); });
  sorted.resize(3);
  std::mt19937 shuffle(7);
  for (int order = 0; order < 20; ++order) {
    std::shuffle(all.begin(), all.end(), shuffle);
    SignatureBook book(3);
    std::size_t kept_when_added = 0;
    for (const auto& e : all) {
      kept_when_added += book.add(violation_signature("x", "/w1"), e).keep_trace ? 1 : 0;
    }
    const auto sigs = book.by_count();
    ASSERT_EQ(sigs.size(), 1u);
    EXPECT_EQ(sigs[0].count, 40u);
    EXPECT_EQ(sigs[0].examples, sorted);
    // Every trace written and not kept is displaced: none is left behind.
    EXPECT_EQ(book.displaced().size(), kept_when_added - 3);
  }
}

TEST(SignatureBook, TheFirstFailureOfAKindIsNewAndCountsAreBySignature) {
  SignatureBook book(2);
  EXPECT_TRUE(book.add(violation_signature("a", "/p/w1"), FailureExample{1, 5, ""}).new_signature);
  EXPECT_FALSE(book.add(violation_signature("a", "/p/w2"), FailureExample{2, 5, ""}).new_signature);
  EXPECT_TRUE(book.add(violation_signature("b", "/p/w2"), FailureExample{3, 5, ""}).new_signature);
  EXPECT_FALSE(book.add(violation_signature("a", "/p/w9"), FailureExample{4, 1, ""}).new_signature);
  const auto sigs = book.by_count();
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(sigs[0].invariant, "a");
  EXPECT_EQ(sigs[0].count, 3u);
  ASSERT_EQ(sigs[0].examples.size(), 2u);
  EXPECT_EQ(sigs[0].examples[0].seed, 4u);  // the shortest run first
  EXPECT_EQ(sigs[1].count, 1u);
}

TEST(SignatureBook, AnExampleWhoseTraceFailedIsForgottenButStillCounted) {
  SignatureBook book(3);
  const auto sig = violation_signature("a", "");
  (void)book.add(sig, FailureExample{1, 5, "one"});
  (void)book.add(sig, FailureExample{2, 6, "two"});
  book.forget_example(sig, 1);
  const auto sigs = book.by_count();
  EXPECT_EQ(sigs[0].count, 2u);
  ASSERT_EQ(sigs[0].examples.size(), 1u);
  EXPECT_EQ(sigs[0].examples[0].seed, 2u);
}

TEST(SignatureBook, MergingPartsEqualsAddingEverythingToOneBook) {
  SignatureBook whole(3), left(3), right(3), merged(3);
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const auto sig = violation_signature(seed % 3 == 0 ? "a" : "b", "/w" + std::to_string(seed));
    const FailureExample e{seed, 50 - seed % 17, ""};
    (void)whole.add(sig, e);
    (void)(seed % 2 == 0 ? left : right).add(sig, e);
  }
  for (const auto& s : left.by_count()) merged.add_all(s);
  for (const auto& s : right.by_count()) merged.add_all(s);
  EXPECT_EQ(merged.by_count(), whole.by_count());
}

}  // namespace
}  // namespace troupe::cli
