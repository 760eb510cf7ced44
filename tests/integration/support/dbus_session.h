#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sotto::testing {

// A private session bus: a real dbus-daemon child process listening on
// <dir>/bus with a minimal session config written to <dir>/session.conf (no
// system service directories, so nothing outside the test can be activated).
// The constructor waits until the daemon printed its address; the destructor
// kills it and restores DBUS_SESSION_BUS_ADDRESS if export_to_environment()
// changed it.
class DbusSession {
 public:
  // dir must exist and be short enough for a Unix socket path (< 100 bytes).
  // service_dirs: directories of D-Bus activation files (.service) to use.
  explicit DbusSession(std::filesystem::path dir, std::vector<std::filesystem::path> service_dirs = {},
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~DbusSession();
  DbusSession(const DbusSession&) = delete;
  DbusSession& operator=(const DbusSession&) = delete;

  // "unix:path=<dir>/bus,guid=..."
  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

  // Points this process's DBUS_SESSION_BUS_ADDRESS at the bus (what
  // sdbus::createSessionBusConnection() and child processes use).
  void export_to_environment();

  // Kills the bus now (SIGKILL) and reaps it: every connection drops.
  void kill();

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string address_;
  bool exported_ = false;
  std::optional<std::string> previous_address_;
};

}  // namespace sotto::testing
