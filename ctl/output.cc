#include "ctl/output.h"

#include <ostream>

namespace sotto::ctl {

std::string json_line(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Output::print_json(const nlohmann::json& value) { out_ << json_line(value) << '\n' << std::flush; }

void Output::print(std::string_view text) {
  out_ << text;
  if (text.empty() || text.back() != '\n') out_ << '\n';
  out_ << std::flush;
}

void Output::diagnostic(std::string_view text) { err_ << "msgctl: " << text << '\n' << std::flush; }

}  // namespace sotto::ctl
