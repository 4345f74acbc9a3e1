#include "governance/decisions/ics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/utf8.h"

namespace ningju::decisions {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "every line ends with CRLF";
    if (end == std::string::npos) break;
    out.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return out;
}

// RFC 5545 §3.1: a CRLF followed by one space is removed.
std::string Unfold(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(NINGJU_MEETINGS_FIXTURES) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(IcsEscape, EscapesBackslashSemicolonCommaAndLineBreaks) {
  EXPECT_EQ(IcsEscapeText("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
  EXPECT_EQ(IcsEscapeText("one\r\ntwo\rthree"), "one\\ntwo\\nthree");
  EXPECT_EQ(IcsEscapeText("议程：一、二；三"), "议程：一、二；三");  // full-width punctuation stays
  EXPECT_EQ(IcsEscapeText(std::string("bell\x07tab\t", 9)), "belltab\t");
  EXPECT_EQ(IcsEscapeText(""), "");
}

TEST(IcsFold, ShortLinesStayWhole) {
  EXPECT_EQ(IcsFoldLine("BEGIN:VEVENT"), "BEGIN:VEVENT\r\n");
  std::string exactly75(75, 'x');
  EXPECT_EQ(IcsFoldLine(exactly75), exactly75 + "\r\n");
}

TEST(IcsFold, AsciiFoldsAt75OctetsWithASpace) {
  std::string line = "DESCRIPTION:" + std::string(200, 'a');
  std::string folded = IcsFoldLine(line);
  auto lines = Lines(folded);
  ASSERT_EQ(lines.size(), 3u);  // 75 + 74 + 63 octets of content
  EXPECT_EQ(lines[0].size(), 75u);
  EXPECT_EQ(lines[1].size(), 75u);
  EXPECT_THAT(lines[1], StartsWith(" "));
  EXPECT_EQ(lines[2].size(), 1u + 212 - 75 - 74);
  EXPECT_EQ(Unfold(folded), line + "\r\n");
}

TEST(IcsFold, NeverSplitsAUtf8Character) {
  // "SUMMARY:" is 8 octets, each 会 3: the first line takes 8 + 22 * 3 = 74 octets, since a 23rd would need 77.
  std::string line = "SUMMARY:";
  for (int i = 0; i < 60; ++i) line += "会";
  std::string folded = IcsFoldLine(line);
  auto lines = Lines(folded);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), 74u);
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), 75u);
    EXPECT_TRUE(utf8::FindInvalid(l) == std::nullopt) << "a line holds a split character";
  }
  EXPECT_EQ(lines[1].size(), 1u + 24 * 3);  // a space and 24 characters: 73 octets
  EXPECT_EQ(Unfold(folded), line + "\r\n");
  // A four-octet character at the boundary.
  std::string emoji = std::string(73, 'x') + "\xF0\x9F\x98\x80" + "y";
  auto emoji_lines = Lines(IcsFoldLine(emoji));
  ASSERT_EQ(emoji_lines.size(), 2u);
  EXPECT_EQ(emoji_lines[0], std::string(73, 'x'));
  EXPECT_EQ(emoji_lines[1], " \xF0\x9F\x98\x80y");
}

TEST(IcsCalendar, MatchesTheFixtureByteForByte) {
  IcsEvent hearing;
  hearing.uid = "meeting-7@ningju.example";
  hearing.dtstamp = FromUnix(1'777'000'000);
  hearing.start = FromUnix(1'777'633'200);  // 2026-05-01 19:00 in Shanghai
  hearing.end = FromUnix(1'777'638'600);
  hearing.summary = "听证会：小区停车收费方案听证会";
  hearing.location = "居委会议事厅，2楼; 东侧";
  hearing.description =
      "听证会\n议程:\n1. 物业公司说明收费方案，含月租、临停两种\n2. 居民代表发言\n3. 形成听证意见\n\n"
      "欢迎居民参加，请提前报名。备注: a\\b";
  hearing.url = "https://ningju.example/meetings/7";
  hearing.sequence = 2;
  IcsEvent cancelled;
  cancelled.uid = "meeting-9@ningju.example";
  cancelled.dtstamp = FromUnix(1'777'000'000);
  cancelled.start = FromUnix(1'777'892'400);
  cancelled.end = FromUnix(1'777'896'000);
  cancelled.summary = "征询会：垃圾箱房改造";
  cancelled.url = "https://ningju.example/meetings/9";
  cancelled.cancelled = true;
  cancelled.sequence = 1;
  std::string ics = WriteCalendar("-//ningju//meetings//ZH", "安化一村居民区 会议", {hearing, cancelled});
  EXPECT_EQ(ics, ReadFixture("calendar.ics"));
  EXPECT_THAT(ics, StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_THAT(ics, EndsWith("END:VCALENDAR\r\n"));
  for (const auto& l : Lines(ics)) EXPECT_LE(l.size(), 75u) << l;
  const std::string unfolded = Unfold(ics);
  EXPECT_NE(unfolded.find("LOCATION:居委会议事厅，2楼\\; 东侧\r\n"), std::string::npos);
  EXPECT_NE(unfolded.find("DTSTART:20260501T110000Z\r\n"), std::string::npos);
  EXPECT_NE(unfolded.find("STATUS:CANCELLED\r\n"), std::string::npos);
  for (size_t i = 0; i < ics.size(); ++i) {
    if (ics[i] == '\n') {
      EXPECT_TRUE(i > 0 && ics[i - 1] == '\r') << "a bare LF at octet " << i;
    }
  }
}

}  // namespace
}  // namespace ningju::decisions
