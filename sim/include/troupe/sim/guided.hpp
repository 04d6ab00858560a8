// Guided exploration: greybox fuzzing over schedules, in the spirit of
// Coyote's state-hash-guided strategy and of coverage-guided fuzzers. At every
// scheduling choice the run takes an abstract state hash (by default the
// mailbox shapes, troupe/sim/state_hash.hpp; a scenario may set World::state_hash);
// coverage is the set of states seen over all runs (as Coyote counts it: a
// new state is progress, and with a scenario's own hash each new state is
// one more step towards what it hashes).
// A run that adds coverage enters the corpus as its sequence of choices;
// later runs follow a mutated corpus entry (changed choices, a truncation, a
// splice of two) and choose at random past its end.
//
//   GuidedExplorer explorer;
//   explorer.explore(seeds, [&](const auto& batch, const auto& choosers) {
//     for (i...) { RunSpec spec{...seed = batch[i]}; guide(spec, choosers[i]); run_scenario(spec);
//     }
//   });  // plans a batch from the corpus as it stands, runs it, learns it in seed order
//
// Everything depends on the seeds alone: a plan is drawn from the run's seed
// and the corpus, and the corpus changes only in learn, called in seed order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>
#include <utility>
#include <vector>

#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/schedule_strategy.hpp"

namespace troupe::sim {

struct GuidedSettings {
  /// Runs planned from one state of the corpus: what the caller may run in
  /// parallel. The result depends on it, never on how many run at once.
  std::size_t batch = 8;
  /// Schedules kept in the corpus; past it, new coverage still counts but
  /// its schedule is not kept.
  std::size_t max_corpus = 1024;
  /// Coverage keys kept; past it, nothing more counts as new.
  std::size_t max_coverage = std::size_t{1} << 22;
  /// Choices kept from one run (and so followed by a plan).
  std::size_t max_plan = std::size_t{1} << 16;
  /// Coverage keys of one run, first seen in that run.
  std::size_t max_run_keys = std::size_t{1} << 16;
};

/// Throws std::invalid_argument naming a zero field.
void validate(const GuidedSettings& settings);

/// The chooser of one guided run: follows its plan, then chooses at random,
/// and notes the state coverage it reaches.
class GuidedChooser final : public ScheduleStrategy {
 public:
  GuidedChooser(std::vector<std::uint32_t> plan, Prng stream, const GuidedSettings& settings);

  std::size_t choose(const Candidates& candidates) override;

  /// Takes the state hash from `world.state_hash` when set, else the
  /// mailbox shapes of `system`. Both must outlive the run.
  void attach(const System& system, const World& world);
  /// The state hash to take at every choice (tests; attach sets it).
  void set_state_hash(std::function<std::uint64_t()> state_hash);

  /// A coverage key, and how many choices the run had made when it first saw it.
  struct Seen {
    std::uint64_t key = 0;
    std::size_t at_choice = 0;
  };
  /// The choices made, in order (the first max_plan of them).
  const std::vector<std::uint32_t>& choices() const { return choices_; }
  /// Coverage keys in the order the run first saw them.
  const std::vector<Seen>& seen() const { return seen_; }
  std::size_t choice_count() const { return made_; }

 private:
  std::uint64_t state();

  std::vector<std::uint32_t> plan_;
  Prng stream_;
  std::size_t max_plan_;
  std::size_t max_run_keys_;
  std::function<std::uint64_t()> state_hash_;
  std::vector<std::uint32_t> choices_;
  std::vector<Seen> seen_;
  std::size_t made_ = 0;
  // Looked up, never iterated: determinism does not depend on its order.
  std::unordered_set<std::uint64_t> run_keys_;
};

class GuidedExplorer {
 public:
  /// Throws std::invalid_argument for bad settings.
  explicit GuidedExplorer(GuidedSettings settings = {});

  /// The chooser for the run of `seed`: a mutation of a corpus entry drawn
  /// from `seed` (random choices when the corpus is empty, and for one run
  /// in eight, to keep looking away from the corpus).
  std::shared_ptr<GuidedChooser> plan(std::uint64_t seed) const;
  /// Counts the run's coverage; keeps its choices in the corpus when it saw
  /// something new. Returns how many keys were new.
  std::size_t learn(const GuidedChooser& run);

  /// The seeds of one batch, and their choosers, index for index.
  using BatchRunner = std::function<void(const std::vector<std::uint64_t>& seeds,
                                         const std::vector<std::shared_ptr<GuidedChooser>>&)>;
  /// Plans, runs and learns `seeds` one batch at a time: `run` runs a batch
  /// (in any order, in parallel if it likes), then its runs are learnt in
  /// seed order. The outcome depends on the seeds alone.
  void explore(const std::vector<std::uint64_t>& seeds, const BatchRunner& run);

  std::size_t coverage() const { return coverage_.size(); }
  std::size_t corpus_size() const { return corpus_.size(); }
  const GuidedSettings& settings() const { return settings_; }

 private:
  struct Entry {
    std::vector<std::uint32_t> choices;
    /// Choices made when the run saw its last new key: where to extend it.
    std::size_t frontier = 0;
  };
  std::vector<std::uint32_t> mutate(const Entry& entry, Prng& prng) const;

  GuidedSettings settings_;
  std::vector<Entry> corpus_;
  // Looked up, never iterated.
  std::unordered_set<std::uint64_t> coverage_;
};

/// Makes `spec` a guided run driven by `chooser` (strategy "guided" in its
/// trace, whose recorded choices replay it).
void guide(RunSpec& spec, const std::shared_ptr<GuidedChooser>& chooser);

}  // namespace troupe::sim
