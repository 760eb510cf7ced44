#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "frontends/tui/chat_model.h"
#include "frontends/tui/display_text.h"
#include "frontends/tui/screen_layout.h"
#include "frontends/tui/text_layout.h"

namespace sotto::tui::testing {

// 2026-11-24 10:00:00 UTC (the tests run with TZ=UTC).
inline constexpr std::int64_t kDay1 = 1795514400000;
inline constexpr std::int64_t kDayMs = 24 * 3600 * 1000;

inline MessageData incoming(const std::string& peer, const std::string& id, const std::string& text,
                            std::int64_t at = kDay1) {
  MessageData m;
  m.id = id;
  m.peer = peer;
  m.sender = peer;
  m.text = text;
  m.sent_at = at;
  m.state = "unread";
  return m;
}

inline MessageData outgoing(const std::string& peer, const std::string& id, const std::string& text,
                            std::int64_t at = kDay1) {
  MessageData m = incoming(peer, id, text, at);
  m.outgoing = true;
  m.sender = "alice";
  m.state = "delivered";
  return m;
}

// Drives a ChatModel the way TuiApp does, and reads back the screen.
class ModelDriver {
 public:
  explicit ModelDriver(ChatModel::Options options = {}) : model(std::move(options)) { model.apply(Resized{100, 24}); }

  // The returned actions live until the next event (they are `last`).
  const std::vector<Action>& apply(const Event& e) {
    last = model.apply(e);
    return last;
  }
  void up(const std::string& me = "alice") { apply(DaemonUp{me, true, "127.0.0.1:7443", "test"}); }
  const std::vector<Action>& press(KeyCode code) { return apply(KeyPressed{key(code), kDay1}); }
  void type(const std::string& utf8) {
    for (char32_t c : to_code_points(utf8)) apply(KeyPressed{char_key(c), kDay1});
  }
  const std::vector<Action>& enter(const std::string& line) {
    type(line);
    return press(KeyCode::kEnter);
  }
  Screen screen() const { return layout_screen(model); }
  std::string conversation_text() const {
    std::string out;
    for (const auto& row : screen().conversation) out += row.text + "\n";
    return out;
  }
  std::string sidebar_text() const {
    std::string out;
    for (const auto& row : screen().sidebar) out += row.text + "\n";
    return out;
  }
  std::string everything() const {
    const Screen s = screen();
    std::string out = conversation_text() + sidebar_text() + s.status.text + "\n";
    for (const auto& row : s.input) out += row + "\n";
    return out;
  }

  ChatModel model;
  std::vector<Action> last;
};

template <typename T>
const T* find_action(const std::vector<Action>& actions) {
  for (const auto& a : actions) {
    if (const T* t = std::get_if<T>(&a)) return t;
  }
  return nullptr;
}

// Every row of every pane exactly as wide as its pane.
inline void expect_rows_fit(const Screen& s) {
  const int conversation_width = s.sidebar_width > 0 ? s.width - s.sidebar_width - 1 : s.width;
  for (const auto& row : s.conversation) EXPECT_EQ(columns_of_safe(row.text), conversation_width) << row.text;
  for (const auto& row : s.sidebar) EXPECT_EQ(columns_of_safe(row.text), s.sidebar_width) << row.text;
  EXPECT_EQ(columns_of_safe(s.status.text), s.width);
  for (const auto& row : s.input) EXPECT_EQ(columns_of_safe(row), s.width) << row;
  EXPECT_EQ(static_cast<int>(s.conversation.size() + 1 + s.input.size()), s.height);
}

// Nothing a terminal would interpret: no C0/C1 control, no DEL, no bidi
// control, valid UTF-8 (it re-sanitises to itself).
inline bool is_inert(const std::string& row) {
  for (char32_t cp : to_code_points(row)) {
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || is_bidi_control(cp)) return false;
  }
  return DisplayText(row).utf8() == row;
}

}  // namespace sotto::tui::testing
