#include "bench/relay_load/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sotto::relay_load {

namespace {

std::string with_unit(std::string shown, const std::string& unit) {
  if (!unit.empty()) shown += " " + unit;
  return shown;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace

void Report::add_text(std::string label, std::string key, std::string value) {
  lines_.push_back(Line{std::move(label), std::move(key), value, value});
}

void Report::add_count(std::string label, std::string key, std::uint64_t value, std::string unit) {
  lines_.push_back(Line{std::move(label), std::move(key), with_unit(std::to_string(value), unit), value});
}

void Report::add_number(std::string label, std::string key, double value, int decimals, std::string unit) {
  if (!std::isfinite(value)) {
    add_missing(std::move(label), std::move(key), "not finite");
    return;
  }
  const double scale = std::pow(10.0, decimals);
  const double rounded = std::round(value * scale) / scale;
  lines_.push_back(Line{std::move(label), std::move(key), with_unit(fixed(value, decimals), unit), rounded});
}

void Report::add_counts(std::string label, std::string key, const std::map<std::string, std::uint64_t>& counts) {
  std::string shown;
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, count] : counts) {
    if (!shown.empty()) shown += ", ";
    shown += name + "=" + std::to_string(count);
    object[name] = count;
  }
  lines_.push_back(Line{std::move(label), std::move(key), shown.empty() ? "none" : shown, std::move(object)});
}

void Report::add_missing(std::string label, std::string key, std::string why) {
  lines_.push_back(Line{std::move(label), std::move(key), "n/a (" + why + ")", nullptr});
}

std::string Report::to_text() const {
  std::size_t width = 0;
  for (const auto& line : lines_) width = std::max(width, line.label.size());
  std::string out;
  for (const auto& line : lines_) {
    out += line.label;
    out += ':';
    out.append(width - line.label.size() + 1, ' ');
    out += line.shown;
    out += '\n';
  }
  return out;
}

std::string Report::to_json() const {
  // nlohmann::ordered_json keeps the keys in the order they were added.
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& line : lines_) object[line.key] = line.value;
  return object.dump();
}

}  // namespace sotto::relay_load
