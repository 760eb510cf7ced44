// msg-notify: desktop notifications for the messages msgd receives. Runs in
// the foreground on the session bus, logs to stderr, one thread.
#include <sdbus-c++/sdbus-c++.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "frontends/notify/event_loop.h"
#include "frontends/notify/messenger_watch.h"
#include "frontends/notify/notification_server.h"
#include "frontends/notify/notifier.h"
#include "frontends/notify/notify_config.h"
#include "frontends/notify/notify_log.h"
#include "frontends/notify/reply_command.h"
#include "lib/config/config_error.h"
#include "lib/version/version.h"

namespace {

namespace fs = std::filesystem;
namespace notify = sotto::notify;

notify::NotifyConfig effective_config(const std::string& flag) {
  if (!flag.empty()) return notify::load_notify_config(flag);
  const fs::path fallback = notify::default_notify_config_path();
  std::error_code ec;
  if (fs::exists(fallback, ec)) return notify::load_notify_config(fallback);
  return {};  // no file: the defaults
}

int run(const notify::NotifyConfig& config) {
  std::signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<sdbus::IConnection> bus;
  try {
    bus = sdbus::createSessionBusConnection();
  } catch (const sdbus::Error& e) {
    std::cerr << "msg-notify: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS): " << e.getMessage() << "\n";
    return 1;
  }
  notify::EventLoop loop(*bus);
  notify::ProcessLauncher launcher;
  notify::DesktopNotifications server(*bus, loop);
  std::optional<notify::Notifier> notifier;
  bool ready_told = false;
  notify::MessengerWatch messenger(
      *bus, loop, [&](const notify::IncomingMessage& message) { notifier->on_message(message); },
      [&] {
        if (ready_told) return;
        ready_told = true;
        ::sd_notify(0, "READY=1");
      });
  notifier.emplace(config, server, messenger, launcher);
  server.set_events(&*notifier);

  notify::log_event("starting", {{"privacy", config.privacy ? "yes" : "no"},
                                 {"do_not_disturb", config.do_not_disturb ? "yes" : "no"},
                                 {"muted", std::to_string(config.muted.size())}});
  server.start();
  messenger.start();
  const int status = loop.run();
  ::sd_notify(0, "STOPPING=1");
  server.set_events(nullptr);
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"msg-notify: desktop notifications for the Sotto messenger (a client of msgd on the session bus)"};
  std::string config_path;
  app.add_option("--config", config_path, "config file (default $XDG_CONFIG_HOME/sotto/notify.yaml)");
  app.set_version_flag("--version", std::string("msg-notify (Sotto) ") + sotto::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  notify::NotifyConfig config;
  try {
    config = effective_config(config_path);
  } catch (const sotto::config::ConfigError& e) {
    std::cerr << "msg-notify: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "msg-notify: " << e.what() << "\n";
    return 2;
  }
  try {
    return run(config);
  } catch (const std::exception& e) {
    std::cerr << "msg-notify: " << e.what() << "\n";
    return 1;
  }
}
