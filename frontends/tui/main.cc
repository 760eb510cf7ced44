// msg-tui: the interactive terminal chat of the Sotto messenger, a client of
// msgd's local API. Everything but the wiring lives in the sotto_tui library.
#include <langinfo.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "frontends/tui/chat_model.h"
#include "frontends/tui/daemon_link.h"
#include "frontends/tui/terminal.h"
#include "frontends/tui/tui_app.h"
#include "lib/api/client.h"
#include "lib/api/method_table.h"
#include "lib/api/paths.h"
#include "lib/version/version.h"
#include "lib/wire/username.h"

namespace {

namespace tui = sotto::tui;
namespace api = sotto::api;

// How often msg-tui tries again to reach a msgd that is not running.
constexpr std::chrono::milliseconds kRetry{1000};

// Widths and the bytes curses writes both follow LC_CTYPE; msg-tui speaks
// UTF-8 only (messages are UTF-8), so a non-UTF-8 locale is replaced.
void use_utf8_locale() {
  std::setlocale(LC_ALL, "");
  const char* codeset = ::nl_langinfo(CODESET);
  if (codeset == nullptr || std::strcmp(codeset, "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
}

std::vector<tui::DaemonTransport> transports(const std::string& socket, bool bus, std::chrono::milliseconds timeout) {
  std::vector<tui::DaemonTransport> out;
  auto add_socket = [&](const std::filesystem::path& path) {
    out.push_back({[path, timeout] { return api::connect_socket(path, timeout); }, path.string()});
  };
  auto add_bus = [&] { out.push_back({[timeout] { return api::connect_dbus(timeout); }, "the session bus"}); };
  if (!socket.empty()) {
    add_socket(socket);
    return out;
  }
  if (bus) {
    add_bus();
    return out;
  }
  // The socket first: a msgd that exits closes it, so msg-tui knows at once.
  // The bus next: it can start msgd (D-Bus activation).
  try {
    add_socket(api::default_socket_path());
  } catch (const std::runtime_error&) {
    // no XDG_RUNTIME_DIR and no HOME: the bus is the only way
  }
  const char* address = std::getenv("DBUS_SESSION_BUS_ADDRESS");
  if (address != nullptr && *address != '\0') add_bus();
  return out;
}

// "@" and a group's id (32 lower-case hex digits).
bool is_group_id_argument(const std::string& peer) {
  return peer.size() == 33 && peer.front() == '@' && peer.find_first_not_of("0123456789abcdef", 1) == std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"msg-tui: the terminal chat of the Sotto messenger (a client of msgd)"};
  std::string peer;
  std::string socket;
  bool bus = false;
  bool bell = false;
  bool no_mouse = false;
  double timeout_seconds = 5.0;
  app.add_option("--peer", peer, "open the conversation with PEER at start");
  app.add_option("PEER", peer, "the same as --peer");
  app.add_option("--socket", socket,
                 "talk to msgd on this socket only (default: $XDG_RUNTIME_DIR/sotto/msgd.sock, then the session bus)");
  app.add_flag("--bus", bus, "talk to msgd on the D-Bus session bus only");
  app.add_flag("--bell", bell, "ring the terminal bell when a message arrives");
  app.add_flag("--no-mouse", no_mouse, "leave the mouse to the terminal (no wheel scrolling)");
  app.add_option("--timeout", timeout_seconds, "seconds to wait for msgd's answer to one call")
      ->check(CLI::Range(0.1, 300.0));
  app.set_version_flag("--version", std::string("msg-tui (Sotto) ") + sotto::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!socket.empty() && bus) {
    std::cerr << "msg-tui: --socket and --bus exclude each other\n";
    return 2;
  }
  if (is_group_id_argument(peer)) {
    // msg-notify's reply_command passes a group as "@<id>"; msgd's messages
    // call its conversation "#<id>".
    peer = "#" + peer.substr(1);
  } else if (!peer.empty()) {
    const auto name = sotto::wire::canonical_username(peer);
    if (!name) {
      std::cerr << "msg-tui: --peer: " << name.error() << "\n";
      return 2;
    }
    peer = name.value();
  }

  use_utf8_locale();
  ::signal(SIGPIPE, SIG_IGN);
  // Blocked before any thread starts, so that every thread inherits the mask
  // and these arrive only through TuiApp's signalfd.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGWINCH, SIGTERM, SIGHUP, SIGINT}) sigaddset(&signals, s);
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_seconds * 1000.0));
  auto ways = transports(socket, bus, timeout);
  if (ways.empty()) {
    std::cerr << "msg-tui: no way to reach msgd: set XDG_RUNTIME_DIR (the socket) or DBUS_SESSION_BUS_ADDRESS\n";
    return 1;
  }
  try {
    tui::ChatModel::Options model_options;
    model_options.bell = bell;
    model_options.initial_peer = peer;
    // File transfer is offered only once the local API has a method for it.
    model_options.file_transfer = api::find_method("send_file") != nullptr;
    tui::ChatModel model(model_options);
    tui::DaemonLink link(std::move(ways), kRetry);
    tui::Terminal terminal(tui::Terminal::Options{!no_mouse});
    link.start();
    tui::TuiApp tui_app(model, link, terminal, tui::TuiApp::Options{});
    return tui_app.run();
  } catch (const std::exception& e) {
    std::cerr << "msg-tui: " << e.what() << "\n";
    return 1;
  }
}
