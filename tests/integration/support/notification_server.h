#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/integration/support/child_process.h"

namespace sotto::testing {

// The absolute path of a program found in PATH; throws std::runtime_error
// naming the Debian package to install when it is missing, so a test that
// needs it fails with a reason.
std::filesystem::path find_program(const std::string& name, const std::string& package);

// Whether a name has an owner on the bus at address (NameHasOwner).
bool bus_name_has_owner(const std::string& bus_address, const std::string& name);

// A real X server without a screen: Xvfb, which picks a free display number
// itself (-displayfd, so parallel tests never race for one), no TCP.
class XvfbDisplay {
 public:
  explicit XvfbDisplay(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGTERM first: Xvfb then removes its socket and lock file in /tmp.
  ~XvfbDisplay();
  XvfbDisplay(const XvfbDisplay&) = delete;
  XvfbDisplay& operator=(const XvfbDisplay&) = delete;

  const std::string& display() const { return display_; }  // ":N"
  std::string log() const { return process_.output(); }

 private:
  ChildProcess process_;
  std::string display_;
};

// One popup as dunst keeps it in its history, the values unwrapped
// (summary, body, appname, category, id, default_action_name, ...).
using DunstNotification = nlohmann::json;

// A real dunst (the notification server) on a test's private session bus,
// drawing on its own Xvfb, with a dunstrc written to dir so that no user
// configuration is read: popups never expire (the tests decide when they go)
// and identical popups are not stacked (so one popup per Notify is
// observable). Wraps dunstctl, run against the test's bus.
class NotificationServer {
 public:
  // dir must exist; bus_address is the session bus dunst and dunstctl use.
  NotificationServer(std::filesystem::path dir, std::string bus_address);
  ~NotificationServer();
  NotificationServer(const NotificationServer&) = delete;
  NotificationServer& operator=(const NotificationServer&) = delete;

  // Starts Xvfb (the first time) and dunst; waits until dunst owns
  // org.freedesktop.Notifications on the bus. Throws with dunst's output if not.
  void start(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL and reap dunst (Xvfb stays for a restart).
  void kill9();
  bool running() const { return dunst_.running(); }

  // dunstctl count displayed|waiting|history.
  int count(const std::string& which);
  // Every popup currently shown or waiting to be shown.
  int shown() { return count("displayed") + count("waiting"); }
  // dunstctl history: closed popups, newest first.
  std::vector<DunstNotification> history();
  // dunstctl close-all: every shown popup goes to history.
  void close_all();
  // dunstctl action N: the default action of the N-th shown popup.
  void action(int position = 0);

  std::string log() const;  // dunst's and Xvfb's output
  const std::filesystem::path& config_path() const { return config_; }

 private:
  ProgramResult dunstctl(const std::vector<std::string>& args);

  std::filesystem::path dir_;
  std::string bus_address_;
  std::filesystem::path config_;
  std::unique_ptr<XvfbDisplay> xvfb_;
  ChildProcess dunst_;
};

}  // namespace sotto::testing
