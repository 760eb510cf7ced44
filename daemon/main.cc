// msgd: the per-user daemon. Runs in the foreground, logs to stderr, tells
// systemd when its API is up; everything happens on one I/O thread.
#include <malloc.h>
#include <sdbus-c++/sdbus-c++.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "daemon/dbus/dbus_service.h"
#include "daemon/relay/pin_check.h"
#include "daemon/relay/relay_endpoint.h"
#include "daemon/service/event_hub.h"
#include "daemon/service/messenger.h"
#include "daemon/service/msgd_config.h"
#include "daemon/service/msgd_log.h"
#include "daemon/socket/socket_server.h"
#include "daemon/store/state_database.h"
#include "lib/api/paths.h"
#include "lib/config/config_error.h"
#include "lib/net/asio.h"
#include "lib/version/version.h"

namespace {

namespace fs = std::filesystem;
using namespace sotto;  // NOLINT(google-build-using-namespace): a .cc file's main

struct Flags {
  std::string config;
  std::string data_dir;
  std::string socket;
  std::string relay;
  std::string relay_fingerprint;
  std::string trust_new_identities;
  bool no_dbus = false;
};

// Programs that hold keys keep them out of core dumps and other users' reach.
void harden_process() {
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::umask(077);
  std::signal(SIGPIPE, SIG_IGN);
}

msgd::MsgdConfig effective_config(const Flags& flags) {
  msgd::MsgdConfig config;
  if (!flags.config.empty()) {
    config = msgd::load_msgd_config(flags.config);
  } else {
    std::error_code ec;
    const fs::path fallback = api::default_msgd_config_path();
    if (fs::exists(fallback, ec)) config = msgd::load_msgd_config(fallback);
  }
  if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
  if (!flags.socket.empty()) config.socket = flags.socket;
  if (!flags.relay.empty()) config.relay = msgd::parse_relay_endpoint(flags.relay).to_string();
  if (!flags.relay_fingerprint.empty()) config.relay_fingerprint = msgd::normalize_fingerprint(flags.relay_fingerprint);
  if (!flags.trust_new_identities.empty()) {
    if (flags.trust_new_identities == "on-first-use") {
      config.trust_new_identities = msgd::TrustPolicy::kOnFirstUse;
    } else if (flags.trust_new_identities == "always") {
      config.trust_new_identities = msgd::TrustPolicy::kAlways;
    } else {
      config.trust_new_identities = msgd::TrustPolicy::kNever;
    }
  }
  if (config.data_dir.empty()) config.data_dir = api::default_data_dir();
  if (config.socket.empty()) config.socket = api::default_socket_path();
  return config;
}

// The data directory holds keys: 0700, created so if missing.
void prepare_data_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
  }
}

int run(const Flags& flags) {
  harden_process();
  const msgd::MsgdConfig config = effective_config(flags);
  prepare_data_dir(config.data_dir);
  msgd::StateDatabase database(config.data_dir);

  net::asio::io_context io;
  msgd::EventHub events;
  msgd::Messenger messenger(io, config, database, events);

  msgd::SocketServer socket_server(io, config.socket, messenger);
  socket_server.start();
  events.add(&socket_server);

  std::unique_ptr<msgd::DbusService> dbus;
  int exit_status = 0;
  if (!flags.no_dbus && std::getenv("DBUS_SESSION_BUS_ADDRESS") != nullptr) {
    std::unique_ptr<sdbus::IConnection> connection;
    try {
      connection = sdbus::createSessionBusConnection();
    } catch (const sdbus::Error& e) {
      msgd::log_warning("dbus_unavailable", {{"error", e.getMessage()}});
    }
    if (connection) {
      dbus = std::make_unique<msgd::DbusService>(io, std::move(connection), messenger);
      dbus->start();  // throws when another msgd owns the name
      // Without its bus msgd is half there; exit non-zero so that systemd
      // (Restart=on-failure) starts it again on the new bus.
      dbus->on_disconnected([&](const std::string& reason) {
        msgd::log_error("dbus_lost", {{"error", reason}});
        exit_status = 1;
        io.stop();
      });
      events.add(dbus.get());
    }
  }

  messenger.start();

  net::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    msgd::log_event("stopping", {{"signal", std::to_string(signal)}});
    ::sd_notify(0, "STOPPING=1");
    messenger.stop();
    socket_server.stop();
    if (dbus) dbus->stop();
    io.stop();
  });

  msgd::log_event("ready", {{"socket", config.socket.string()}, {"dbus", dbus ? "yes" : "no"}});
  ::sd_notify(0, "READY=1");
  io.run();
  events.remove(&socket_server);
  if (dbus) events.remove(dbus.get());
  return exit_status;
}

}  // namespace

int main(int argc, char** argv) {
  // Fixed allocator thresholds: a file transfer moves ~200 KiB frames, and
  // with glibc's sliding defaults each one was served by growing the heap
  // (page faults on fresh pages) and trimming it again after the frame was
  // freed, which cost a download half its CPU time. Up to 4 MiB of free heap
  // stays for the next frame; idle msgd is unchanged.
  ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 4 << 20);
  CLI::App app{"msgd: the Sotto messenger's per-user daemon (keys, history, relay connection, local API)"};
  Flags flags;
  app.add_option("--config", flags.config, "config file (default $XDG_CONFIG_HOME/sotto/msgd.yaml)");
  app.add_option("--data-dir", flags.data_dir, "keys and history (default $XDG_DATA_HOME/sotto)");
  app.add_option("--socket", flags.socket, "JSON-RPC socket (default $XDG_RUNTIME_DIR/sotto/msgd.sock)");
  app.add_option("--relay", flags.relay, "relay address HOST:PORT");
  app.add_option("--relay-fingerprint", flags.relay_fingerprint, "pin the relay's certificate: sha256:HEX");
  app.add_option("--trust-new-identities", flags.trust_new_identities, "on-first-use (default), always or never")
      ->check(CLI::IsMember({"on-first-use", "always", "never"}));
  app.add_flag("--no-dbus", flags.no_dbus, "serve only the socket, not the session bus");
  app.set_version_flag("--version", std::string("msgd (Sotto) ") + sotto::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return run(flags);
  } catch (const config::ConfigError& e) {
    std::cerr << "msgd: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    std::cerr << "msgd: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "msgd: " << e.what() << "\n";
    return 1;
  }
}
