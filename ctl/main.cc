// msgctl: the command-line client of msgd. Everything but this lives in sotto_ctl.

#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "ctl/app.h"
#include "ctl/password.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(true);
  const std::vector<std::string> args(argv, argv + argc);
  sotto::ctl::Environment environment{std::cin,
                                      std::cout,
                                      std::cerr,
                                      isatty(STDIN_FILENO) == 1,
                                      sotto::ctl::real_connectors(),
                                      sotto::ctl::prompt_on_terminal};
  return sotto::ctl::run_msgctl(args, environment);
}
