#include "tests/integration/systemd/namespaced_systemd.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace sotto::testing {
namespace {

namespace fs = std::filesystem;

constexpr auto kPoll = std::chrono::milliseconds(50);
constexpr auto kTeardown = std::chrono::seconds(10);

std::vector<pid_t> read_pids(const fs::path& procs_file) {
  std::ifstream in(procs_file);
  std::vector<pid_t> out;
  pid_t pid = 0;
  while (in >> pid) out.push_back(pid);
  return out;
}

// Where the cgroup2 hierarchy is mounted: /sys/fs/cgroup on a unified host,
// /sys/fs/cgroup/unified on a hybrid one.
fs::path cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // "... MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS"
    const auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    return mount_point;
  }
  throw std::runtime_error("no cgroup2 hierarchy is mounted (needed to give systemd a cgroup tree of its own)");
}

// This process's cgroup in the cgroup2 hierarchy ("0::PATH" in /proc/self/cgroup).
fs::path own_cgroup2() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("0::")) return fs::path(line.substr(3)).relative_path();
  }
  throw std::runtime_error("/proc/self/cgroup has no cgroup2 entry");
}

}  // namespace

NamespacedSystemd::NamespacedSystemd(fs::path run_dir) : run_dir_(std::move(run_dir)) {
  static int counter = 0;
  cgroup_dir_ = cgroup2_mount() / own_cgroup2() /
                ("sotto-sandbox-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directory(cgroup_dir_);
}

NamespacedSystemd::~NamespacedSystemd() {
  boot_.kill9();  // unshare --kill-child takes systemd, and with it the whole PID namespace
  remove_cgroups();
}

void NamespacedSystemd::remove_cgroups() {
  // The kernel empties the cgroups of a dead namespace shortly after its
  // PID 1 dies; a cgroup can only be removed once it holds no process.
  const auto deadline = std::chrono::steady_clock::now() + kTeardown;
  for (;;) {
    std::error_code ec;
    std::vector<fs::path> dirs;
    for (auto it = fs::recursive_directory_iterator(cgroup_dir_, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path());
    }
    dirs.push_back(cgroup_dir_);
    bool all_gone = true;
    for (auto d = dirs.rbegin(); d != dirs.rend(); ++d) {  // children before parents
      if (::rmdir(d->c_str()) != 0 && errno != ENOENT) all_gone = false;
    }
    if (all_gone || std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(kPoll);
  }
}

void NamespacedSystemd::boot(std::chrono::milliseconds timeout) {
  boot_.spawn({"/bin/bash", std::string(SOTTO_BOOT_SYSTEMD_SCRIPT), run_dir_.string(), cgroup_dir_.string()});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // systemd moves itself into init.scope once it runs as PID 1.
  while (pid1_ <= 0 && std::chrono::steady_clock::now() < deadline) {
    const auto pids = read_pids(cgroup_dir_ / "init.scope" / "cgroup.procs");
    if (!pids.empty()) {
      pid1_ = pids.front();
    } else {
      std::this_thread::sleep_for(kPoll);
    }
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (pid1_ <= 0 || !wait_for_property("sotto-sandbox-test.target", "ActiveState", "active", left)) {
    throw std::runtime_error("systemd did not boot in its namespaces; boot output:\n" + boot_.output() +
                             "\nsystemd's log:\n" + console_log());
  }
}

ProgramResult NamespacedSystemd::systemctl(const std::vector<std::string>& args, const Manager& manager) const {
  std::vector<std::string> argv{"/usr/bin/nsenter", "-t", std::to_string(pid1_), "-m", "-p", "env"};
  if (!manager.user_runtime_dir.empty()) argv.push_back("XDG_RUNTIME_DIR=" + manager.user_runtime_dir.string());
  argv.insert(argv.end(), {"systemctl", "--no-pager"});
  if (!manager.user_runtime_dir.empty()) argv.emplace_back("--user");
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

std::string NamespacedSystemd::property(const std::string& unit, const std::string& name,
                                        const Manager& manager) const {
  std::string value = systemctl({"show", unit, "-p", name, "--value"}, manager).out;
  while (!value.empty() && value.back() == '\n') value.pop_back();
  return value;
}

bool NamespacedSystemd::wait_for_property(const std::string& unit, const std::string& name, const std::string& value,
                                          std::chrono::milliseconds timeout, const Manager& manager) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (property(unit, name, manager) == value) return true;
    std::this_thread::sleep_for(kPoll);
  }
  return property(unit, name, manager) == value;
}

std::vector<pid_t> NamespacedSystemd::processes_in(const fs::path& cgroup) const {
  return read_pids(cgroup_dir_ / cgroup / "cgroup.procs");
}

std::string NamespacedSystemd::console_log() const { return read_text_file(run_dir_ / "console.log"); }

namespace {

// Where a run directory may live: somewhere the services can reach. The
// units hide /tmp, /var/tmp (PrivateTmp=) and home folders (ProtectHome=),
// and a DynamicUser= service must be able to walk down every parent folder.
// A build tree that fails either (a clone in /tmp or /root, as CI may make)
// gets a folder of its own in /var/cache instead.
bool reachable_by_services(const fs::path& dir) {
  const std::string text = dir.string();
  for (const char* hidden : {"/tmp", "/var/tmp", "/home", "/root", "/run/user"}) {
    const std::string prefix = hidden;
    if (text == prefix || text.rfind(prefix + "/", 0) == 0) return false;
  }
  for (fs::path p = dir; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) continue;  // created below, world-searchable
    if ((st.permissions() & fs::perms::others_exec) == fs::perms::none) return false;
  }
  return true;
}

// The folder run directories are made in: preferred_root if the services can
// reach it, else a folder of its own in /var/cache; created and searchable.
fs::path prepared_sandbox_root(const fs::path& preferred_root) {
  const fs::path root =
      reachable_by_services(fs::absolute(preferred_root)) ? preferred_root : fs::path("/var/cache/sotto-tests");
  fs::create_directories(root);
  fs::permissions(root, fs::perms::others_read | fs::perms::others_exec | fs::perms::group_read | fs::perms::group_exec,
                  fs::perm_options::add);
  return root;
}

}  // namespace

SandboxRunDir::SandboxRunDir(const fs::path& preferred_root) : dir_(prepared_sandbox_root(preferred_root)) {
  fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                   fs::perms::others_read | fs::perms::others_exec);
}

std::string status_field(pid_t pid, const std::string& name) {
  std::istringstream status(read_text_file(fs::path("/proc") / std::to_string(pid) / "status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(name + ":")) {
      const auto value = line.find_first_not_of(" \t", name.size() + 1);
      return value == std::string::npos ? std::string() : line.substr(value);
    }
  }
  return {};
}

}  // namespace sotto::testing
