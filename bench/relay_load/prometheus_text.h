#pragma once

#include <optional>
#include <string_view>

namespace sotto::relay_load {

// The value of one sample in the Prometheus text exposition format (version
// 0.0.4): the line "SERIES VALUE" (an optional timestamp may follow), where
// SERIES is a metric name, or a name with its labels written exactly as the
// line has them ("NAME{le=\"0.001\"}"): a plain name never matches a sample
// with labels. Comment lines (# HELP, # TYPE) are skipped. nullopt when no
// line names exactly this series or its value is not a number.
std::optional<double> prometheus_value(std::string_view text, std::string_view name);

}  // namespace sotto::relay_load
