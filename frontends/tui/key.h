#pragma once

namespace sotto::tui {

// A key as the model sees it, after the terminal layer decoded it. Names say
// what the key does in msg-tui, not which terminal sequence produced it.
enum class KeyCode {
  kChar,      // a printable character (Key::ch)
  kEnter,     // send the input line
  kAltEnter,  // a new line inside the input
  kBackspace,
  kDelete,
  kLeft,
  kRight,
  kWordLeft,   // Ctrl-Left
  kWordRight,  // Ctrl-Right
  kUp,         // previous line of the input, else older history
  kDown,
  kHome,              // Home, Ctrl-A
  kEnd,               // End, Ctrl-E
  kKillToEnd,         // Ctrl-K
  kKillToStart,       // Ctrl-U
  kDeleteWordBefore,  // Ctrl-W
  kPageUp,
  kPageDown,
  kWheelUp,
  kWheelDown,
  kTab,
  kEscape,                // closes a panel, clears a notice
  kNextConversation,      // Ctrl-N, Alt-Down
  kPreviousConversation,  // Ctrl-P, Alt-Up
  kQuit,                  // Ctrl-C
  kEndOfInput,            // Ctrl-D: quits on an empty input line
  kPasteBegin,            // bracketed paste: Enter inserts a new line until kPasteEnd
  kPasteEnd,
};

struct Key {
  KeyCode code = KeyCode::kChar;
  char32_t ch = 0;  // for kChar
};

inline Key char_key(char32_t ch) { return Key{KeyCode::kChar, ch}; }
inline Key key(KeyCode code) { return Key{code, 0}; }

}  // namespace sotto::tui
