#pragma once

#include <cwchar>
#include <memory>
#include <utility>
#include <vector>

#include "frontends/tui/key.h"
#include "frontends/tui/screen_layout.h"

// ncurses' SCREEN, declared here so that this header does not pull curses'
// macros (which define names like `erase` and `move`) into its users.
struct screen;

namespace sotto::tui {

// The real terminal, through ncursesw: the one place msg-tui touches it.
// (terminal.cc is compiled on its own, outside unity batches: curses.h and
// term.h define macros such as erase(), move() and lines that would break
// the files next to it.) Draws a Screen (rows already safe and of the right width) and turns what
// the terminal sends into Keys. Owns the curses SCREEN: the destructor puts
// the terminal back as it was (endwin), also when msg-tui leaves by an
// exception.
class Terminal {
 public:
  struct Options {
    bool mouse = true;  // the wheel scrolls; the terminal's own selection then needs Shift
  };

  // Throws std::runtime_error when stdin/stdout is not a terminal curses can drive.
  explicit Terminal(Options options);
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  std::pair<int, int> size() const;  // columns, rows
  // After SIGWINCH: asks the kernel for the new size and tells curses.
  void update_size();
  struct Input {
    std::vector<Key> keys;
    bool resized = false;  // curses saw a resize
    bool redraw = false;   // Ctrl-L: repaint everything
  };
  // Everything typed so far, without waiting.
  Input read_input();
  void draw(const Screen& screen);
  void repaint_all();  // the next draw repaints every cell (Ctrl-L)
  void ring_bell();

 private:
  struct ScreenDeleter {
    void operator()(screen* s) const;
  };
  void set_style(RowStyle style);

  std::unique_ptr<screen, ScreenDeleter> screen_;
  bool colors_ = false;
  bool bracketed_paste_ = false;
  int ctrl_left_ = 0;  // key codes curses assigned to these (0: none)
  int ctrl_right_ = 0;
  int alt_up_ = 0;
  int alt_down_ = 0;
};

}  // namespace sotto::tui
