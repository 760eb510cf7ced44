#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/transport.h"

namespace sotto::ctl {

struct Environment {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool stdin_is_terminal = false;
  Connectors connectors;
  // Asks for a password without echo; nullopt when it cannot.
  std::function<std::optional<std::string>(std::string_view prompt)> prompt_password;
  // Whether stdout is a terminal, and its width (unset: 80 columns).
  bool stdout_is_terminal = false;
  std::function<std::size_t()> terminal_columns;
};

// All of msgctl but main(): parses argv, runs the command, reports failures
// and returns the exit status (ctl/exit_codes.h).
int run_msgctl(const std::vector<std::string>& argv, Environment& environment);

}  // namespace sotto::ctl
