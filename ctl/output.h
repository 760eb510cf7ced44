#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace sotto::ctl {

// Where a command's results and diagnostics go. With --json, results are one
// JSON value a line on stdout; diagnostics always go to stderr.
class Output {
 public:
  Output(std::ostream& out, std::ostream& err, bool json) : out_(out), err_(err), json_(json) {}

  bool json() const { return json_; }
  // One JSON value on one line (invalid UTF-8 from msgd is replaced, never thrown on).
  void print_json(const nlohmann::json& value);
  // Human text as is; a newline is added when it does not end in one.
  void print(std::string_view text);
  // "msgctl: <text>" on stderr.
  void diagnostic(std::string_view text);
  std::ostream& out() { return out_; }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool json_;
};

// Compact one-line JSON; never throws on invalid UTF-8 inside strings.
std::string json_line(const nlohmann::json& value);

}  // namespace sotto::ctl
