#include "bench/mqtt_load/mqtt_names.h"

namespace sotto::mqtt_load {

std::string run_label(const relay_load::RunId& run) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string label;
  label.reserve(run.size() * 2);
  for (const std::uint8_t byte : run) {
    label += kHex[byte >> 4];
    label += kHex[byte & 0x0f];
  }
  return label;
}

std::string client_topic(const std::string& run_label, std::uint32_t index) {
  return "sotto/bench/" + run_label + "/" + std::to_string(index);
}

std::string client_id(const std::string& run_label, std::uint32_t index) {
  return run_label + "-" + std::to_string(index);
}

}  // namespace sotto::mqtt_load
