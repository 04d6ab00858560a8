#include "troupe/sim/guided.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/sim/state_hash.hpp"
#include "troupe/sim/streams.hpp"

namespace troupe::sim {

namespace {

/// The stream (off the run's seed) that picks and mutates a corpus entry.
/// Not a simulator stream: it is never recorded, its plan's choices are.
constexpr std::uint64_t kGuidedPlanStream = 0x6775696465;  // "guide"
/// One run in this many ignores the corpus and chooses at random.
constexpr std::uint64_t kFreshOneIn = 8;
/// How many of the newest corpus entries a plan favours a quarter of the
/// time (and the newest alone half of the time).
constexpr std::uint64_t kRecentEntries = 8;

}  // namespace

void validate(const GuidedSettings& s) {
  if (s.batch == 0) throw std::invalid_argument("guided: batch must be >= 1");
  if (s.max_corpus == 0) throw std::invalid_argument("guided: max_corpus must be >= 1");
  if (s.max_coverage == 0) throw std::invalid_argument("guided: max_coverage must be >= 1");
  if (s.max_plan == 0) throw std::invalid_argument("guided: max_plan must be >= 1");
  if (s.max_run_keys == 0) throw std::invalid_argument("guided: max_run_keys must be >= 1");
}

GuidedChooser::GuidedChooser(std::vector<std::uint32_t> plan, Prng stream,
                             const GuidedSettings& settings)
    : plan_(std::move(plan)),
      stream_(stream),
      max_plan_(settings.max_plan),
      max_run_keys_(settings.max_run_keys) {
  TROUPE_ASSERT(plan_.size() <= max_plan_);
}

void GuidedChooser::attach(const System& system, const World& world) {
  if (world.state_hash) {
    state_hash_ = world.state_hash;
  } else {
    state_hash_ = [&system] { return mailbox_shape_hash(system); };
  }
}

void GuidedChooser::set_state_hash(std::function<std::uint64_t()> state_hash) {
  state_hash_ = std::move(state_hash);
}

std::uint64_t GuidedChooser::state() {
  if (!state_hash_) return 0;
  // The hash is the scenario's code: its failure is the scenario's error,
  // reported once as one. The hash is dropped first, since the simulation
  // still shuts down on the way out (from a destructor, where a second
  // throw would end the process).
  try {
    return state_hash_();
  } catch (const std::exception& e) {
    state_hash_ = nullptr;
    throw std::runtime_error(std::string("guided exploration: the scenario's state hash threw: ") +
                             e.what());
  } catch (...) {
    state_hash_ = nullptr;
    throw std::runtime_error(
        "guided exploration: the scenario's state hash threw something that is not an exception");
  }
}

std::size_t GuidedChooser::choose(const Candidates& candidates) {
  const std::size_t n = candidates.size();
  if (n < 2) return 0;  // no choice: nothing to follow or to learn
  const std::size_t chosen = made_ < plan_.size() ? plan_[made_] % n : stream_.below(n);
  const std::uint64_t key = state();
  if (seen_.size() < max_run_keys_ && run_keys_.insert(key).second) {
    seen_.push_back(Seen{key, made_});
  }
  if (choices_.size() < max_plan_) choices_.push_back(static_cast<std::uint32_t>(chosen));
  ++made_;
  TROUPE_ASSERT(chosen < n);
  return chosen;
}

GuidedExplorer::GuidedExplorer(GuidedSettings settings) : settings_(settings) {
  validate(settings_);
}

std::shared_ptr<GuidedChooser> GuidedExplorer::plan(std::uint64_t seed) const {
  // Past its plan a run chooses as the random strategy of its seed would: a
  // guided run with an empty corpus is that seed's random run.
  const Prng root(seed);
  Prng prng = root.fork(kGuidedPlanStream);
  const Prng after_plan = root.fork(kScheduleStream);
  if (corpus_.empty() || prng.below(kFreshOneIn) == 0) {
    return std::make_shared<GuidedChooser>(std::vector<std::uint32_t>{}, after_plan, settings_);
  }
  // The newest entries went furthest: most plans start from one of them.
  const std::size_t recent = std::min<std::size_t>(corpus_.size(), kRecentEntries);
  const std::uint64_t pick = prng.below(4);
  const std::size_t newest = corpus_.size() - 1;
  const std::size_t index = pick == 0   ? prng.below(corpus_.size())
                            : pick == 1 ? newest - prng.below(recent)
                                        : newest;
  return std::make_shared<GuidedChooser>(mutate(corpus_.at(index), prng), after_plan, settings_);
}

std::vector<std::uint32_t> GuidedExplorer::mutate(const Entry& entry, Prng& prng) const {
  std::vector<std::uint32_t> plan = entry.choices;
  switch (prng.below(6)) {
    case 0:
    case 4:
    case 5: {  // go on from about where it last found something new
      // Back by a few choices or by many (what reached the new state may
      // have been decided well before the state showed), geometrically.
      const std::uint64_t reach = std::uint64_t{1} << prng.below(6);
      const std::size_t back = std::min<std::size_t>(entry.frontier, prng.below(reach + 1));
      plan.resize(std::min(plan.size(), entry.frontier - back + prng.below(2)));
      break;
    }
    case 1:  // keep a prefix
      plan.resize(prng.below(plan.size() + 1));
      break;
    case 2:  // change a few choices, keep the rest
      for (std::uint64_t k = 1 + prng.below(4); k > 0 && !plan.empty(); --k) {
        plan.at(prng.below(plan.size())) = static_cast<std::uint32_t>(prng.next());
      }
      break;
    default: {  // this entry's start, another's end
      const Entry& other = corpus_.at(prng.below(corpus_.size()));
      const std::size_t cut = prng.below(std::min(plan.size(), other.choices.size()) + 1);
      plan.resize(cut);
      plan.insert(plan.end(), other.choices.begin() + static_cast<std::ptrdiff_t>(cut),
                  other.choices.end());
      break;
    }
  }
  TROUPE_ASSERT(plan.size() <= settings_.max_plan);
  return plan;
}

std::size_t GuidedExplorer::learn(const GuidedChooser& run) {
  std::size_t fresh = 0;
  std::size_t frontier = 0;
  for (const auto& seen : run.seen()) {
    if (coverage_.size() >= settings_.max_coverage) break;
    if (coverage_.insert(seen.key).second) {
      ++fresh;
      frontier = seen.at_choice + 1;  // that choice included
    }
  }
  if (fresh > 0 && corpus_.size() < settings_.max_corpus) {
    corpus_.push_back(Entry{run.choices(), std::min(frontier, run.choices().size())});
  }
  return fresh;
}

void GuidedExplorer::explore(const std::vector<std::uint64_t>& seeds, const BatchRunner& run) {
  for (std::size_t first = 0; first < seeds.size(); first += settings_.batch) {
    const std::size_t end = std::min(seeds.size(), first + settings_.batch);
    const std::vector<std::uint64_t> batch(seeds.begin() + static_cast<std::ptrdiff_t>(first),
                                           seeds.begin() + static_cast<std::ptrdiff_t>(end));
    std::vector<std::shared_ptr<GuidedChooser>> choosers;
    for (const std::uint64_t seed : batch) choosers.push_back(plan(seed));
    run(batch, choosers);
    for (const auto& chooser : choosers) learn(*chooser);
  }
}

void guide(RunSpec& spec, const std::shared_ptr<GuidedChooser>& chooser) {
  TROUPE_ASSERT(chooser != nullptr);
  spec.strategy = Strategy::guided;
  spec.chooser = chooser;
  spec.on_built = [chooser](const System& system, const World& world) {
    chooser->attach(system, world);
  };
}

}  // namespace troupe::sim
