#pragma once

#include <string>
#include <vector>

#include "frontends/tui/chat_model.h"

namespace sotto::tui {

// How a row is drawn; the terminal layer maps each to attributes/colours.
enum class RowStyle {
  kNormal,
  kDim,       // day separators, pending sends, hints
  kBold,      // a conversation with unread messages
  kSelected,  // the open conversation in the list
  kTitle,     // the conversation's header, a panel's title
  kOwn,       // our own messages
  kWarning,   // identity warnings, msgd not running
  kStatus,    // the status line
  kStatusError,
};

// One row of a pane: safe UTF-8 (nothing a terminal interprets) that fits the
// pane's width.
struct Row {
  std::string text;
  RowStyle style = RowStyle::kNormal;
  bool operator==(const Row&) const = default;
};

// What each pane shows: the screen as a pure function of the model.
struct Screen {
  int width = 0;
  int height = 0;
  int sidebar_width = 0;           // 0: no list (a narrow window); a '│' column follows it
  std::vector<Row> sidebar;        // main_rows rows: conversations
  std::vector<Row> conversation;   // main_rows rows: a header, then messages (or a panel)
  Row status;                      // the row above the input
  std::vector<std::string> input;  // the input rows, prompt included
  int cursor_row = 0;              // where the terminal cursor goes (the input)
  int cursor_col = 0;
  bool too_small = false;  // below kMinWidth x kMinHeight: one row says so
};

inline constexpr int kMinWidth = 20;
inline constexpr int kMinHeight = 6;
inline constexpr int kMaxInputRows = 5;

struct Geometry {
  int sidebar_width = 0;
  int conversation_width = 0;
  int main_rows = 0;  // rows of the list and the conversation
  int input_rows = 1;
};

Geometry geometry_of(const ChatModel& model);

Screen layout_screen(const ChatModel& model);

// Rows a conversation's messages take at this width (day separators
// included); the model scrolls within them.
int conversation_row_count(const Conversation& conversation, int width);
// Rows one message takes (for keeping the view still when one arrives).
int message_row_count(const Conversation& conversation, std::size_t index, int width);
// Rows of the panel at this width, its title included.
int panel_row_count(const Panel& panel, int width);
// Rows of the conversation pane that show messages (the pane minus its header).
int message_rows(const ChatModel& model);

}  // namespace sotto::tui
