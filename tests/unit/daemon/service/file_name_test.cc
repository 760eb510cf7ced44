#include "daemon/service/file_name.h"

#include <gtest/gtest.h>

#include <fstream>

#include "lib/config/utf8.h"

namespace sotto::msgd {
namespace {

// What every result must be, whatever came in.
void expect_safe(const std::string& name) {
  EXPECT_FALSE(name.empty());
  EXPECT_NE(name, ".");
  EXPECT_NE(name, "..");
  EXPECT_EQ(name.find('/'), std::string::npos);
  EXPECT_EQ(name.find('\0'), std::string::npos);
  EXPECT_NE(name.front(), '.');
  EXPECT_NE(name.front(), '-');
  EXPECT_LE(name.size(), kMaxSafeNameBytes);
  EXPECT_FALSE(config::find_unprintable(name).has_value()) << name;
}

TEST(SafeFileName, KeepsAnOrdinaryName) {
  EXPECT_EQ(safe_file_name("report.pdf"), "report.pdf");
  EXPECT_EQ(safe_file_name("Grüße aus Köln.txt"), "Grüße aus Köln.txt");
}

TEST(SafeFileName, NeverLeavesTheFolder) {
  for (const char* hostile : {"../../etc/passwd", "/etc/passwd", "..", ".", "a/../../b", "..\\..\\x", "////"}) {
    const std::string safe = safe_file_name(hostile);
    expect_safe(safe);
  }
  EXPECT_EQ(safe_file_name("../../etc/passwd"), "etc_passwd");
  EXPECT_EQ(safe_file_name(".."), "file");
  EXPECT_EQ(safe_file_name("////"), "file");
}

TEST(SafeFileName, RemovesControlsNulAndBidiOverrides) {
  EXPECT_EQ(safe_file_name(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(safe_file_name("bell\a\x1b[2Jname"), "bell__[2Jname");
  EXPECT_EQ(safe_file_name("tab\tnew\nline"), "tab_new_line");
  EXPECT_EQ(safe_file_name("invoice\xe2\x80\xae"
                           "fdp.exe"),
            "invoice_fdp.exe");  // U+202E
  EXPECT_EQ(safe_file_name("c1\xc2\x9b"
                           "31m"),
            "c1_31m");  // U+009B CSI
  expect_safe(safe_file_name("\x7f\x7f"));
}

TEST(SafeFileName, NoHiddenFilesAndNoOptionLookAlikes) {
  EXPECT_EQ(safe_file_name(".bashrc"), "bashrc");
  EXPECT_EQ(safe_file_name("-rf"), "rf");
  EXPECT_EQ(safe_file_name("--help"), "help");
  EXPECT_EQ(safe_file_name("name. . "), "name");
}

TEST(SafeFileName, ReplacesInvalidUtf8) {
  EXPECT_EQ(safe_file_name("caf\xe9.txt"), "caf\xef\xbf\xbd.txt");
  EXPECT_EQ(safe_file_name("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");  // overlong '/'
  expect_safe(safe_file_name("\xed\xa0\x80"));                        // a surrogate
}

// Found by file_name_fuzz (2026-12-07; the input is its corpus file
// noncharacter_ffff): U+FFFF went through unchanged, yet it is not printable.
TEST(SafeFileName, ReplacesNoncharacters) {
  EXPECT_EQ(safe_file_name("\xef\xbf\xbf"), "\xef\xbf\xbd");            // U+FFFF
  EXPECT_EQ(safe_file_name("a\xef\xbf\xbe.txt"), "a\xef\xbf\xbd.txt");  // U+FFFE
  EXPECT_EQ(safe_file_name("b\xef\xb7\x90"), "b\xef\xbf\xbd");          // U+FDD0
  EXPECT_EQ(safe_file_name("c\xf4\x8f\xbf\xbf"), "c\xef\xbf\xbd");      // U+10FFFF
  EXPECT_EQ(safe_file_name("d\xef\xbf\xbd"), "d\xef\xbf\xbd");          // U+FFFD itself stays
  for (const char* hostile : {"\xef\xbf\xbf", "\xef\xbf\xbe\xef\xbf\xbf", "x\xf0\x9f\xbf\xbe.pdf"}) {
    expect_safe(safe_file_name(hostile));
  }
}

TEST(SafeFileName, CutsOverLongNamesAtACharacterKeepingTheExtension) {
  const std::string safe = safe_file_name(std::string(5000, 'x') + ".tar.gz");
  EXPECT_EQ(safe.size(), kMaxSafeNameBytes);
  EXPECT_TRUE(safe.ends_with(".gz"));
  // Multi-byte characters are never split.
  std::string umlauts;
  for (int i = 0; i < 300; ++i) umlauts += "ü";
  const std::string cut = safe_file_name(umlauts);
  EXPECT_LE(cut.size(), kMaxSafeNameBytes);
  EXPECT_FALSE(config::find_unprintable(cut).has_value());
  EXPECT_EQ(cut.size() % 2, 0u);
}

TEST(NumberedName, PutsTheNumberBeforeTheExtension) {
  EXPECT_EQ(numbered_name("report.pdf", 0), "report.pdf");
  EXPECT_EQ(numbered_name("report.pdf", 1), "report (1).pdf");
  EXPECT_EQ(numbered_name("archive", 2), "archive (2)");
  EXPECT_EQ(numbered_name("x.tar.gz", 3), "x.tar (3).gz");
}

TEST(GuessMimeType, KnowsCommonTypesAndFallsBack) {
  EXPECT_EQ(guess_mime_type("a.PDF"), "application/pdf");
  EXPECT_EQ(guess_mime_type("photo.jpeg"), "image/jpeg");
  EXPECT_EQ(guess_mime_type("noext"), "application/octet-stream");
  EXPECT_EQ(guess_mime_type("weird.zzz"), "application/octet-stream");
}

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("publish-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path temp(const std::string& text) {
    const auto path = dir_ / ".part";
    std::ofstream(path) << text;
    return path;
  }
  std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::filesystem::path dir_;
};

TEST_F(PublishTest, NeverReplacesAnExistingFile) {
  std::ofstream(dir_ / "a.txt") << "first";
  std::ofstream(dir_ / "a (1).txt") << "second";
  const auto path = publish_without_overwrite(temp("third"), dir_, "a.txt");
  EXPECT_EQ(path, dir_ / "a (2).txt");
  EXPECT_EQ(read(dir_ / "a.txt"), "first");
  EXPECT_EQ(read(dir_ / "a (1).txt"), "second");
  EXPECT_EQ(read(path), "third");
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".part"));
}

TEST_F(PublishTest, AnExistingFolderOrSymlinkOfThatNameIsNotFollowed) {
  std::filesystem::create_directories(dir_ / "b.txt");
  std::filesystem::create_symlink("/etc/passwd", dir_ / "c.txt");
  EXPECT_EQ(publish_without_overwrite(temp("x"), dir_, "b.txt"), dir_ / "b (1).txt");
  EXPECT_EQ(publish_without_overwrite(temp("y"), dir_, "c.txt"), dir_ / "c (1).txt");
  EXPECT_TRUE(std::filesystem::is_symlink(dir_ / "c.txt"));
}

}  // namespace
}  // namespace sotto::msgd
