#include "tests/integration/support/notification_server.h"

#include <sdbus-c++/sdbus-c++.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace sotto::testing {
namespace {

// dunst 1.9 reads only this file with -config. Popups never time out and
// identical ones are not merged into one with a counter, so what a test sees
// is exactly what msg-notify asked for. Without "markup = full" dunst does
// not report the "body-markup" capability (and shows markup as typed).
constexpr const char* kDunstrc = R"([global]
    font = Monospace 8
    notification_limit = 0
    stack_duplicates = false
    hide_duplicate_count = false
    idle_threshold = 0
    history_length = 100
    sticky_history = yes
    # Debian's own dunstrc has it; with it dunst offers "body-markup".
    markup = full

[urgency_low]
    timeout = 0

[urgency_normal]
    timeout = 0

[urgency_critical]
    timeout = 0
)";

bool is_display_number(const std::string& line) {
  return !line.empty() && line.size() <= 5 && line.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

std::filesystem::path find_program(const std::string& name, const std::string& package) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  throw std::runtime_error(name + " is not installed (apt-get install " + package + "; scripts/setup-deps)");
}

bool bus_name_has_owner(const std::string& bus_address, const std::string& name) {
  auto connection = sdbus::createSessionBusConnectionWithAddress(bus_address);
  auto bus = sdbus::createProxy(*connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
  bool owned = false;
  bus->callMethod("NameHasOwner")
      .onInterface("org.freedesktop.DBus")
      .withTimeout(std::chrono::seconds(3))
      .withArguments(name)
      .storeResultsTo(owned);
  return owned;
}

XvfbDisplay::XvfbDisplay(std::chrono::milliseconds timeout) {
  const std::filesystem::path xvfb = find_program("Xvfb", "xvfb");
  // -displayfd 1: Xvfb picks the first free display and writes its number
  // on stdout once it accepts clients.
  process_.spawn({xvfb.string(), "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "800x600x24"});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(process_.output_this_run());
    std::string line;
    while (std::getline(lines, line)) {
      if (is_display_number(line)) {
        display_ = ":" + line;
        return;
      }
    }
    if (!process_.running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string output = process_.output();
  process_.kill9();
  throw std::runtime_error("Xvfb did not report a display; its output:\n" + output);
}

XvfbDisplay::~XvfbDisplay() {
  if (!process_.terminate_within(std::chrono::seconds(2))) process_.kill9();
}

NotificationServer::NotificationServer(std::filesystem::path dir, std::string bus_address)
    : dir_(std::move(dir)), bus_address_(std::move(bus_address)), config_(dir_ / "dunstrc") {
  std::filesystem::create_directories(dir_);
  std::ofstream(config_) << kDunstrc;
}

NotificationServer::~NotificationServer() { kill9(); }

void NotificationServer::start(std::chrono::milliseconds timeout) {
  if (!xvfb_) xvfb_ = std::make_unique<XvfbDisplay>();
  const std::filesystem::path dunst = find_program("dunst", "dunst");
  dunst_.spawn({dunst.string(), "-config", config_.string()},
               {{"DISPLAY", xvfb_->display()},
                {"DBUS_SESSION_BUS_ADDRESS", bus_address_},
                // No drop-in files from the user's configuration folder.
                {"XDG_CONFIG_HOME", (dir_ / "config").string()}},
               {"WAYLAND_DISPLAY"});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (bus_name_has_owner(bus_address_, "org.freedesktop.Notifications")) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string output = log();
  dunst_.kill9();
  throw std::runtime_error("dunst did not take org.freedesktop.Notifications; output:\n" + output);
}

void NotificationServer::kill9() { dunst_.kill9(); }

ProgramResult NotificationServer::dunstctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv{find_program("dunstctl", "dunst").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramResult result = run_program(argv, "", {{"DBUS_SESSION_BUS_ADDRESS", bus_address_}}, std::chrono::seconds(10));
  if (result.status != 0) {
    throw std::runtime_error("dunstctl " + (args.empty() ? std::string() : args[0]) + " failed (status " +
                             std::to_string(result.status) + "): " + result.output);
  }
  return result;
}

int NotificationServer::count(const std::string& which) { return std::stoi(dunstctl({"count", which}).out); }

std::vector<DunstNotification> NotificationServer::history() {
  // busctl's JSON: {"type": "aa{sv}", "data": [[{key: {"type": T, "data": V}}, ...]]}.
  const nlohmann::json reply = nlohmann::json::parse(dunstctl({"history"}).out);
  std::vector<DunstNotification> out;
  for (const auto& entry : reply.at("data").at(0)) {
    DunstNotification n = nlohmann::json::object();
    for (const auto& [key, value] : entry.items()) n[key] = value.at("data");
    out.push_back(std::move(n));
  }
  return out;
}

void NotificationServer::close_all() { dunstctl({"close-all"}); }

void NotificationServer::action(int position) { dunstctl({"action", std::to_string(position)}); }

std::string NotificationServer::log() const {
  std::string text = "---- dunst ----\n" + dunst_.output();
  if (xvfb_) text += "---- Xvfb " + xvfb_->display() + " ----\n" + xvfb_->log();
  return text;
}

}  // namespace sotto::testing
