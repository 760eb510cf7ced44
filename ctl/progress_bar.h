#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace sotto::ctl {

// Human units for file transfers: what msgctl shows of a size, a rate and a
// time left, and the one-line progress bar `send-file` and `save` draw on a
// terminal. Pure functions (the caller brings the clock and the width), so
// tests pin every case.

// Sizes in powers of 1000 (IEC 80000-13: 1 kB = 1000 B), as file managers
// show them: "0 B", "999 B", "1.0 kB", "2.1 MB", "215 MB", up to "9.2 EB" for
// INT64_MAX. One decimal below 100, none from 100 on; a value that would round
// to 1000 moves to the next unit ("1.0 MB", never "1000 kB"). "?" when negative
// (msgd did not say).
std::string format_size(std::int64_t bytes);

// "2.1 MB/s"; "--/s" while the rate is not known yet.
std::string format_rate(std::optional<double> bytes_per_second);

// Time left as a clock: "0:42", "59:59", "1:02:03" (rounded up: "0:00" only
// when nothing is left); "--:--" when unknown; ">99h" past 99 hours.
std::string format_eta(std::optional<double> seconds);

// How long something took: "0.4 s", "12 s", then as format_eta ("1:02").
std::string format_elapsed(double seconds);

// Whole percent of `size` done, 0..100, exact for any int64 sizes. A size of
// 0 (an empty file) is 0% until `complete`, then 100%.
int percent_done(std::int64_t bytes, std::int64_t size, bool complete);

// The transfer rate over the last few seconds, from (time, bytes) samples.
// Unknown until two samples at least kMinSpanSeconds apart; bytes going down
// (msgd restarted the transfer) starts afresh.
class RateMeter {
 public:
  static constexpr double kWindowSeconds = 5.0;   // long enough to smooth ~10 events a second
  static constexpr double kMinSpanSeconds = 0.5;  // shorter spans swing too much to show

  void add(double seconds, std::int64_t bytes);
  void reset() { samples_.clear(); }
  std::optional<double> bytes_per_second() const;

 private:
  struct Sample {
    double seconds;
    std::int64_t bytes;
  };
  std::deque<Sample> samples_;
};

// What one redraw of the bar shows.
// Owns its text: a view of a temporary would dangle (ASan caught a test
// doing exactly that).
struct ProgressView {
  std::string name;  // untrusted: from the other person for an incoming file
  std::string state;
  std::int64_t bytes = 0;
  std::int64_t size = 0;
  std::optional<double> bytes_per_second;
};

// "report.pdf  [=======>        ]  42%  1.0 MB / 2.1 MB  1.2 MB/s  ETA 0:02"
// in at most columns - 1 terminal columns (the last column stays empty, so no
// terminal wraps the line and "\r" always returns to its start). The name is
// made printable (ctl/text_checks.h) and cut with "…" first; when the window
// is narrow the bar goes, then rate and ETA, then the sizes. While the state
// is not "uploading" or "downloading" the state is shown instead of rate and
// ETA ("preparing").
std::string render_progress_line(const ProgressView& view, std::size_t columns);

// Redraws one line in place with "\r", wiping what a longer previous line left.
class ProgressLine {
 public:
  // The text to write for showing `line` over what is there.
  std::string redraw(const std::string& line);
  // The text that blanks the line and returns to its start ("" if nothing is drawn).
  std::string clear();
  bool drawn() const { return drawn_columns_ > 0; }

 private:
  std::size_t drawn_columns_ = 0;
};

}  // namespace sotto::ctl
