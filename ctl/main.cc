// msgctl: the command-line client of msgd. Everything but this lives in sotto_ctl.

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "ctl/app.h"
#include "ctl/password.h"

namespace {

// The width of the terminal on stdout now; $COLUMNS or 80 when it does not say.
std::size_t stdout_columns() {
  winsize size{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const long value = std::strtol(columns, nullptr, 10);
    if (value > 0 && value < 10000) return static_cast<std::size_t>(value);
  }
  return 80;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(true);
  const std::vector<std::string> args(argv, argv + argc);
  sotto::ctl::Environment environment{std::cin,
                                      std::cout,
                                      std::cerr,
                                      isatty(STDIN_FILENO) == 1,
                                      sotto::ctl::real_connectors(),
                                      sotto::ctl::prompt_on_terminal,
                                      isatty(STDOUT_FILENO) == 1,
                                      stdout_columns};
  return sotto::ctl::run_msgctl(args, environment);
}
