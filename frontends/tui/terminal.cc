#include "frontends/tui/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

// Last: curses.h and term.h define function-like macros (erase, move, ...).
#include <curses.h>
#include <term.h>

namespace sotto::tui {
namespace {

// Key codes we ask curses to report for the bracketed-paste markers (terminfo
// PS / PE); above KEY_MAX so they never meet one of curses' own.
constexpr int kPasteStartCode = KEY_MAX + 1;
constexpr int kPasteEndCode = KEY_MAX + 2;
// How long a lone ESC waits for the rest of a sequence: long enough for a
// terminal over ssh, short enough that Esc feels immediate.
constexpr int kEscapeDelayMs = 25;

enum ColorPair : short { kPairOwn = 1, kPairWarning, kPairStatus, kPairStatusError, kPairDim };

// A terminfo string capability, or nullptr when the terminal has none.
const char* capability(const char* name) {
  char* value = tigetstr(const_cast<char*>(name));
  if (value == nullptr || value == reinterpret_cast<char*>(-1)) return nullptr;
  return value;
}

// The key code curses gives a named extended key (ncurses' kLFT5 etc.), 0 if none.
int extended_key(const char* name) {
  const char* sequence = capability(name);
  if (sequence == nullptr) return 0;
  const int code = key_defined(sequence);
  return code > 0 ? code : 0;
}

}  // namespace

void Terminal::ScreenDeleter::operator()(screen* s) const {
  endwin();
  delscreen(s);
}

Terminal::Terminal(Options options) {
  if (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0) {
    throw std::runtime_error("msg-tui needs a terminal (stdin and stdout are not one)");
  }
  set_escdelay(kEscapeDelayMs);
  screen* s = newterm(nullptr, stdout, stdin);
  if (s == nullptr) throw std::runtime_error("curses cannot drive this terminal (TERM)");
  screen_.reset(s);
  set_term(s);
  raw();  // Ctrl-C, Ctrl-Z, Ctrl-S arrive as keys: msg-tui decides what they do
  noecho();
  nonl();
  keypad(stdscr, TRUE);
  nodelay(stdscr, TRUE);
  intrflush(stdscr, FALSE);
  if (has_colors() == TRUE && start_color() == OK) {
    colors_ = true;
    use_default_colors();
    init_pair(kPairOwn, COLOR_CYAN, -1);
    init_pair(kPairWarning, COLOR_YELLOW, -1);
    init_pair(kPairStatus, COLOR_BLACK, COLOR_WHITE);
    init_pair(kPairStatusError, COLOR_WHITE, COLOR_RED);
    init_pair(kPairDim, COLOR_BLUE, -1);
  }
  if (options.mouse) mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, nullptr);
  ctrl_left_ = extended_key("kLFT5");
  ctrl_right_ = extended_key("kRIT5");
  alt_up_ = extended_key("kUP3");
  alt_down_ = extended_key("kDN3");
  // Bracketed paste, when terminfo knows how (BE/BD/PS/PE, ncurses 6.4): a
  // pasted newline then stays in the input instead of sending half a paste.
  const char* enable = capability("BE");
  const char* start = capability("PS");
  const char* end = capability("PE");
  if (enable != nullptr && start != nullptr && end != nullptr) {
    define_key(start, kPasteStartCode);
    define_key(end, kPasteEndCode);
    putp(enable);
    std::fflush(stdout);
    bracketed_paste_ = true;
  }
}

Terminal::~Terminal() {
  if (bracketed_paste_) {
    if (const char* disable = capability("BD")) {
      putp(disable);
      std::fflush(stdout);
    }
  }
}

std::pair<int, int> Terminal::size() const {
  int height = 0;
  int width = 0;
  getmaxyx(stdscr, height, width);
  return {width, height};
}

void Terminal::update_size() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
    resizeterm(ws.ws_row, ws.ws_col);
  }
}

Terminal::Input Terminal::read_input() {
  Input in;
  for (;;) {
    wint_t ch = 0;
    const int kind = wget_wch(stdscr, &ch);
    if (kind == ERR) break;
    if (kind == KEY_CODE_YES) {
      const int code = static_cast<int>(ch);
      switch (code) {
        case KEY_RESIZE:
          in.resized = true;
          break;
        case KEY_ENTER:
          in.keys.push_back(key(KeyCode::kEnter));
          break;
        case KEY_BACKSPACE:
          in.keys.push_back(key(KeyCode::kBackspace));
          break;
        case KEY_DC:
          in.keys.push_back(key(KeyCode::kDelete));
          break;
        case KEY_LEFT:
          in.keys.push_back(key(KeyCode::kLeft));
          break;
        case KEY_RIGHT:
          in.keys.push_back(key(KeyCode::kRight));
          break;
        case KEY_UP:
          in.keys.push_back(key(KeyCode::kUp));
          break;
        case KEY_DOWN:
          in.keys.push_back(key(KeyCode::kDown));
          break;
        case KEY_HOME:
          in.keys.push_back(key(KeyCode::kHome));
          break;
        case KEY_END:
          in.keys.push_back(key(KeyCode::kEnd));
          break;
        case KEY_PPAGE:
          in.keys.push_back(key(KeyCode::kPageUp));
          break;
        case KEY_NPAGE:
          in.keys.push_back(key(KeyCode::kPageDown));
          break;
        case KEY_MOUSE: {
          MEVENT event{};
          if (getmouse(&event) == OK) {
            if ((event.bstate & BUTTON4_PRESSED) != 0) in.keys.push_back(key(KeyCode::kWheelUp));
            if ((event.bstate & BUTTON5_PRESSED) != 0) in.keys.push_back(key(KeyCode::kWheelDown));
          }
          break;
        }
        case kPasteStartCode:
          in.keys.push_back(key(KeyCode::kPasteBegin));
          break;
        case kPasteEndCode:
          in.keys.push_back(key(KeyCode::kPasteEnd));
          break;
        default:
          if (code == ctrl_left_ && code != 0) in.keys.push_back(key(KeyCode::kWordLeft));
          if (code == ctrl_right_ && code != 0) in.keys.push_back(key(KeyCode::kWordRight));
          if (code == alt_up_ && code != 0) in.keys.push_back(key(KeyCode::kPreviousConversation));
          if (code == alt_down_ && code != 0) in.keys.push_back(key(KeyCode::kNextConversation));
          break;
      }
      continue;
    }
    switch (ch) {
      case 27: {  // ESC alone, or Alt-<key> (ESC then the key)
        wint_t next = 0;
        const int more = wget_wch(stdscr, &next);
        if (more == OK && (next == '\r' || next == '\n')) {
          in.keys.push_back(key(KeyCode::kAltEnter));
        } else if (more == ERR) {
          in.keys.push_back(key(KeyCode::kEscape));
        } else if (more == OK && next >= 0x20 && next != 0x7F) {
          in.keys.push_back(char_key(static_cast<char32_t>(next)));  // Alt-x: typed as x
        }
        break;
      }
      case '\r':
      case '\n':
        in.keys.push_back(key(KeyCode::kEnter));
        break;
      case '\t':
        in.keys.push_back(key(KeyCode::kTab));
        break;
      case 127:
      case 8:
        in.keys.push_back(key(KeyCode::kBackspace));
        break;
      case 1:
        in.keys.push_back(key(KeyCode::kHome));
        break;
      case 3:
        in.keys.push_back(key(KeyCode::kQuit));
        break;
      case 4:
        in.keys.push_back(key(KeyCode::kEndOfInput));
        break;
      case 5:
        in.keys.push_back(key(KeyCode::kEnd));
        break;
      case 11:
        in.keys.push_back(key(KeyCode::kKillToEnd));
        break;
      case 12:
        in.redraw = true;
        break;
      case 14:
        in.keys.push_back(key(KeyCode::kNextConversation));
        break;
      case 16:
        in.keys.push_back(key(KeyCode::kPreviousConversation));
        break;
      case 21:
        in.keys.push_back(key(KeyCode::kKillToStart));
        break;
      case 23:
        in.keys.push_back(key(KeyCode::kDeleteWordBefore));
        break;
      default:
        if (ch >= 0x20) in.keys.push_back(char_key(static_cast<char32_t>(ch)));
        break;  // other control keys do nothing
    }
  }
  return in;
}

void Terminal::set_style(RowStyle style) {
  attr_t attrs = A_NORMAL;
  short pair = 0;
  switch (style) {
    case RowStyle::kNormal:
      break;
    case RowStyle::kDim:
      attrs = A_DIM;
      pair = kPairDim;
      break;
    case RowStyle::kBold:
      attrs = A_BOLD;
      break;
    case RowStyle::kSelected:
      attrs = A_REVERSE;
      break;
    case RowStyle::kTitle:
      attrs = A_BOLD | A_UNDERLINE;
      break;
    case RowStyle::kOwn:
      pair = kPairOwn;
      break;
    case RowStyle::kWarning:
      attrs = A_BOLD;
      pair = kPairWarning;
      break;
    case RowStyle::kStatus:
      attrs = A_REVERSE;
      if (colors_) attrs = A_NORMAL, pair = kPairStatus;
      break;
    case RowStyle::kStatusError:
      attrs = A_REVERSE | A_BOLD;
      if (colors_) attrs = A_BOLD, pair = kPairStatusError;
      break;
  }
  wattr_set(stdscr, attrs, colors_ ? pair : 0, nullptr);
}

void Terminal::draw(const Screen& s) {
  auto put = [&](int y, int x, const Row& row) {
    set_style(row.style);
    mvwaddstr(stdscr, y, x, row.text.c_str());
  };
  if (s.too_small) {
    werase(stdscr);
    put(0, 0, s.status);
    wnoutrefresh(stdscr);
    doupdate();
    return;
  }
  const int conversation_x = s.sidebar_width > 0 ? s.sidebar_width + 1 : 0;
  for (std::size_t y = 0; y < s.conversation.size(); ++y) {
    const int row = static_cast<int>(y);
    if (s.sidebar_width > 0 && y < s.sidebar.size()) {
      put(row, 0, s.sidebar[y]);
      wattr_set(stdscr, A_NORMAL, 0, nullptr);
      mvwaddstr(stdscr, row, s.sidebar_width, "\u2502");
    }
    put(row, conversation_x, s.conversation[y]);
  }
  const int status_y = static_cast<int>(s.conversation.size());
  put(status_y, 0, s.status);
  wattr_set(stdscr, A_NORMAL, 0, nullptr);
  for (std::size_t i = 0; i < s.input.size(); ++i) {
    mvwaddstr(stdscr, status_y + 1 + static_cast<int>(i), 0, s.input[i].c_str());
  }
  // Rows below the input (the input shrank) are cleared.
  const int below = status_y + 1 + static_cast<int>(s.input.size());
  if (below < s.height) {
    wmove(stdscr, below, 0);
    wclrtobot(stdscr);
  }
  wmove(stdscr, s.cursor_row, s.cursor_col);
  wnoutrefresh(stdscr);
  doupdate();
}

void Terminal::repaint_all() { clearok(curscr, TRUE); }

void Terminal::ring_bell() { beep(); }

}  // namespace sotto::tui
