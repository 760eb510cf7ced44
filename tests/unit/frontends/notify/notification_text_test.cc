#include "frontends/notify/notification_text.h"

#include <gtest/gtest.h>

#include <string>

namespace sotto::notify {
namespace {

TEST(EscapeMarkup, TurnsTheFiveSpecialCharactersIntoEntities) {
  EXPECT_EQ(escape_markup("a & b < c > d ' e \" f"), "a &amp; b &lt; c &gt; d &#39; e &quot; f");
  EXPECT_EQ(escape_markup(""), "");
  EXPECT_EQ(escape_markup("plain text, 100% üñí©ødé"), "plain text, 100% üñí©ødé");
}

TEST(EscapeMarkup, HostileMarkupShowsAsText) {
  EXPECT_EQ(escape_markup("<b>bold</b>"), "&lt;b&gt;bold&lt;/b&gt;");
  EXPECT_EQ(escape_markup("<a href=\"https://evil.example/?a=1&b=2\">bank</a>"),
            "&lt;a href=&quot;https://evil.example/?a=1&amp;b=2&quot;&gt;bank&lt;/a&gt;");
  EXPECT_EQ(escape_markup("<img src='file:///etc/passwd'/>"), "&lt;img src=&#39;file:///etc/passwd&#39;/&gt;");
  // Entities a peer typed stay text too: "&amp;" must not show as "&".
  EXPECT_EQ(escape_markup("&amp; &#60; &lt;"), "&amp;amp; &amp;#60; &amp;lt;");
  EXPECT_EQ(escape_markup("<![CDATA[<b>x</b>]]>"), "&lt;![CDATA[&lt;b&gt;x&lt;/b&gt;]]&gt;");
  EXPECT_EQ(escape_markup("</span></markup><span>"), "&lt;/span&gt;&lt;/markup&gt;&lt;span&gt;");
}

TEST(CleanText, KeepsNewlinesAndTabsButNotOtherControls) {
  EXPECT_EQ(clean_text("line 1\nline\t2", 100), "line 1\nline\t2");
  EXPECT_EQ(clean_text("bell\a esc\x1b[31mred\x7f del\r", 100), "bell  esc [31mred  del ");
  EXPECT_EQ(clean_text(std::string("nul\0byte", 8), 100), "nul byte");
  EXPECT_EQ(clean_text("c1\xc2\x9b"
                       "csi",
                       100),
            "c1 csi")
      << "C1 controls (U+009B CSI) too";
}

TEST(CleanText, DropsBidirectionalOverrides) {
  // "\u202Egnp.exe" would read as "exe.png".
  EXPECT_EQ(clean_text("file\xE2\x80\xAEgnp.exe", 100), "filegnp.exe");
  EXPECT_EQ(clean_text("a\xE2\x81\xA6"
                       "b\xE2\x81\xA9"
                       "c",
                       100),
            "abc");
  EXPECT_EQ(clean_text("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", 100), "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D")
      << "right-to-left text itself stays";
}

TEST(CleanText, ReplacesBytesThatAreNotUtf8) {
  EXPECT_EQ(clean_text("a\xff"
                       "b",
                       100),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(clean_text("\xC0\xAF", 100), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/'";
  EXPECT_EQ(clean_text("\xED\xA0\x80", 100), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "a surrogate";
  EXPECT_EQ(clean_text("\xE2\x82", 100), "\xEF\xBF\xBD\xEF\xBF\xBD") << "cut short";
  EXPECT_EQ(clean_text("\xF0\x9F\x98\x80", 100), "\xF0\x9F\x98\x80") << "an emoji is fine";
}

TEST(CleanText, CutsLongTextAtACharacterBoundary) {
  EXPECT_EQ(clean_text(std::string(10, 'x'), 10), std::string(10, 'x'));
  EXPECT_EQ(clean_text(std::string(11, 'x'), 10), std::string(7, 'x') + "\xE2\x80\xA6");
  // 'é' is 2 bytes: the cut must not split one.
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "\xC3\xA9";
  const std::string cut = clean_text(accents, 10);
  EXPECT_LE(cut.size(), 10u);
  EXPECT_EQ(cut, "\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  EXPECT_EQ(clean_text(std::string(1'000'000, 'y'), kMaxBodyTextBytes).size(), kMaxBodyTextBytes);
  EXPECT_EQ(clean_text("abcdef", 2), "");
}

TEST(ComposeText, SummaryIsTheSenderAndBodyTheEscapedText) {
  const NotificationText t = compose_text("alice", "see <b>this</b> & that", 1, false, true);
  EXPECT_EQ(t.summary, "alice");
  EXPECT_EQ(t.body, "see &lt;b&gt;this&lt;/b&gt; &amp; that");
}

TEST(ComposeText, WithoutBodyMarkupTheTextIsSentAsItIs) {
  // The spec: markup sent to such a server shows through as typed, so
  // escaping would show "&lt;".
  EXPECT_EQ(compose_text("alice", "a <b> & c", 1, false, false).body, "a <b> & c");
}

TEST(ComposeText, SeveralMessagesShowTheLatestAndACount) {
  const NotificationText t = compose_text("alice", "third", 3, false, true);
  EXPECT_EQ(t.summary, "alice");
  EXPECT_EQ(t.body, "third\n(3 new messages)");
}

TEST(ComposeText, PrivacyModeShowsNeitherSenderNorText) {
  const NotificationText t = compose_text("alice", "the secret plan <b>", 4, true, true);
  EXPECT_EQ(t.summary, "New message");
  EXPECT_EQ(t.body, "");
  EXPECT_EQ(compose_text("alice", "x", 1, true, false), (NotificationText{"New message", ""}));
}

TEST(ComposeText, HostileSenderStaysOneShortLine) {
  const NotificationText t = compose_text("evil\nname\t\x1b[2J" + std::string(100, 'z'), "hi", 1, false, true);
  EXPECT_EQ(t.summary.find('\n'), std::string::npos);
  EXPECT_EQ(t.summary.find('\x1b'), std::string::npos);
  EXPECT_LE(t.summary.size(), kMaxSummaryBytes);
}

TEST(ComposeText, LongTextIsCutBeforeEscaping) {
  const NotificationText t = compose_text("alice", std::string(5000, '<'), 1, false, true);
  // 997 '<' kept, each 4 bytes escaped, and the ellipsis.
  EXPECT_EQ(t.body.size(), 997u * 4 + 3);
  EXPECT_EQ(t.body.substr(0, 8), "&lt;&lt;");
}

TEST(ComposeText, AGroupMessageSaysWhoWroteInWhichGroup) {
  const NotificationText t = compose_text("alice", "deploy at 5?", 1, false, true, std::nullopt, "#ops");
  EXPECT_EQ(t, (NotificationText{"alice in #ops", "deploy at 5?"}));
  EXPECT_EQ(compose_text("alice", "", 1, false, false, FileSummary{"plan.pdf", 1000}, "#ops"),
            (NotificationText{"alice in #ops", "alice sent plan.pdf (1.0 kB)"}));
  // Privacy mode names neither the group nor the sender.
  EXPECT_EQ(compose_text("alice", "x", 2, true, true, std::nullopt, "#ops"), (NotificationText{"New message", ""}));
}

TEST(ComposeText, HostileGroupNamesStayOneShortInertLine) {
  const NotificationText t =
      compose_text("alice", "hi", 1, false, true, std::nullopt, "#o\nps\x1b[2J\xe2\x80\xae" + std::string(500, 'g'));
  EXPECT_EQ(t.summary.find('\n'), std::string::npos);
  EXPECT_EQ(t.summary.find('\x1b'), std::string::npos);
  EXPECT_EQ(t.summary.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(t.summary.rfind("alice in #o ps [2J", 0), 0u) << t.summary;
  EXPECT_LE(t.summary.size(), std::string("alice in ").size() + kMaxGroupLabelBytes);
}

TEST(FormatFileSize, PowersOfAThousandLikeMsgctl) {
  EXPECT_EQ(format_file_size(0), "0 B");
  EXPECT_EQ(format_file_size(999), "999 B");
  EXPECT_EQ(format_file_size(1000), "1.0 kB");
  EXPECT_EQ(format_file_size(2'100'000), "2.1 MB");
  EXPECT_EQ(format_file_size(215'000'000), "215 MB");
  EXPECT_EQ(format_file_size(999'500), "1.0 MB");
  EXPECT_EQ(format_file_size(INT64_MAX), "9.2 EB");
  EXPECT_EQ(format_file_size(-1), "");
}

TEST(ComposeText, AFileSaysWhoSentWhatAndHowBig) {
  const NotificationText t = compose_text("alice", "", 1, false, true, FileSummary{"report.pdf", 2'100'000});
  EXPECT_EQ(t.summary, "alice");
  EXPECT_EQ(t.body, "alice sent report.pdf (2.1 MB)");
}

TEST(ComposeText, AFileCaptionFollowsOnItsOwnLine) {
  const NotificationText t =
      compose_text("alice", "the Q3 numbers\nsee p. 4", 2, false, true, FileSummary{"report.pdf", 2'100'000});
  EXPECT_EQ(t.body, "alice sent report.pdf (2.1 MB)\nthe Q3 numbers\nsee p. 4\n(2 new messages)");
}

TEST(ComposeText, AFileWithoutNameOrSize) {
  EXPECT_EQ(compose_text("alice", "", 1, false, true, FileSummary{}).body, "alice sent a file");
  EXPECT_EQ(compose_text("alice", "", 1, false, true, FileSummary{"x", -1}).body, "alice sent x");
}

TEST(ComposeText, HostileFileNamesAreCleanedCutAndEscaped) {
  const std::string name =
      "<b>bank</b>\n&amp;\x1b[2J\xE2\x80\xAE"
      "fdp.exe";
  NotificationText t = compose_text("alice", "", 1, false, true, FileSummary{name, 10});
  EXPECT_EQ(t.body, "alice sent &lt;b&gt;bank&lt;/b&gt; &amp;amp; [2Jfdp.exe (10 B)");
  t = compose_text("alice", "", 1, false, false, FileSummary{name, 10});
  EXPECT_EQ(t.body, "alice sent <b>bank</b> &amp; [2Jfdp.exe (10 B)") << "no markup: shown as typed";
  t = compose_text("alice", "", 1, false, true, FileSummary{std::string(100'000, 'n'), 10});
  EXPECT_EQ(t.body, "alice sent " + std::string(kMaxFileNameBytes - 3, 'n') + "\xE2\x80\xA6 (10 B)");
}

TEST(ComposeText, PrivacyModeHidesFilesToo) {
  EXPECT_EQ(compose_text("alice", "caption", 1, true, true, FileSummary{"secret-plan.pdf", 10}),
            (NotificationText{"New message", ""}));
}

}  // namespace
}  // namespace sotto::notify
