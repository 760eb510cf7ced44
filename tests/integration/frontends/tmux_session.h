#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sotto::testing {

// A real tmux server of the test's own (its socket under dir, so nothing is
// shared with a user's tmux) running one program in a detached window of a
// fixed size: the test types with send-keys and reads the screen with
// capture-pane, as a person at a terminal would. The destructor kills the
// server and with it the program.
class TmuxSession {
 public:
  // command: argv of the program (absolute path first); env: NAME=VALUE pairs
  // it runs with (and nothing else from the test's environment but PATH).
  TmuxSession(std::filesystem::path dir, const std::vector<std::string>& command,
              const std::vector<std::pair<std::string, std::string>>& env, int width, int height);
  ~TmuxSession();
  TmuxSession(const TmuxSession&) = delete;
  TmuxSession& operator=(const TmuxSession&) = delete;

  // Types text literally (no key names), then nothing else.
  void type(const std::string& text);
  // Presses keys by tmux name: "Enter", "C-c", "PPage", "M-Enter", "BSpace".
  void press(const std::string& key_name);
  // The visible screen, one line per row, without escape sequences.
  std::string screen();
  // The screen with tmux's escape sequences for attributes and colours (-e).
  std::string screen_with_attributes();
  // Waits until check(screen()) holds; the last screen is left in *last.
  bool wait_for(const std::function<bool(const std::string&)>& check, std::chrono::milliseconds timeout,
                std::string* last = nullptr);
  bool wait_for_text(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void resize(int width, int height);
  // tmux's format variables: "#{pane_title}", "#{pane_pid}", "#{pane_dead}".
  std::string format(const std::string& variable);
  pid_t program_pid();
  bool program_running();

  static bool available();

 private:
  std::string tmux(const std::vector<std::string>& args, bool check = true);

  std::filesystem::path socket_;
};

}  // namespace sotto::testing
