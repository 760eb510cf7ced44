#include "ctl/progress_bar.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ctl/text_checks.h"

namespace sotto::ctl {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

bool fits(const std::string& line, std::size_t columns) {
  return columns < 2 ? line.empty() : terminal_columns(line) <= columns - 1;
}

TEST(ProgressFormat, SizesInPowersOfAThousand) {
  EXPECT_EQ(format_size(0), "0 B");
  EXPECT_EQ(format_size(1), "1 B");
  EXPECT_EQ(format_size(999), "999 B");
  EXPECT_EQ(format_size(1000), "1.0 kB");
  EXPECT_EQ(format_size(1500), "1.5 kB");
  EXPECT_EQ(format_size(2'100'000), "2.1 MB");
  EXPECT_EQ(format_size(99'940), "99.9 kB");
  EXPECT_EQ(format_size(99'950), "100 kB");
  EXPECT_EQ(format_size(215'000'000), "215 MB");
  EXPECT_EQ(format_size(999'499), "999 kB");
  EXPECT_EQ(format_size(999'500), "1.0 MB") << "never 1000 kB";
  EXPECT_EQ(format_size(999'999'999), "1.0 GB");
  EXPECT_EQ(format_size(4'700'000'000), "4.7 GB");
  EXPECT_EQ(format_size(kMax), "9.2 EB");
  EXPECT_EQ(format_size(-1), "?");
}

TEST(ProgressFormat, RateIsASizePerSecondOrUnknown) {
  EXPECT_EQ(format_rate(std::nullopt), "--/s");
  EXPECT_EQ(format_rate(0.0), "0 B/s");
  EXPECT_EQ(format_rate(1.5e6), "1.5 MB/s");
  EXPECT_EQ(format_rate(-5.0), "--/s");
  EXPECT_EQ(format_rate(std::numeric_limits<double>::infinity()), "--/s");
  EXPECT_EQ(format_rate(std::nan("")), "--/s");
  EXPECT_EQ(format_rate(1e30), "9.2 EB/s");
}

TEST(ProgressFormat, TimeLeftIsAClockRoundedUp) {
  EXPECT_EQ(format_eta(std::nullopt), "--:--");
  EXPECT_EQ(format_eta(0.0), "0:00");
  EXPECT_EQ(format_eta(0.2), "0:01");
  EXPECT_EQ(format_eta(42.0), "0:42");
  EXPECT_EQ(format_eta(3599.0), "59:59");
  EXPECT_EQ(format_eta(3599.5), "1:00:00");
  EXPECT_EQ(format_eta(3723.0), "1:02:03");
  EXPECT_EQ(format_eta(1e12), ">99h");
  EXPECT_EQ(format_eta(-1.0), "--:--");
  EXPECT_EQ(format_eta(std::nan("")), "--:--");
  EXPECT_EQ(format_elapsed(0.42), "0.4 s");
  EXPECT_EQ(format_elapsed(12.3), "12 s");
  EXPECT_EQ(format_elapsed(62.0), "1:02");
  EXPECT_EQ(format_elapsed(-1.0), "?");
}

TEST(ProgressFormat, PercentIsExactForHugeSizes) {
  EXPECT_EQ(percent_done(0, 0, false), 0) << "an empty file, not done yet";
  EXPECT_EQ(percent_done(0, 0, true), 100);
  EXPECT_EQ(percent_done(0, 100, false), 0);
  EXPECT_EQ(percent_done(50, 100, false), 50);
  EXPECT_EQ(percent_done(999, 1000, false), 99) << "100% only when all is there";
  EXPECT_EQ(percent_done(200, 100, false), 100);
  EXPECT_EQ(percent_done(-5, 100, false), 0);
  EXPECT_EQ(percent_done(kMax - 1, kMax, false), 99);
  EXPECT_EQ(percent_done(std::int64_t{1} << 62, kMax, false), 50);
  EXPECT_EQ(percent_done(kMax, kMax, false), 100);
}

TEST(RateMeter, UnknownUntilHalfASecondHasPassed) {
  RateMeter meter;
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(0.0, 0);
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(0.1, 100'000);
  EXPECT_FALSE(meter.bytes_per_second()) << "0.1 s says too little";
  meter.add(1.0, 1'000'000);
  ASSERT_TRUE(meter.bytes_per_second());
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 1e6);
}

TEST(RateMeter, FollowsTheLastFewSeconds) {
  RateMeter meter;
  for (int s = 0; s <= 10; ++s) meter.add(s, s * std::int64_t{1'000'000});
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 1e6);
  for (int s = 11; s <= 15; ++s) meter.add(s, 10'000'000 + (s - 10) * std::int64_t{2'000'000});
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 2e6) << "the first ten seconds are forgotten";
}

TEST(RateMeter, StartsAfreshWhenTheTransferRestarts) {
  RateMeter meter;
  meter.add(0.0, 0);
  meter.add(2.0, 2'000'000);
  meter.add(3.0, 0);  // msgd started the upload again
  EXPECT_FALSE(meter.bytes_per_second());
  meter.add(4.0, 500'000);
  EXPECT_DOUBLE_EQ(*meter.bytes_per_second(), 500'000);
  meter.reset();
  EXPECT_FALSE(meter.bytes_per_second());
}

TEST(ProgressBar, AFullLine) {
  const ProgressView view{"report.pdf", "uploading", 1'000'000, 2'100'000, 1e6};
  const std::string line = render_progress_line(view, 80);
  EXPECT_EQ(line, "report.pdf  [========>          ]   47%   1.0 MB / 2.1 MB   1.0 MB/s  ETA  0:02");
  EXPECT_EQ(terminal_columns(line), 79u) << "the last column stays empty";
}

TEST(ProgressBar, AtTheStartRateAndTimeLeftAreUnknown) {
  const std::string line = render_progress_line({"report.pdf", "uploading", 0, 2'100'000, std::nullopt}, 80);
  EXPECT_NE(line.find("[>"), std::string::npos) << line;
  EXPECT_NE(line.find("  0%      0 B / 2.1 MB       --/s  ETA --:--"), std::string::npos) << line;
}

TEST(ProgressBar, AnEmptyFile) {
  EXPECT_NE(render_progress_line({"empty", "uploading", 0, 0, std::nullopt}, 80).find("  0%      0 B / 0 B"),
            std::string::npos);
  const std::string done = render_progress_line({"empty", "uploaded", 0, 0, std::nullopt}, 80);
  EXPECT_NE(done.find("100%      0 B / 0 B  uploaded"), std::string::npos) << done;
  EXPECT_NE(done.find("[" + std::string(30, '=') + "]"), std::string::npos) << done;
}

TEST(ProgressBar, HugeSizes) {
  const std::string line = render_progress_line({"disk.img", "downloading", kMax / 2, kMax, 1e18}, 100);
  EXPECT_NE(line.find(" 49%   4.6 EB / 9.2 EB   1.0 EB/s  ETA  0:05"), std::string::npos) << line;
  EXPECT_TRUE(fits(line, 100));
}

TEST(ProgressBar, OtherStatesShowInsteadOfRateAndTime) {
  const std::string line = render_progress_line({"report.pdf", "preparing", 0, 2'100'000, std::nullopt}, 80);
  EXPECT_NE(line.find("    0 B / 2.1 MB  preparing"), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos);
}

TEST(ProgressBar, NarrowWindowsDropTheBarThenTheRateThenTheSizes) {
  const ProgressView view{"report.pdf", "uploading", 1'000'000, 2'100'000, 1e6};
  EXPECT_EQ(render_progress_line(view, 59), "report.pdf   47%   1.0 MB / 2.1 MB   1.0 MB/s  ETA  0:02");
  EXPECT_EQ(render_progress_line(view, 40), "report.pdf   47%   1.0 MB / 2.1 MB");
  EXPECT_EQ(render_progress_line(view, 20), "report.pdf   47%");
  EXPECT_EQ(render_progress_line(view, 12), "repo\xE2\x80\xA6   47%");
  EXPECT_EQ(render_progress_line(view, 1), "");
  EXPECT_EQ(render_progress_line(view, 0), "");
}

TEST(ProgressBar, LongNamesAreCutAndLeaveTheBarRoom) {
  const std::string line =
      render_progress_line({std::string(5000, 'a') + ".pdf", "uploading", 10, 100, std::nullopt}, 80);
  EXPECT_TRUE(fits(line, 80));
  EXPECT_NE(line.find("a\xE2\x80\xA6  ["), std::string::npos) << line;
  EXPECT_LE(line.find("\xE2\x80\xA6"), 31u) << "two fifths of 79 columns";
}

TEST(ProgressBar, WideAndMultibyteNamesAreCutOnCharacterBoundaries) {
  std::string name;
  for (int i = 0; i < 40; ++i) name += "\xE6\x97\xA5\xC3\xA9";  // 日é: 3 columns
  for (std::size_t columns : {10u, 25u, 40u, 60u, 80u, 120u}) {
    const std::string line = render_progress_line({name, "downloading", 5, 10, 1.0}, columns);
    SCOPED_TRACE(columns);
    EXPECT_TRUE(fits(line, columns)) << line;
    EXPECT_TRUE(is_valid_utf8(line)) << line;
  }
}

TEST(ProgressBar, HostileNamesCannotDriveTheTerminal) {
  const std::string name =
      "\x1b[2J\x1b]0;owned\x07"
      "evil\n\r.pdf\xE2\x80\xAE"
      "fdp.exe\xc2\x9b"
      "31m\xff";
  const std::string line = render_progress_line({name, "downloading", 1, 2, std::nullopt}, 200);
  for (const std::string bad : {"\x1b", "\x07", "\n", "\r", "\xE2\x80\xAE", "\xc2\x9b"}) {
    EXPECT_EQ(line.find(bad), std::string::npos) << line;
  }
  EXPECT_NE(line.find("\\x1b[2J"), std::string::npos) << line;
  EXPECT_NE(line.find("\\u202e"), std::string::npos) << line;
  EXPECT_TRUE(is_valid_utf8(line));
}

TEST(ProgressBar, EveryWidthFits) {
  const ProgressView views[] = {
      {"report.pdf", "uploading", 1'000'000, 2'100'000, 1e6},
      {"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E.txt", "downloading", 0, kMax, std::nullopt},
      {"", "preparing", 0, 0, std::nullopt},
      {std::string(300, 'x'), "saved", 7, 7, std::nullopt},
  };
  for (const ProgressView& view : views) {
    for (std::size_t columns = 0; columns <= 200; ++columns) {
      const std::string line = render_progress_line(view, columns);
      ASSERT_TRUE(fits(line, columns)) << columns << ": " << line;
      ASSERT_TRUE(is_valid_utf8(line));
    }
  }
}

TEST(ProgressBar, RedrawsInPlace) {
  ProgressLine line;
  EXPECT_FALSE(line.drawn());
  EXPECT_EQ(line.clear(), "");
  EXPECT_EQ(line.redraw("abc"), "\rabc");
  EXPECT_TRUE(line.drawn());
  EXPECT_EQ(line.redraw("a"), "\ra  ") << "what the longer line left is wiped";
  EXPECT_EQ(line.redraw("abcd"), "\rabcd");
  EXPECT_EQ(line.clear(), "\r    \r");
  EXPECT_FALSE(line.drawn());
}

TEST(TerminalColumns, WideCharactersTakeTwoAndMarksNone) {
  EXPECT_EQ(terminal_columns("abc"), 3u);
  EXPECT_EQ(terminal_columns("\xE6\x97\xA5\xE6\x9C\xAC"), 4u);  // 日本
  EXPECT_EQ(terminal_columns("e\xCC\x81"), 1u);                 // e + combining acute
  EXPECT_EQ(terminal_columns("\xF0\x9F\x98\x80"), 2u);          // 😀
  EXPECT_EQ(fit_columns("abcdef", 6), "abcdef");
  EXPECT_EQ(fit_columns("abcdef", 5), "abcd\xE2\x80\xA6");
  EXPECT_EQ(fit_columns("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 4), "\xE6\x97\xA5\xE2\x80\xA6")
      << "日… : a wide character that does not fit is left out whole";
  EXPECT_EQ(fit_columns("abc", 0), "");
}

}  // namespace
}  // namespace sotto::ctl
