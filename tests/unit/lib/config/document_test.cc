#include "lib/config/document.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <random>
#include <string>

#include "tests/unit/lib/config/config_error_capture.h"

namespace sotto::config {
namespace {

using testing::capture_config_error;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ConfigError parse_error(std::string_view text, const DocumentLimits& limits = {}) {
  return capture_config_error([&] { parse_document(text, "t.yaml", limits); });
}

// A fresh directory under $TMPDIR, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sotto-config-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::filesystem::path write(const std::string& name, std::string_view content) const {
    const std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    return p;
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(Document, EmptyTextGivesAnEmptyRoot) {
  EXPECT_EQ(parse_document("", "t.yaml").root().kind, ConfigNode::Kind::null);
  EXPECT_EQ(parse_document("# only a comment\n\n", "t.yaml").root().kind, ConfigNode::Kind::null);
  EXPECT_EQ(parse_document("---\n", "t.yaml").root().kind, ConfigNode::Kind::null);
}

TEST(Document, KeepsKeysValuesAndTheirPositions) {
  const Document d = parse_document("a: 1\nb:\n  c: \"x y\"\n  d: [p, q]\n", "t.yaml");
  EXPECT_EQ(d.name(), "t.yaml");
  const ConfigNode& root = d.root();
  ASSERT_EQ(root.kind, ConfigNode::Kind::mapping);
  ASSERT_EQ(root.entries.size(), 2u);
  EXPECT_EQ(root.entries[0].key, "a");
  EXPECT_EQ(root.entries[0].key_position, (Position{1, 1}));
  EXPECT_EQ(root.entries[0].value.text, "1");
  EXPECT_FALSE(root.entries[0].value.quoted);
  EXPECT_EQ(root.entries[0].value.position, (Position{1, 4}));
  const ConfigNode& b = root.entries[1].value;
  ASSERT_EQ(b.kind, ConfigNode::Kind::mapping);
  EXPECT_EQ(b.entries[0].value.text, "x y");
  EXPECT_TRUE(b.entries[0].value.quoted);
  EXPECT_EQ(b.entries[0].value.position, (Position{3, 6}));
  ASSERT_EQ(b.entries[1].value.kind, ConfigNode::Kind::sequence);
  EXPECT_EQ(b.entries[1].value.items[1].text, "q");
  EXPECT_EQ(b.entries[1].value.items[1].position, (Position{4, 10}));
}

TEST(Document, GivesAnEmptyValueItsKeysPosition) {
  const Document d = parse_document("a:\nb: 1\n", "t.yaml");
  EXPECT_EQ(d.root().entries[0].value.kind, ConfigNode::Kind::null);
  EXPECT_EQ(d.root().entries[0].value.position, (Position{1, 1}));
}

TEST(Document, FindsTheEndOfQuotedStringsAcrossCrLfAndMultiByteCharacters) {
  const Document d =
      parse_document("a: 1\r\nb: \"x\"\r\nc: 'y'\r\nd: \"\xc3\xa9\xc3\xa9\"\r\ne: \"q\r\n  r\"\r\n", "t.yaml");
  ASSERT_EQ(d.root().entries.size(), 5u);
  EXPECT_EQ(d.root().entries[3].value.text, "\xc3\xa9\xc3\xa9");
  EXPECT_EQ(d.root().entries[4].value.text, "q r");
}

TEST(Document, CountsColumnsInBytesAndLinesAcrossCrLf) {
  const Document d = parse_document("a: 1\r\n\xc3\xa9\xc3\xa9: [x,\r\n y]\r\n", "t.yaml");
  const ConfigEntry& e = d.root().entries[1];
  EXPECT_EQ(e.key, "\xc3\xa9\xc3\xa9");
  EXPECT_EQ(e.value.position, (Position{2, 7}));
  EXPECT_EQ(e.value.items[1].position, (Position{3, 2}));
}

TEST(Document, SkipsAUtf8ByteOrderMarkWhenCountingColumns) {
  const Document d = parse_document(
      "\xef\xbb\xbf"
      "a: 1\n",
      "t.yaml");
  EXPECT_EQ(d.root().entries[0].value.position, (Position{1, 4}));
}

TEST(Document, ReportsYamlSyntaxErrorsAtTheirPosition) {
  const ConfigError e = parse_error("a: [1, 2\nb: 3\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 2}));
  EXPECT_EQ(e.problem(), "YAML syntax error: end of sequence flow not found");
  EXPECT_THAT(e.what(), StartsWith("t.yaml:2:2: YAML syntax error"));
}

TEST(Document, ReportsBadIndentationAtTheOffendingLine) {
  const ConfigError e = parse_error("a: 1\n b: 2\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 3}));
  EXPECT_THAT(e.problem(), HasSubstr("YAML syntax error"));
}

TEST(Document, HintsThatTabsCannotIndent) {
  const ConfigError e = parse_error("a:\n\tb: 1\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 3}));
  EXPECT_THAT(e.problem(), HasSubstr("indentation must use spaces, not tabs"));
}

TEST(Document, RejectsADuplicateKeyAtItsSecondOccurrence) {
  const ConfigError e = parse_error("a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 5, 3}));
  EXPECT_EQ(e.key_path(), "b.c");
  EXPECT_EQ(e.problem(), "duplicate key; it was first written at line 3, column 3");
}

TEST(Document, RejectsDuplicateKeysWhateverTheirQuotingOrStyle) {
  EXPECT_EQ(parse_error("a: 1\n\"a\": 2\n").where(), (Location{"t.yaml", 2, 1}));
  EXPECT_EQ(parse_error("{x: 1, 'x': 2}").where(), (Location{"t.yaml", 1, 8}));
  EXPECT_EQ(parse_error("l:\n  - {k: 1, k: 2}\n").key_path(), "l[0].k");
}

TEST(Document, AllowsTheSameKeyInDifferentMappings) {
  const Document d = parse_document("a: {x: 1}\nb: {x: 2}\nl: [{x: 1}, {x: 2}]\n", "t.yaml");
  EXPECT_EQ(d.root().entries.size(), 3u);
}

TEST(Document, RejectsASecondDocument) {
  const ConfigError e = parse_error("a: 1\n---\nb: 2\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 1}));
  EXPECT_THAT(e.problem(), HasSubstr("a second YAML document starts here"));
}

TEST(Document, RejectsTextThatYamlCppWouldSplitIntoTwoDocuments) {
  // yaml-cpp 0.7 reads an unindented key after a top-level list as a new
  // document rather than as an error.
  EXPECT_EQ(parse_error("- a\nb: 1\n").where(), (Location{"t.yaml", 2, 1}));
}

TEST(Document, RejectsAnchorsAndAliases) {
  const ConfigError e = parse_error("a: &x 1\nb: *x\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_EQ(e.key_path(), "a");
  EXPECT_THAT(e.problem(), HasSubstr("anchors (&name) and aliases (*name) are not supported"));
  EXPECT_EQ(parse_error("a: *nowhere\n").where(), (Location{"t.yaml", 1, 4}));
}

TEST(Document, RefusesBillionLaughsAtTheFirstAnchor) {
  // Nine levels of ten aliases each would expand to 10^9 strings.
  std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    // Appended piece by piece: g++ 12 -O3 warns falsely (-Wrestrict, GCC bug
    // 105329) on "literal" + std::string temporaries.
    const std::string n = std::to_string(i);
    const std::string prev = std::to_string(i - 1);
    text.append("a").append(n).append(": &a").append(n).append(" [");
    for (int k = 0; k < 10; ++k) text.append(k ? ", *a" : "*a").append(prev);
    text += "]\n";
  }
  const ConfigError e = parse_error(text);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 5}));
  EXPECT_THAT(e.problem(), HasSubstr("anchors"));
}

TEST(Document, RejectsExplicitTags) {
  const ConfigError e = parse_error("a: !!str 5\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_THAT(e.problem(), HasSubstr("tags such as 'tag:yaml.org,2002:str' are not supported"));
  EXPECT_THAT(parse_error("a: !local {}\n").problem(), HasSubstr("tags such as '!local'"));
}

TEST(Document, RejectsKeysThatAreNotPlainText) {
  const ConfigError e = parse_error("? [a, b]\n: 1\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 3}));
  EXPECT_EQ(e.problem(), "a key must be plain text, not a list");
  EXPECT_EQ(parse_error("{? {k: v} : 1}").problem(), "a key must be plain text, not a mapping");
  EXPECT_EQ(parse_error(": 1\n").problem(), "a key is missing before ':'");
}

TEST(Document, RejectsAQuotedStringThatIsNeverClosed) {
  const ConfigError e = parse_error("a: \"x\nb: 1\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 4}));
  EXPECT_EQ(e.key_path(), "a");
  EXPECT_EQ(e.problem(), "this quoted string is never closed (missing \")");
  EXPECT_EQ(parse_error("a: 1\nb: 'it''s\n").where(), (Location{"t.yaml", 2, 4}));
}

TEST(Document, AcceptsClosedQuotedStringsWithEscapesAndLineBreaks) {
  const Document d = parse_document("a: \"x \\\" y\"\nb: 'it''s'\nc: \"one\n  two\"\n", "t.yaml");
  EXPECT_EQ(d.root().entries[0].value.text, "x \" y");
  EXPECT_EQ(d.root().entries[1].value.text, "it's");
  EXPECT_EQ(d.root().entries[2].value.text, "one two");
}

TEST(Document, RejectsInvalidUtf8AtItsPosition) {
  const ConfigError e = parse_error("a: 1\nb: caf\xc3\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 7}));
  EXPECT_THAT(e.problem(), HasSubstr("not valid UTF-8"));
  EXPECT_EQ(parse_error("a: \xc0\xaf\n").where(), (Location{"t.yaml", 1, 4}));  // overlong
}

TEST(Document, RejectsUtf16) {
  const std::string utf16(
      "\xff\xfe"
      "a\0:\0 \0"
      "1\0",
      10);
  EXPECT_EQ(parse_error(utf16).where(), (Location{"t.yaml", 1, 1}));
  const std::string utf16_without_bom(
      "a\0:\0 \0"
      "1\0",
      8);
  const ConfigError e = parse_error(utf16_without_bom);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 2}));
  EXPECT_THAT(e.problem(), HasSubstr("NUL byte"));
}

TEST(Document, RejectsControlCharacters) {
  const ConfigError e = parse_error("a: 1\nb: x\x1b[2Jy\n");
  EXPECT_EQ(e.where(), (Location{"t.yaml", 2, 5}));
  EXPECT_THAT(e.problem(), HasSubstr("control character '\\x1b' is not allowed"));
}

TEST(Document, RefusesTextAboveTheSizeLimitBeforeParsing) {
  const std::string two_mib(2u << 20, 'a');
  const ConfigError e = parse_error(two_mib);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 1}));
  EXPECT_EQ(e.problem(), "the file is 2097152 bytes, more than the limit of 1048576 bytes for a configuration file");
}

TEST(Document, AcceptsTextExactlyAtTheSizeLimit) {
  DocumentLimits limits;
  limits.max_bytes = 8;
  EXPECT_EQ(parse_document("a: 12345", "t.yaml", limits).root().entries[0].value.text, "12345");
  EXPECT_EQ(parse_error("a: 123456", limits).where(), (Location{"t.yaml", 1, 1}));
}

TEST(Document, RefusesDeepFlowNestingWithoutCrashing) {
  const std::string lists = std::string(10'000, '[') + std::string(10'000, ']');
  const ConfigError e = parse_error(lists);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 65}));
  EXPECT_EQ(e.problem(), "lists and mappings are nested more than 64 levels deep");
  std::string mappings;
  for (int i = 0; i < 10'000; ++i) mappings += "{a: ";
  EXPECT_EQ(parse_error(mappings + std::string(10'000, '}')).where(), (Location{"t.yaml", 1, 257}));
}

TEST(Document, RefusesUnclosedDeepNestingWithoutCrashing) {
  // yaml-cpp 0.7 reads an unclosed '[' at the end of the input as the start of
  // a mapping whose key is the list that follows; either way it is refused
  // before any deep recursion.
  for (const char open : {'[', '{'}) {
    const ConfigError e = parse_error(std::string(10'000, open));
    EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 1})) << open;
  }
  std::string mixed;
  for (int i = 0; i < 5'000; ++i) mixed += "[{a: ";
  EXPECT_EQ(parse_error(mixed).where().line, 1);
}

TEST(Document, RefusesDeepBlockNestingWithoutCrashing) {
  std::string mappings;
  for (int i = 0; i < 1'000; ++i) mappings += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(parse_error(mappings).where(), (Location{"t.yaml", 65, 65}));
  std::string lists;
  for (int i = 0; i < 3'000; ++i) lists += "- ";
  EXPECT_THAT(parse_error(lists).problem(), HasSubstr("nested more than 64 levels"));
}

TEST(Document, AcceptsNestingUpToTheLimit) {
  const std::string at_limit = std::string(64, '[') + std::string(64, ']');
  const Document d = parse_document(at_limit, "t.yaml");
  // Walk down to count: the document holds 64 lists, one inside the other.
  const ConfigNode* node = &d.root();
  int depth = 0;
  while (node->kind == ConfigNode::Kind::sequence) {
    ++depth;
    if (node->items.empty()) break;
    node = &node->items[0];
  }
  EXPECT_EQ(depth, 64);
  EXPECT_EQ(parse_error(std::string(65, '[') + std::string(65, ']')).where(), (Location{"t.yaml", 1, 65}));
}

TEST(Document, RefusesMoreValuesThanTheLimit) {
  DocumentLimits limits;
  limits.max_values = 10;
  // A mapping with 4 entries is 9 values (mapping, 4 keys, 4 values).
  EXPECT_EQ(parse_document("{a: 1, b: 2, c: 3, d: 4}", "t.yaml", limits).root().entries.size(), 4u);
  const ConfigError e = parse_error("{a: 1, b: 2, c: 3, d: 4, e: 5}", limits);
  EXPECT_EQ(e.where(), (Location{"t.yaml", 1, 29}));  // the 11th value, '5'
  EXPECT_THAT(e.problem(), HasSubstr("more than 10 values"));
}

TEST(Document, ParsesALargeFlatListUnderTheDefaultLimits) {
  std::string text = "l: [";
  for (int i = 0; i < 20'000; ++i) text += "1,";
  text += "1]\n";
  EXPECT_EQ(parse_document(text, "t.yaml").root().entries[0].value.items.size(), 20'001u);
}

TEST(Document, SurvivesRandomBinaryGarbage) {
  std::mt19937_64 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    std::string garbage(1 + rng() % 512, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    try {
      parse_document(garbage, "t.yaml");
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), StartsWith("t.yaml:"));
    }
  }
}

TEST(Document, SurvivesRandomYamlPunctuation) {
  // Printable text (so it passes the UTF-8 check) dense in YAML's special
  // characters, to reach deep into yaml-cpp. Only ConfigError may come out.
  static constexpr std::string_view kAlphabet = " \n-:[]{},'\"#&*!|>?%@`a1.\\\t~";
  std::mt19937_64 rng(7);
  int parsed = 0;
  for (int round = 0; round < 3'000; ++round) {
    std::string text(rng() % 64, ' ');
    for (char& c : text) c = kAlphabet[rng() % kAlphabet.size()];
    try {
      parse_document(text, "t.yaml");
      ++parsed;
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), StartsWith("t.yaml:"));
      EXPECT_GE(e.where().line, 1);
      EXPECT_GE(e.where().column, 1);
    }
  }
  EXPECT_GT(parsed, 0);  // some random text is valid YAML; the test reached the parser
}

TEST(Document, LoadsAFileUsingItsPathAsTheName) {
  const TempDir dir;
  const std::filesystem::path file = dir.write("relayd.yaml", "a: 1\nb: [\n");
  const ConfigError e = capture_config_error([&] { load_document(file); });
  EXPECT_EQ(e.where().file, file.string());
  EXPECT_EQ(e.where().line, 3);
  const std::filesystem::path good = dir.write("good.yaml", "a: 1\n");
  EXPECT_EQ(load_document(good).root().entries[0].value.text, "1");
  EXPECT_EQ(load_document(good).name(), good.string());
}

TEST(Document, ReportsAMissingFileAtLineOne) {
  const TempDir dir;
  const std::filesystem::path missing = dir.path() / "missing.yaml";
  const ConfigError e = capture_config_error([&] { load_document(missing); });
  EXPECT_EQ(e.where(), (Location{missing.string(), 1, 1}));
  EXPECT_EQ(e.problem(), "cannot open: No such file or directory");
}

TEST(Document, ReportsADirectory) {
  const TempDir dir;
  EXPECT_EQ(capture_config_error([&] { load_document(dir.path()); }).problem(),
            "is a directory, not a configuration file");
}

TEST(Document, RefusesAFileAboveTheSizeLimitWithoutReadingItAll) {
  const TempDir dir;
  const std::filesystem::path big = dir.write("big.yaml", std::string(2u << 20, '#'));
  const ConfigError e = capture_config_error([&] { load_document(big); });
  EXPECT_EQ(e.where(), (Location{big.string(), 1, 1}));
  EXPECT_THAT(e.problem(), HasSubstr("more than the limit of 1048576 bytes"));
}

TEST(Document, ReadsAnEmptyFileAsAnEmptyDocument) {
  const TempDir dir;
  EXPECT_EQ(load_document(dir.write("empty.yaml", "")).root().kind, ConfigNode::Kind::null);
}

}  // namespace
}  // namespace sotto::config
