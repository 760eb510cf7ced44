#include "frontends/tui/screen_layout.h"

#include <algorithm>

#include "frontends/tui/message_time.h"
#include "frontends/tui/text_layout.h"

namespace sotto::tui {
namespace {

constexpr int kSidebarMinWindow = 60;  // narrower windows show only the conversation
constexpr int kSidebarMin = 14;
constexpr int kSidebarMax = 24;
constexpr int kPromptColumns = 2;       // "› "
constexpr int kContinuationIndent = 6;  // under the text, after "14:05 "
constexpr int kMaxDownBannerRows = 4;
constexpr int kPanelIndent = 4;

std::string pad_to(std::string text, int columns, int width) {
  if (columns < width) text.append(static_cast<std::size_t>(width - columns), ' ');
  return text;
}

// A row of exactly `width` columns from raw text.
Row row_of(std::string_view untrusted, int width, RowStyle style = RowStyle::kNormal) {
  std::string text = fit_to_width(untrusted, width);
  const int columns = columns_of_safe(text);
  return Row{pad_to(std::move(text), columns, width), style};
}

Row blank_row(int width) {
  return Row{std::string(static_cast<std::size_t>(std::max(width, 0)), ' '), RowStyle::kNormal};
}

std::string state_mark(const ShownMessage& m) {
  if (!m.outgoing) return {};
  if (m.state == "sending" || m.state == "queued") return "\u2026";  // …
  if (m.state == "sent") return "\u2713";                            // ✓
  if (m.state == "delivered") return "\u2713\u2713";                 // ✓✓
  if (m.state == "read") return "\u2713\u2713 read";
  if (m.state == "failed") return "\u2717 failed";  // ✗
  return m.state.empty() ? std::string() : "(" + m.state + ")";
}

RowStyle style_of(const ShownMessage& m) {
  if (m.identity_warning) return RowStyle::kWarning;
  if (m.outgoing) return m.state == "sending" ? RowStyle::kDim : RowStyle::kOwn;
  return RowStyle::kNormal;
}

bool starts_new_day(const Conversation& conv, std::size_t index) {
  if (index == 0) return true;
  return local_day(conv.messages[index].sent_at) != local_day(conv.messages[index - 1].sent_at);
}

// The rows of one message (its day separator first when it starts a day).
std::vector<Row> message_rows_of(const Conversation& conv, std::size_t index, int width) {
  const ShownMessage& m = conv.messages[index];
  std::vector<Row> rows;
  if (starts_new_day(conv, index)) {
    const std::string label = "\u2500\u2500 " + day_label(m.sent_at) + " \u2500\u2500";  // ── day ──
    rows.push_back(row_of(label, width, RowStyle::kDim));
  }
  std::string head = clock_time(m.sent_at) + " ";
  if (!m.note) {
    if (m.identity_warning) head += "\u26A0 ";  // ⚠
    head += inert_line(m.sender.empty() ? "?" : m.sender) + ": ";
  }
  const std::string safe_head = fit_to_width(head, std::max(1, width / 2));
  const int head_columns = columns_of_safe(safe_head);
  const int indent = std::min(kContinuationIndent, std::max(0, width / 3));
  const std::vector<LineSlice> lines = wrap_text(m.text, width - head_columns, width - indent);
  const RowStyle style = m.note ? RowStyle::kDim : style_of(m);
  const std::string mark = state_mark(m);
  const int mark_columns = mark.empty() ? 0 : columns_of_safe(mark) + 1;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string text = i == 0 ? safe_head : std::string(static_cast<std::size_t>(indent), ' ');
    int columns = i == 0 ? head_columns : indent;
    text += slice_utf8(m.text, lines[i]);
    columns += lines[i].width;
    if (i + 1 == lines.size() && !mark.empty() && columns + mark_columns <= width) {
      text += " " + mark;
      columns += mark_columns;
      rows.push_back(Row{pad_to(std::move(text), columns, width), style});
      return rows;
    }
    rows.push_back(Row{pad_to(std::move(text), columns, width), style});
  }
  if (!mark.empty()) rows.push_back(row_of(std::string(static_cast<std::size_t>(indent), ' ') + mark, width, style));
  return rows;
}

std::vector<Row> panel_rows(const Panel& panel, int width) {
  std::vector<Row> rows{row_of(panel.title, width, RowStyle::kTitle)};
  for (const auto& line : panel.lines) {
    const DisplayText text(line);
    // Continuation rows are indented, so each line's start stands out.
    const auto slices = wrap_text(text, width, width - kPanelIndent);
    for (std::size_t i = 0; i < slices.size(); ++i) {
      const std::string indent(i == 0 ? 0 : static_cast<std::size_t>(kPanelIndent), ' ');
      rows.push_back(row_of(indent + slice_utf8(text, slices[i]), width));
    }
  }
  return rows;
}

std::string header_text(const ChatModel& model, const Conversation& conv, RowStyle& style) {
  std::string text = conversation_label(conv);
  if (conv.online) text += *conv.online ? " \u00B7 online" : " \u00B7 offline";
  if (is_inactive_group(conv)) {
    text += conv.group_status == "left" ? " \u00B7 you left it" : " \u00B7 you were removed";
    text += ": its history stays, nothing can be sent";
  } else if (!conv.members.empty()) {
    text += " \u00B7 " + std::to_string(conv.members.size()) + " members";
  }
  if (conv.identity_warning) {
    style = RowStyle::kWarning;
    text += " \u00B7 \u26A0 identity key changed, not verified: /fingerprint, then /trust";
  } else if (!conv.trust.empty()) {
    text += " \u00B7 " + conv.trust;
  }
  if (model.scroll() > 0) text += " \u00B7 scrolled up (PgDn)";
  return text;
}

std::vector<Row> sidebar_rows(const ChatModel& model, int width, int rows) {
  std::vector<Row> out;
  std::vector<const Conversation*> list;
  for (const auto& [peer, conv] : model.conversations()) list.push_back(&conv);
  std::size_t first = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i]->peer == model.open_peer() && static_cast<int>(i) >= rows)
      first = i + 1 - static_cast<std::size_t>(rows);
  }
  for (std::size_t i = first; i < list.size() && static_cast<int>(out.size()) < rows; ++i) {
    const Conversation& c = *list[i];
    std::string text = !c.online ? " " : (*c.online ? "\u25CF" : "\u25CB");  // ● ○
    text += " " + conversation_label(c);
    if (c.unread > 0) text += " (" + std::to_string(c.unread) + ")";
    if (c.identity_warning) text += " \u26A0";
    const bool inactive = is_inactive_group(c);
    if (inactive) text += c.group_status == "left" ? " (left)" : " (removed)";
    RowStyle style = RowStyle::kNormal;
    if (c.peer == model.open_peer()) {
      style = RowStyle::kSelected;
    } else if (c.unread > 0) {
      style = RowStyle::kBold;
    } else if (c.identity_warning) {
      style = RowStyle::kWarning;
    } else if (inactive) {
      style = RowStyle::kDim;
    }
    out.push_back(row_of(text, width, style));
  }
  if (list.empty() && rows > 0) out.push_back(row_of("(no contacts)", width, RowStyle::kDim));
  while (static_cast<int>(out.size()) < rows) out.push_back(blank_row(width));
  return out;
}

std::vector<std::string> down_banner(const ChatModel& model) {
  std::string reason = model.daemon_reason().empty() ? "" : " (" + model.daemon_reason() + ")";
  return {"msgd is not running" + reason + ".",
          "Start it with: systemctl --user start msgd   (or run msgd in another terminal)",
          "msg-tui reconnects by itself; what you type is kept."};
}

std::vector<Row> conversation_pane(const ChatModel& model, int width, int rows) {
  std::vector<Row> out;
  if (rows <= 0) return out;
  // The header: msgd's state when it is not up, else the conversation.
  if (model.daemon_state() == DaemonState::kDown) {
    for (const auto& line : down_banner(model)) {
      const DisplayText text(line);
      for (const auto& slice : wrap_text(text, width, width)) {
        if (static_cast<int>(out.size()) < std::min(kMaxDownBannerRows, rows)) {
          out.push_back(row_of(slice_utf8(text, slice), width, RowStyle::kWarning));
        }
      }
    }
  } else if (model.panel()) {
    // the panel has its own title row
  } else if (const Conversation* conv = model.open_conversation()) {
    RowStyle style = RowStyle::kTitle;
    const std::string text = header_text(model, *conv, style);
    out.push_back(row_of(text, width, style));
  } else {
    out.push_back(
        row_of("no conversation open: /open PEER, Ctrl-N for the next one, /help for more", width, RowStyle::kTitle));
  }
  const int room = rows - static_cast<int>(out.size());
  std::vector<Row> body;
  if (model.panel()) {
    std::vector<Row> all = panel_rows(*model.panel(), width);
    const auto first = std::min<std::size_t>(static_cast<std::size_t>(model.panel_scroll()), all.size());
    for (std::size_t i = first; i < all.size() && static_cast<int>(body.size()) < room; ++i) {
      body.push_back(std::move(all[i]));
    }
  } else if (const Conversation* conv = model.open_conversation()) {
    // Bottom-up: only the messages that reach the visible rows are laid out.
    const int skip = model.scroll();
    const int needed = room + skip;
    std::vector<Row> reversed;
    for (std::size_t i = conv->messages.size(); i-- > 0 && static_cast<int>(reversed.size()) < needed;) {
      std::vector<Row> rows_of_message = message_rows_of(*conv, i, width);
      for (auto it = rows_of_message.rbegin(); it != rows_of_message.rend(); ++it) reversed.push_back(std::move(*it));
    }
    const int available = static_cast<int>(reversed.size());
    const int start = std::min(skip, std::max(0, available - room));
    for (int i = std::min(available, start + room) - 1; i >= start; --i) {
      body.push_back(std::move(reversed[static_cast<std::size_t>(i)]));
    }
    if (conv->messages.empty()) {
      const char* empty = conv->loaded                                 ? "(no messages yet: type one below)"
                          : model.daemon_state() == DaemonState::kDown ? "(not loaded: msgd is not running)"
                                                                       : "(loading\u2026)";
      body.push_back(row_of(empty, width, RowStyle::kDim));
    }
    // Newest at the bottom: blank rows go above the messages.
    std::vector<Row> padded(static_cast<std::size_t>(std::max(0, room - static_cast<int>(body.size()))),
                            blank_row(width));
    padded.insert(padded.end(), std::make_move_iterator(body.begin()), std::make_move_iterator(body.end()));
    body = std::move(padded);
  }
  for (auto& row : body) out.push_back(std::move(row));
  while (static_cast<int>(out.size()) < rows) out.push_back(blank_row(width));
  out.resize(static_cast<std::size_t>(rows));
  return out;
}

Row status_row(const ChatModel& model, int width) {
  std::string text;
  switch (model.daemon_state()) {
    case DaemonState::kConnecting:
      text = "connecting to msgd\u2026";
      break;
    case DaemonState::kDown:
      text = "msgd not running \u00B7 retrying";
      break;
    case DaemonState::kUp:
      text = model.username().empty() ? "not registered (msgctl register NAME)" : model.username();
      text += model.relay_connected() ? " \u00B7 relay connected" : " \u00B7 relay unreachable (messages wait)";
      break;
  }
  RowStyle style = RowStyle::kStatus;
  if (!model.notice().empty()) {
    text += " \u2502 " + model.notice();
    if (model.notice_is_error()) style = RowStyle::kStatusError;
  }
  if (model.pasting()) text += " \u2502 pasting";
  return row_of(text, width, style);
}

struct InputLayout {
  std::vector<std::string> rows;
  int cursor_row = 0;
  int cursor_col = 0;
};

// Hard-wrapped (no word wrap), so the cursor can sit anywhere.
InputLayout layout_input(const InputLine& input, int width) {
  const DisplayText text(input.text());
  const std::size_t cursor_cluster = DisplayText(input.text_before_cursor()).clusters().size();
  const int room = std::max(2, width - kPromptColumns);
  InputLayout out;
  std::vector<std::pair<std::string, int>> rows{{"", 0}};
  int cursor_row = 0;
  int cursor_col = 0;
  const auto& clusters = text.clusters();
  for (std::size_t i = 0; i <= clusters.size(); ++i) {
    if (i == cursor_cluster) {
      if (rows.back().second >= room) rows.emplace_back("", 0);
      cursor_row = static_cast<int>(rows.size()) - 1;
      cursor_col = rows.back().second;
    }
    if (i == clusters.size()) break;
    const auto& c = clusters[i];
    if (c.line_break) {
      rows.emplace_back("", 0);
      continue;
    }
    if (rows.back().second + c.width > room) rows.emplace_back("", 0);
    rows.back().first += text.text_of(c);
    rows.back().second += c.width;
  }
  // At most kMaxInputRows, the cursor's row among them.
  const int total = static_cast<int>(rows.size());
  const int shown = std::min(total, kMaxInputRows);
  const int first = std::clamp(cursor_row - shown + 1, 0, total - shown);
  for (int i = first; i < first + shown; ++i) {
    const auto& [safe, columns] = rows[static_cast<std::size_t>(i)];
    std::string line = i == 0 ? "\u203A " : "  ";  // ›
    out.rows.push_back(pad_to(line + safe, columns + kPromptColumns, width));
  }
  out.cursor_row = cursor_row - first;
  out.cursor_col = cursor_col + kPromptColumns;
  return out;
}

int input_rows_for(const ChatModel& model, int width) {
  return static_cast<int>(layout_input(model.input(), width).rows.size());
}

}  // namespace

Geometry geometry_of(const ChatModel& model) {
  Geometry g;
  const int width = std::max(model.width(), 1);
  g.input_rows = input_rows_for(model, width);
  g.main_rows = std::max(0, model.height() - 1 - g.input_rows);
  if (width >= kSidebarMinWindow) g.sidebar_width = std::clamp(width / 5, kSidebarMin, kSidebarMax);
  g.conversation_width = g.sidebar_width > 0 ? width - g.sidebar_width - 1 : width;
  return g;
}

int message_rows(const ChatModel& model) {
  const Geometry g = geometry_of(model);
  return std::max(1, g.main_rows - 1);
}

int conversation_row_count(const Conversation& conversation, int width) {
  int rows = 0;
  for (std::size_t i = 0; i < conversation.messages.size(); ++i) rows += message_row_count(conversation, i, width);
  return rows;
}

int message_row_count(const Conversation& conversation, std::size_t index, int width) {
  return static_cast<int>(message_rows_of(conversation, index, width).size());
}

int panel_row_count(const Panel& panel, int width) { return static_cast<int>(panel_rows(panel, width).size()); }

Screen layout_screen(const ChatModel& model) {
  Screen s;
  s.width = model.width();
  s.height = model.height();
  if (s.width < kMinWidth || s.height < kMinHeight) {
    s.too_small = true;
    s.status = row_of("window too small", std::max(s.width, 0), RowStyle::kStatusError);
    return s;
  }
  const Geometry g = geometry_of(model);
  s.sidebar_width = g.sidebar_width;
  if (g.sidebar_width > 0) s.sidebar = sidebar_rows(model, g.sidebar_width, g.main_rows);
  s.conversation = conversation_pane(model, g.conversation_width, g.main_rows);
  s.status = status_row(model, s.width);
  InputLayout input = layout_input(model.input(), s.width);
  s.input = std::move(input.rows);
  s.cursor_row = g.main_rows + 1 + input.cursor_row;
  s.cursor_col = std::min(input.cursor_col, s.width - 1);
  return s;
}

}  // namespace sotto::tui
