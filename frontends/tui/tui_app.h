#pragma once

#include <chrono>

#include "frontends/tui/chat_model.h"
#include "frontends/tui/daemon_link.h"
#include "frontends/tui/terminal.h"

namespace sotto::tui {

// The loop that joins the parts: waits (poll) on the terminal, msgd's link
// and signals; feeds what happened to the model; carries out its actions;
// draws the screen once per batch of events. One thread: the model and the
// terminal are only ever touched here.
class TuiApp {
 public:
  struct Options {
    // How often presence (the dots) and the relay state are asked for again:
    // the API has no presence event.
    std::chrono::milliseconds presence_interval{15000};
  };

  TuiApp(ChatModel& model, DaemonLink& link, Terminal& terminal, Options options);
  // Runs until Quit, SIGTERM/SIGHUP/SIGINT or the terminal going away.
  // Returns the exit status. The signals must be blocked in every thread
  // before the link's threads start (main does it), so they arrive here.
  int run();

 private:
  void handle(const Event& event);

  ChatModel& model_;
  DaemonLink& link_;
  Terminal& terminal_;
  Options options_;
  bool quit_ = false;
};

}  // namespace sotto::tui
