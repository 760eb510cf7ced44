#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/integration/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/text_file.h"

namespace sotto::testing {

// systemd as PID 1 of namespaces of its own (boot_systemd_in_namespace.sh),
// so that tests run units under their real sandbox where no systemd runs
// (containers, CI). The network is shared with the test. Needs root.
// The destructor kills the namespace and removes the cgroups it made.
class NamespacedSystemd {
 public:
  // run_dir holds units/ (the only unit directory, with
  // sotto-sandbox-test.target, which systemd starts) and varlib/ (/var/lib).
  explicit NamespacedSystemd(std::filesystem::path run_dir);
  ~NamespacedSystemd();
  NamespacedSystemd(const NamespacedSystemd&) = delete;
  NamespacedSystemd& operator=(const NamespacedSystemd&) = delete;

  // Boots and waits until sotto-sandbox-test.target is active; throws with
  // systemd's log otherwise.
  void boot(std::chrono::milliseconds timeout);

  // Which manager a call talks to: PID 1, or a user manager (`systemctl
  // --user`) that runs inside the namespaces with this XDG_RUNTIME_DIR.
  struct Manager {
    std::filesystem::path user_runtime_dir;  // empty: the system manager
  };

  // systemctl ARGS inside the namespaces (systemctl checks its peer's pid, so
  // it must run in systemd's PID namespace).
  ProgramResult systemctl(const std::vector<std::string>& args, const Manager& manager = {}) const;
  // `systemctl show UNIT -p NAME --value`.
  std::string property(const std::string& unit, const std::string& name, const Manager& manager = {}) const;
  bool wait_for_property(const std::string& unit, const std::string& name, const std::string& value,
                         std::chrono::milliseconds timeout, const Manager& manager = {}) const;
  // The processes in a cgroup below systemd's root cgroup, e.g.
  // "system.slice/relayd.service", as pids of the test's own namespace.
  std::vector<pid_t> processes_in(const std::filesystem::path& cgroup) const;
  // What systemd itself logged.
  std::string console_log() const;

 private:
  void remove_cgroups();
  std::filesystem::path run_dir_;
  std::filesystem::path cgroup_dir_;
  ChildProcess boot_;
  pid_t pid1_ = -1;
};

// A fresh directory for one NamespacedSystemd run under root, removed with
// its contents at the end. World-searchable, because services may run as a
// user allocated at start (DynamicUser=). Keep it out of /tmp: PrivateTmp=
// hides /tmp from the services.
class SandboxRunDir {
 public:
  // Under preferred_root, or under /var/cache/sotto-tests when the services
  // could not reach that (see reachable_by_services in the .cc).
  explicit SandboxRunDir(const std::filesystem::path& preferred_root);
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path operator/(const std::string& name) const { return dir_ / name; }

 private:
  TempDir dir_;
};

// A field of /proc/PID/status, e.g. status_field(pid, "CapEff") -> "0000000000000000".
std::string status_field(pid_t pid, const std::string& name);

}  // namespace sotto::testing
