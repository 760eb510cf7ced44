#include "bench/relay_load/prometheus_text.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace sotto::relay_load {

std::optional<double> prometheus_value(std::string_view text, std::string_view name) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (!line.starts_with(name) || line.size() == name.size()) continue;
    const char after = line[name.size()];
    if (after != ' ' && after != '\t') continue;  // a longer name, or labels
    std::string_view value = line.substr(name.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    value = value.substr(0, value.find_first_of(" \t"));
    if (value.empty()) return std::nullopt;
    // strtod accepts what the format allows (decimal, exponent, NaN, +Inf).
    const std::string copy(value);
    char* parsed_end = nullptr;
    const double v = std::strtod(copy.c_str(), &parsed_end);
    if (parsed_end != copy.c_str() + copy.size()) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

}  // namespace sotto::relay_load
