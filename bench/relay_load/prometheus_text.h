#pragma once

#include <optional>
#include <string_view>

namespace sotto::relay_load {

// The value of an unlabelled sample in the Prometheus text exposition format
// (version 0.0.4): the line "NAME VALUE" (an optional timestamp may follow).
// Comment lines (# HELP, # TYPE) and samples with labels ("NAME{...}") are
// skipped. nullopt when no line names exactly this metric or its value is not
// a number.
std::optional<double> prometheus_value(std::string_view text, std::string_view name);

}  // namespace sotto::relay_load
