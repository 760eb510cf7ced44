#include "tests/integration/support/msgd_process.h"

#include <cstdlib>
#include <stdexcept>

namespace sotto::testing {

std::filesystem::path MsgdProcess::msgd_binary() { return SOTTO_MSGD_BINARY; }
std::filesystem::path MsgdProcess::msgctl_binary() { return SOTTO_MSGCTL_BINARY; }

MsgdProcess::MsgdProcess(std::string name, std::filesystem::path root, std::string relay)
    : name_(std::move(name)), root_(std::move(root)), relay_(std::move(relay)) {
  std::filesystem::create_directories(root_);
}

void MsgdProcess::start(std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{msgd_binary().string(), "--data-dir", data_dir().string(), "--socket",
                                socket_path().string(), "--relay", relay_};
  std::vector<std::pair<std::string, std::string>> env{{"XDG_CONFIG_HOME", (root_ / "config").string()}};
  std::vector<std::string> unset;
  if (dbus_address_.empty()) {
    argv.emplace_back("--no-dbus");
    unset.emplace_back("DBUS_SESSION_BUS_ADDRESS");
  } else {
    env.emplace_back("DBUS_SESSION_BUS_ADDRESS", dbus_address_);
  }
  argv.insert(argv.end(), extra_args_.begin(), extra_args_.end());
  process_.spawn(argv, env, unset);
  if (!process_.wait_for_output("event=ready", timeout)) {
    const std::string text = process_.output();
    process_.kill9();
    throw std::runtime_error("msgd " + name_ + " did not become ready; its output:\n" + text);
  }
}

std::unique_ptr<api::Client> MsgdProcess::socket_client(std::chrono::milliseconds timeout) const {
  return api::connect_socket(socket_path(), timeout);
}

std::unique_ptr<api::Client> MsgdProcess::dbus_client(std::chrono::milliseconds timeout) const {
  if (dbus_address_.empty()) throw std::logic_error(name_ + " has no bus");
  ::setenv("DBUS_SESSION_BUS_ADDRESS", dbus_address_.c_str(), 1);
  return api::connect_dbus(timeout);
}

ProgramResult MsgdProcess::msgctl(const std::vector<std::string>& args, const std::string& stdin_text,
                                  bool via_bus) const {
  std::vector<std::string> argv{msgctl_binary().string()};
  std::vector<std::pair<std::string, std::string>> env;
  if (via_bus) {
    argv.emplace_back("--bus");
    env.emplace_back("DBUS_SESSION_BUS_ADDRESS", dbus_address_);
  } else {
    argv.insert(argv.end(), {"--socket", socket_path().string()});
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, stdin_text, env);
}

}  // namespace sotto::testing
