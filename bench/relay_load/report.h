#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace sotto::relay_load {

// The figures of a run, in the order added, printed either as aligned
// "label: value unit" lines for people or as one JSON object for scripts.
// Each figure has both names: the label ("latency p99") and a JSON key
// ("latency_p99_ms") that carries the unit.
class Report {
 public:
  void add_text(std::string label, std::string key, std::string value);
  void add_count(std::string label, std::string key, std::uint64_t value, std::string unit = {});
  // A measured quantity, printed with `decimals` digits after the point (and
  // rounded the same way in JSON).
  void add_number(std::string label, std::string key, double value, int decimals, std::string unit = {});
  // Counts by name: "none" or "a=1, b=2" as text, an object in JSON.
  void add_counts(std::string label, std::string key, const std::map<std::string, std::uint64_t>& counts);
  // A figure that could not be measured (no --relayd-pid, say): "n/a", JSON null.
  void add_missing(std::string label, std::string key, std::string why);

  std::string to_text() const;
  std::string to_json() const;  // one line, no trailing newline

 private:
  struct Line {
    std::string label;
    std::string key;
    std::string shown;
    nlohmann::ordered_json value;
  };
  std::vector<Line> lines_;
};

}  // namespace sotto::relay_load
