#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::ctl {

struct Context;

// Overwrites a password's bytes before its memory is given back.
void wipe(std::string& secret);

// Clears a string when it leaves scope, on every path.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& secret) : secret_(secret) {}
  ~WipeOnExit() { wipe(secret_); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& secret_;
};

// --password-stdin: the first line of `in` without its line end. Throws
// UsageError when there is none, it is empty, or it is longer than 64 KiB.
std::string read_password_line(std::istream& in);

// Asks on /dev/tty with echo off and restores the terminal on every path,
// SIGINT/SIGTERM/SIGHUP included (they restore it, then act as usual).
// nullopt when there is no terminal to ask on.
std::optional<std::string> prompt_on_terminal(std::string_view prompt);

// The password for register (confirm: asked twice, must match) or login, as
// the options say: --password-stdin, else the terminal when stdin is one,
// else UsageError. The password never comes from the command line.
std::string obtain_password(Context& context, bool confirm);

}  // namespace sotto::ctl
