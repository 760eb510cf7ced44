#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sotto::config {

// The candidate that `word` is most likely a typo of, for a "did you mean"
// hint: the one with the smallest edit distance (insertions, deletions,
// substitutions and swaps of neighbours, ignoring case), provided that distance
// is at most a third of the candidate's length and at most 3. Ties go to the
// earlier candidate. nullopt if nothing is that close.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace sotto::config
