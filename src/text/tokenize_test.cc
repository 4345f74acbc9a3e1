#include "text/tokenize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

TEST(Tokenize, MatchesGoldenFixtures) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("normalize_golden.json"));
  for (const auto& c : cases) {
    const std::string normalized = c["normalized"];
    EXPECT_EQ(SearchTokensOfNormalized(normalized), c["search_tokens"].get<std::vector<std::string>>())
        << "normalized: " << normalized;
    EXPECT_EQ(QueryTokensOfNormalized(normalized), c["query_tokens"].get<std::vector<std::string>>())
        << "normalized: " << normalized;
  }
}

TEST(Tokenize, EveryQueryTokenOfASubstringIsADocumentToken) {
  const std::string doc = "我们小区的垃圾分类做得不好,电梯也经常坏.wifi信号差";
  const std::vector<std::string> doc_tokens = SearchTokensOfNormalized(doc);
  for (const std::string query : {"垃圾分类", "电梯", "坏", "wifi", "信号差", "小区的垃圾"}) {
    const std::vector<std::string> q = QueryTokensOfNormalized(query);
    ASSERT_THAT(q, Not(IsEmpty())) << query;
    for (const std::string& t : q) EXPECT_THAT(doc_tokens, Contains(t)) << query;
  }
}

TEST(Tokenize, QueryTokensAreDistinct) {
  EXPECT_THAT(QueryTokensOfNormalized("垃圾垃圾 test test"), ElementsAre("垃圾", "圾垃", "test"));
}

TEST(Tokenize, Stopwords) {
  EXPECT_TRUE(IsStopword("的"));
  EXPECT_TRUE(IsStopword("我们"));
  EXPECT_TRUE(IsStopword("the"));
  EXPECT_FALSE(IsStopword("垃圾"));
  EXPECT_THAT(QueryTokensOfNormalized("的"), IsEmpty());
}

TEST(Tokenize, SearchTokensNormalizeFirst) {
  auto normalizer = Normalizer::Create();
  ASSERT_OK(normalizer);
  ASSERT_OK_AND_ASSIGN(auto tokens, SearchTokens(**normalizer, "電梯ＷＩＦＩ"));
  EXPECT_THAT(tokens, ElementsAre("电", "电梯", "梯", "wifi"));
  ASSERT_OK_AND_ASSIGN(auto query, QueryTokens(**normalizer, "電梯"));
  EXPECT_THAT(query, ElementsAre("电梯"));
  EXPECT_THAT(SearchTokens(**normalizer, std::string("\xc3")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(JoinTokens({"电梯", "wifi"}), "电梯 wifi");
}

TEST(Tokenize, WordsAreDictionaryWordsWithoutStopwords) {
  auto segmenter = WordSegmenter::Create();
  ASSERT_OK(segmenter);
  const std::vector<std::string> words = (*segmenter)->Words("我们小区的垃圾分类做得不好,停车也很难. parking 2024");
  EXPECT_THAT(words, Contains("垃圾"));
  EXPECT_THAT(words, Contains("停车"));
  EXPECT_THAT(words, Contains("parking"));
  EXPECT_THAT(words, Not(Contains("我们")));
  EXPECT_THAT(words, Not(Contains("2024")));
  EXPECT_THAT(words, Not(Contains("的")));
}

}  // namespace
}  // namespace ningju::text
