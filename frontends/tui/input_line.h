#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace sotto::tui {

// The text being typed, with a cursor, as code points (so that moving and
// deleting never cut a UTF-8 sequence). It may hold several lines (Alt-Enter,
// a paste). Nothing here touches the terminal.
class InputLine {
 public:
  std::string text() const;              // UTF-8
  void set_text(std::string_view utf8);  // cursor at the end
  void clear() { chars_.clear(), cursor_ = 0; }
  bool empty() const { return chars_.empty(); }
  std::size_t cursor() const { return cursor_; }  // in code points
  // The UTF-8 of the text before the cursor (to place the cursor on screen).
  std::string text_before_cursor() const;
  bool cursor_at_end() const { return cursor_ == chars_.size(); }

  void insert(char32_t ch);
  void insert_text(std::string_view utf8);
  void backspace();
  void erase();  // the character under the cursor
  void left();
  void right();
  void word_left();
  void word_right();
  void home();           // start of the cursor's line
  void end();            // end of the cursor's line
  void kill_to_end();    // to the end of the cursor's line
  void kill_to_start();  // to the start of the cursor's line
  void delete_word_before();
  // Move to the same column of the previous / next line of a multi-line
  // input; false (and no move) on the first / last line.
  bool line_up();
  bool line_down();

 private:
  std::size_t line_start(std::size_t at) const;
  std::size_t line_end(std::size_t at) const;

  std::u32string chars_;
  std::size_t cursor_ = 0;
};

// What was sent or run before, for Up and Down. Keeps the draft that was being
// typed when Up was first pressed, and gives it back at the bottom.
class InputHistory {
 public:
  // Remembers an entry (not twice in a row; at most kMaxEntries).
  void add(std::string entry);
  // The entry older than the one shown; current is what the line holds now.
  // nullopt-like: returns false when there is nothing older.
  bool older(const std::string& current, std::string& out);
  bool newer(std::string& out);
  void reset_position() { position_ = entries_.size(); }
  std::size_t size() const { return entries_.size(); }

  static constexpr std::size_t kMaxEntries = 200;

 private:
  std::deque<std::string> entries_;
  std::size_t position_ = 0;  // entries_.size(): the draft
  std::string draft_;
};

}  // namespace sotto::tui
