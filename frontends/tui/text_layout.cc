#include "frontends/tui/text_layout.h"

#include <algorithm>

namespace sotto::tui {
namespace {

constexpr int kWidestCluster = 2;

bool is_space(const DisplayText& text, const DisplayText::Cluster& c) {
  return !c.line_break && c.end - c.begin == 1 && text.utf8()[c.begin] == ' ';
}

int width_of(const DisplayText& text, std::size_t first, std::size_t last) {
  int w = 0;
  for (std::size_t i = first; i < last; ++i) w += text.clusters()[i].width;
  return w;
}

}  // namespace

std::vector<LineSlice> wrap_text(const DisplayText& text, int first_width, int width) {
  first_width = std::max(first_width, kWidestCluster);
  width = std::max(width, kWidestCluster);
  const auto& clusters = text.clusters();
  const std::size_t n = clusters.size();
  std::vector<LineSlice> lines;
  std::size_t start = 0;
  int col = 0;
  int limit = first_width;
  std::size_t last_space = n;  // n: no space on this line yet
  int col_at_space = 0;
  std::size_t i = 0;
  while (i < n) {
    const auto& c = clusters[i];
    if (c.line_break) {
      lines.push_back({start, i, col});
      start = i + 1;
      col = 0;
      limit = width;
      last_space = n;
      ++i;
      continue;
    }
    if (col + c.width > limit && i > start) {
      if (last_space != n) {
        lines.push_back({start, last_space, col_at_space});
        start = last_space + 1;
        col = width_of(text, start, i);
      } else {
        lines.push_back({start, i, col});
        start = i;
        col = 0;
      }
      limit = width;
      last_space = n;
      continue;  // place cluster i again on the new line
    }
    if (is_space(text, c)) {
      last_space = i;
      col_at_space = col;
    }
    col += c.width;
    ++i;
  }
  lines.push_back({start, n, col});
  return lines;
}

std::string slice_utf8(const DisplayText& text, const LineSlice& line) {
  if (line.first >= line.last) return {};
  const auto& clusters = text.clusters();
  const std::size_t begin = clusters[line.first].begin;
  const std::size_t end = clusters[line.last - 1].end;
  // Line breaks inside the range hold no bytes, so the range is contiguous.
  return text.utf8().substr(begin, end - begin);
}

std::string fit_to_width(const DisplayText& text, int width) {
  if (width <= 0) return {};
  int total = 0;
  for (const auto& c : text.clusters()) total += c.line_break ? 1 : c.width;
  std::string out;
  int col = 0;
  const int room = total <= width ? width : width - 1;  // keep 1 column for "…"
  for (const auto& c : text.clusters()) {
    const int w = c.line_break ? 1 : c.width;
    if (col + w > room) {
      out += "\u2026";
      return out;
    }
    if (c.line_break) {
      out.push_back(' ');
    } else {
      out.append(text.text_of(c));
    }
    col += w;
  }
  return out;
}

std::string fit_to_width(std::string_view untrusted, int width) { return fit_to_width(DisplayText(untrusted), width); }

int columns_of_safe(std::string_view safe_utf8) {
  // Safe text re-sanitises to itself, so its clusters give its columns.
  const DisplayText text(safe_utf8);
  int w = 0;
  for (const auto& c : text.clusters()) w += c.line_break ? 1 : c.width;
  return w;
}

}  // namespace sotto::tui
