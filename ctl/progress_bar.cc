#include "ctl/progress_bar.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "ctl/text_checks.h"
#include "lib/api/size_text.h"

namespace sotto::ctl {
namespace {

constexpr std::size_t kMinBarInner = 10;  // narrower says too little to be worth a column
constexpr std::size_t kMaxBarInner = 30;
constexpr std::size_t kMinNameColumns = 8;  // "report.…": still recognisable
constexpr std::size_t kPercentColumns = 4;  // "100%"
constexpr std::size_t kSizeColumns = 7;     // "99.9 MB", the widest format_size below EB
constexpr std::size_t kEtaColumns = 5;      // "59:59"

std::string clock(long long total_seconds) {
  const long long hours = total_seconds / 3600;
  const long long minutes = total_seconds / 60 % 60;
  const long long seconds = total_seconds % 60;
  char buffer[48];
  if (hours > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", hours, minutes, seconds);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", minutes, seconds);
  }
  return buffer;
}

std::string pad_left(const std::string& text, std::size_t columns) {
  const std::size_t have = terminal_columns(text);
  return have >= columns ? text : std::string(columns - have, ' ') + text;
}

std::string bar(std::size_t inner, int percent) {
  const auto filled = static_cast<std::size_t>(static_cast<double>(inner) * percent / 100.0);
  std::string out = "[";
  out.append(std::min(filled, inner), '=');
  if (filled < inner) {
    out += '>';
    out.append(inner - filled - 1, ' ');
  }
  return out + "]";
}

}  // namespace

std::string format_size(std::int64_t bytes) { return api::size_text(bytes); }

std::string format_rate(std::optional<double> bytes_per_second) {
  if (!bytes_per_second || !std::isfinite(*bytes_per_second) || *bytes_per_second < 0) return "--/s";
  const double capped = std::min(*bytes_per_second, 9.2e18);
  return format_size(static_cast<std::int64_t>(std::llround(capped))) + "/s";
}

std::string format_eta(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) return "--:--";
  if (*seconds >= 100.0 * 3600) return ">99h";
  return clock(static_cast<long long>(std::ceil(*seconds)));
}

std::string format_elapsed(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  char buffer[32];
  if (seconds < 9.95) {
    std::snprintf(buffer, sizeof buffer, "%.1f s", seconds);
    return buffer;
  }
  if (seconds < 59.5) {
    std::snprintf(buffer, sizeof buffer, "%.0f s", seconds);
    return buffer;
  }
  if (seconds >= 100.0 * 3600) return ">99h";
  return clock(std::llround(seconds));
}

int percent_done(std::int64_t bytes, std::int64_t size, bool complete) {
  if (size <= 0) return complete ? 100 : 0;
  if (bytes <= 0) return 0;
  if (bytes >= size) return 100;
  // long double holds any int64 exactly; bytes * 100 would overflow int64.
  const long double ratio = static_cast<long double>(bytes) * 100 / static_cast<long double>(size);
  return std::clamp(static_cast<int>(ratio), 0, 99);
}

void RateMeter::add(double seconds, std::int64_t bytes) {
  if (!samples_.empty() && (bytes < samples_.back().bytes || seconds < samples_.back().seconds)) samples_.clear();
  samples_.push_back({seconds, bytes});
  // Keep one sample at or before the window's start, so a pause still has a span.
  while (samples_.size() > 2 && samples_[1].seconds <= seconds - kWindowSeconds) samples_.pop_front();
}

std::optional<double> RateMeter::bytes_per_second() const {
  if (samples_.size() < 2) return std::nullopt;
  const double span = samples_.back().seconds - samples_.front().seconds;
  if (span < kMinSpanSeconds) return std::nullopt;
  return static_cast<double>(samples_.back().bytes - samples_.front().bytes) / span;
}

std::string render_progress_line(const ProgressView& view, std::size_t columns) {
  if (columns < 2) return "";
  const std::size_t available = columns - 1;
  const std::string name = printable(view.name);
  const std::size_t name_columns = terminal_columns(name);
  const bool moving = view.state == "uploading" || view.state == "downloading";
  const bool complete = view.state == "uploaded" || view.state == "downloaded" || view.state == "saved";
  const int percent = percent_done(view.bytes, view.size, complete);
  // Fields that change while the bar moves keep their width, so the bar does not jitter.
  const std::string sizes = pad_left(format_size(view.bytes), kSizeColumns) + " / " + format_size(view.size);
  std::string motion;
  if (moving) {
    std::optional<double> left;
    if (view.bytes_per_second && *view.bytes_per_second > 0 && view.size >= view.bytes) {
      left = static_cast<double>(view.size - view.bytes) / *view.bytes_per_second;
    }
    motion = pad_left(format_rate(view.bytes_per_second), kSizeColumns + 2) + "  ETA " +
             pad_left(format_eta(left), kEtaColumns);
  } else {
    motion = printable(view.state);
  }

  struct Layout {
    bool bar, sizes, motion;
  };
  // Most detail first; what goes first when the window is narrow goes last here.
  constexpr std::array<Layout, 4> kLayouts{{{true, true, true}, {false, true, true}, {false, true, false}, {}}};
  for (const Layout& layout : kLayouts) {
    std::string tail = pad_left(std::to_string(percent) + "%", kPercentColumns);
    if (layout.sizes) tail += "  " + sizes;
    if (layout.motion && !motion.empty()) tail += "  " + motion;
    const std::size_t tail_columns = terminal_columns(tail);
    const std::size_t fixed = 2 + tail_columns + (layout.bar ? kMinBarInner + 2 + 2 : 0);
    const bool last = !layout.sizes;
    const std::size_t least_name = std::min(name_columns, last ? std::size_t{1} : kMinNameColumns);
    if (fixed + least_name > available) continue;
    std::size_t name_budget = std::min(name_columns, available - fixed);
    // With a bar, a long name leaves it room: it gets at most two fifths of the line.
    if (layout.bar) name_budget = std::min(name_budget, std::max(least_name, available * 2 / 5));
    const std::string shown_name = fit_columns(name, name_budget);
    std::string line = shown_name + "  ";
    if (layout.bar) {
      const std::size_t room = available - terminal_columns(shown_name) - 2 - tail_columns - 2 - 2;
      line += bar(std::min(room, kMaxBarInner), percent) + "  ";
    }
    return line + tail;
  }
  return fit_columns(name + "  " + std::to_string(percent) + "%", available);
}

std::string ProgressLine::redraw(const std::string& line) {
  const std::size_t columns = terminal_columns(line);
  std::string out = "\r" + line;
  if (drawn_columns_ > columns) out.append(drawn_columns_ - columns, ' ');
  drawn_columns_ = std::max<std::size_t>(columns, 1);
  return out;
}

std::string ProgressLine::clear() {
  if (drawn_columns_ == 0) return "";
  std::string out = "\r" + std::string(drawn_columns_, ' ') + "\r";
  drawn_columns_ = 0;
  return out;
}

}  // namespace sotto::ctl
