#include "text/snippet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/status_matchers.h"

namespace ningju::text {
namespace {

class SnippetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = Normalizer::Create();
    ASSERT_OK(n);
    normalizer_ = std::move(n).value().release();
  }
  static void TearDownTestSuite() { delete normalizer_; }
  static std::string Render(std::string_view text, const std::vector<std::string>& tokens, size_t max = 80) {
    return MakeSnippet(*normalizer_, text, tokens, max).Render("[", "]");
  }
  static const Normalizer* normalizer_;
};
const Normalizer* SnippetTest::normalizer_ = nullptr;

TEST_F(SnippetTest, HighlightsMatchesInTheOriginal) {
  EXPECT_EQ(Render("小区的垃圾分类做得不好", {"垃圾", "圾分", "分类"}), "小区的[垃圾分类]做得不好");
}

TEST_F(SnippetTest, HighlightsTraditionalAndFullWidthOriginals) {
  EXPECT_EQ(Render("我們小區的電梯壞了", {"电梯"}), "我們小區的[電梯]壞了");
  EXPECT_EQ(Render("３号楼的ＷｉＦｉ很差", {"wifi"}), "３号楼的[ＷｉＦｉ]很差");
  EXPECT_EQ(Render("垃圾 分类", {"圾分"}), "垃[圾 分]类");
}

TEST_F(SnippetTest, CutsAWindowAroundTheFirstMatch) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += "前面的话";
  text += "电梯坏了";
  for (int i = 0; i < 30; ++i) text += "后面的话";
  const std::string s = Render(text, {"电梯"}, 20);
  EXPECT_THAT(s, ::testing::StartsWith("…"));
  EXPECT_THAT(s, ::testing::EndsWith("…"));
  EXPECT_THAT(s, ::testing::HasSubstr("[电梯]坏了"));
}

TEST_F(SnippetTest, NoMatchShowsTheStart) {
  EXPECT_EQ(Render("没有命中的文本", {"电梯"}), "没有命中的文本");
  EXPECT_EQ(Render("", {"电梯"}), "");
}

TEST_F(SnippetTest, PartsSeparateHighlightedText) {
  const Snippet s = MakeSnippet(*normalizer_, "a电梯b", {"电梯"});
  ASSERT_EQ(s.parts.size(), 3u);
  EXPECT_EQ(s.parts[1].text, "电梯");
  EXPECT_TRUE(s.parts[1].highlighted);
  EXPECT_FALSE(s.parts[0].highlighted);
}

}  // namespace
}  // namespace ningju::text
