#include "frontends/tui/input_line.h"

#include <algorithm>

#include "frontends/tui/display_text.h"

namespace sotto::tui {
namespace {

bool is_word_char(char32_t c) { return c != ' ' && c != '\n' && c != '\t'; }

std::string to_utf8(std::u32string_view chars) {
  std::string out;
  out.reserve(chars.size());
  for (char32_t c : chars) append_utf8(out, c);
  return out;
}

}  // namespace

std::string InputLine::text() const { return to_utf8(chars_); }

std::string InputLine::text_before_cursor() const { return to_utf8(std::u32string_view(chars_).substr(0, cursor_)); }

void InputLine::set_text(std::string_view utf8) {
  chars_ = to_code_points(utf8);
  cursor_ = chars_.size();
}

void InputLine::insert(char32_t ch) {
  chars_.insert(chars_.begin() + static_cast<std::ptrdiff_t>(cursor_), ch);
  ++cursor_;
}

void InputLine::insert_text(std::string_view utf8) {
  const std::u32string more = to_code_points(utf8);
  chars_.insert(cursor_, more);
  cursor_ += more.size();
}

void InputLine::backspace() {
  if (cursor_ == 0) return;
  chars_.erase(cursor_ - 1, 1);
  --cursor_;
}

void InputLine::erase() {
  if (cursor_ < chars_.size()) chars_.erase(cursor_, 1);
}

void InputLine::left() {
  if (cursor_ > 0) --cursor_;
}

void InputLine::right() {
  if (cursor_ < chars_.size()) ++cursor_;
}

void InputLine::word_left() {
  while (cursor_ > 0 && !is_word_char(chars_[cursor_ - 1])) --cursor_;
  while (cursor_ > 0 && is_word_char(chars_[cursor_ - 1])) --cursor_;
}

void InputLine::word_right() {
  while (cursor_ < chars_.size() && !is_word_char(chars_[cursor_])) ++cursor_;
  while (cursor_ < chars_.size() && is_word_char(chars_[cursor_])) ++cursor_;
}

std::size_t InputLine::line_start(std::size_t at) const {
  while (at > 0 && chars_[at - 1] != '\n') --at;
  return at;
}

std::size_t InputLine::line_end(std::size_t at) const {
  while (at < chars_.size() && chars_[at] != '\n') ++at;
  return at;
}

void InputLine::home() { cursor_ = line_start(cursor_); }
void InputLine::end() { cursor_ = line_end(cursor_); }

void InputLine::kill_to_end() {
  const std::size_t stop = line_end(cursor_);
  chars_.erase(cursor_, stop - cursor_);
}

void InputLine::kill_to_start() {
  const std::size_t start = line_start(cursor_);
  chars_.erase(start, cursor_ - start);
  cursor_ = start;
}

void InputLine::delete_word_before() {
  const std::size_t stop = cursor_;
  word_left();
  chars_.erase(cursor_, stop - cursor_);
}

bool InputLine::line_up() {
  const std::size_t start = line_start(cursor_);
  if (start == 0) return false;
  const std::size_t column = cursor_ - start;
  const std::size_t previous_start = line_start(start - 1);
  cursor_ = std::min(previous_start + column, start - 1);
  return true;
}

bool InputLine::line_down() {
  const std::size_t stop = line_end(cursor_);
  if (stop == chars_.size()) return false;
  const std::size_t column = cursor_ - line_start(cursor_);
  const std::size_t next_start = stop + 1;
  cursor_ = std::min(next_start + column, line_end(next_start));
  return true;
}

void InputHistory::add(std::string entry) {
  if (entry.empty()) return;
  if (entries_.empty() || entries_.back() != entry) entries_.push_back(std::move(entry));
  while (entries_.size() > kMaxEntries) entries_.pop_front();
  position_ = entries_.size();
  draft_.clear();
}

bool InputHistory::older(const std::string& current, std::string& out) {
  if (position_ > entries_.size()) position_ = entries_.size();
  if (position_ == 0) return false;
  if (position_ == entries_.size()) draft_ = current;
  --position_;
  out = entries_[position_];
  return true;
}

bool InputHistory::newer(std::string& out) {
  if (position_ >= entries_.size()) return false;
  ++position_;
  out = position_ == entries_.size() ? draft_ : entries_[position_];
  return true;
}

}  // namespace sotto::tui
