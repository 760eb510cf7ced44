#pragma once

// The msg-tui end-to-end fixture: a real relayd, alice's and bob's real msgd
// (alice's on a private dbus-daemon session bus), and alice's real msg-tui
// running in a real terminal (a tmux window of the test's own). Shared by
// the tests (msg_tui_test.cc) and the figures (bench/tui/msg_tui_figures.cc).

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/daemon/msgd/msgd_fixture.h"
#include "tests/integration/frontends/tmux_session.h"

namespace sotto::testing {

class MsgTuiTest : public MsgdTest {
 protected:
  void SetUp() override {
    // scripts/setup-deps installs tmux: without it this is a broken machine, not a skip.
    ASSERT_TRUE(TmuxSession::available()) << "tmux is not installed (scripts/setup-deps installs it)";
    MsgdTest::SetUp();
    start_relayd();
    registered_user("alice", /*with_bus=*/true);
    registered_user("bob");
    // bob writes first, so that both know each other and alice has a contact.
    call("bob", "send", {{"peer", "alice"}, {"text", "hello alice, it is bob"}});
    ASSERT_TRUE(eventually([&] { return !conversation("alice", "bob").empty(); }));
  }

  void TearDown() override {
    if (HasFailure() && tui_) std::cerr << "---- msg-tui screen ----\n" << tui_->screen();
    tui_.reset();
    MsgdTest::TearDown();
  }

  // alice's msg-tui, over her session bus (or her socket), open on bob.
  TmuxSession& start_tui(bool over_bus = true, int width = 100, int height = 30) {
    std::vector<std::string> command{SOTTO_MSG_TUI_BINARY, "--peer", "bob"};
    if (over_bus) {
      command.emplace_back("--bus");
    } else {
      command.insert(command.end(), {"--socket", user("alice").socket_path().string()});
    }
    tui_ = std::make_unique<TmuxSession>(
        dir_, command,
        std::vector<std::pair<std::string, std::string>>{{"DBUS_SESSION_BUS_ADDRESS", buses_.at("alice")->address()},
                                                         {"LANG", "C.UTF-8"},
                                                         {"TERM", "tmux-256color"},
                                                         {"TZ", "UTC"},
                                                         {"HOME", dir_.string()}},
        width, height);
    return *tui_;
  }

  bool ready() { return tui_->wait_for_text("alice \u00B7 relay connected"); }

  std::unique_ptr<TmuxSession> tui_;
};

}  // namespace sotto::testing
