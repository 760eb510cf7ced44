#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lib/api/client.h"
#include "tests/integration/support/child_process.h"

namespace sotto::testing {

// One user's real msgd: its own data dir and socket under root, a relay
// address, and optionally a private session bus. Also runs that user's msgctl.
class MsgdProcess {
 public:
  MsgdProcess(std::string name, std::filesystem::path root, std::string relay);

  // Serve D-Bus on this bus (DBUS_SESSION_BUS_ADDRESS); without it msgd runs --no-dbus.
  void set_dbus_address(std::string address) { dbus_address_ = std::move(address); }
  void add_arguments(std::vector<std::string> args) { extra_args_.insert(extra_args_.end(), args.begin(), args.end()); }

  void start(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void kill9() { process_.kill9(); }
  std::optional<int> terminate_within(std::chrono::milliseconds timeout) { return process_.terminate_within(timeout); }
  bool running() const { return process_.running(); }
  ChildProcess& process() { return process_; }

  const std::string& name() const { return name_; }
  std::filesystem::path data_dir() const { return root_ / "data"; }
  std::filesystem::path socket_path() const { return root_ / "run" / "msgd.sock"; }
  const std::string& dbus_address() const { return dbus_address_; }

  std::unique_ptr<api::Client> socket_client(std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;
  // Points this process's DBUS_SESSION_BUS_ADDRESS at the user's bus first.
  std::unique_ptr<api::Client> dbus_client(std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  // Runs msgctl as this user: over the socket by default, over D-Bus with via_bus.
  ProgramResult msgctl(const std::vector<std::string>& args, const std::string& stdin_text = {},
                       bool via_bus = false) const;

  static std::filesystem::path msgd_binary();
  static std::filesystem::path msgctl_binary();

 private:
  std::string name_;
  std::filesystem::path root_;
  std::string relay_;
  std::string dbus_address_;
  std::vector<std::string> extra_args_;
  ChildProcess process_;
};

}  // namespace sotto::testing
