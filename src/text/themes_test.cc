#include "text/themes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"
#include "text/normalize.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::Contains;
using ::testing::IsEmpty;

struct Corpus {
  std::vector<std::string> ids;
  std::vector<std::string> normalized;
  std::vector<std::string_view> views;
};

Corpus LoadComments() {
  auto normalizer = Normalizer::Create();
  EXPECT_TRUE(normalizer.ok());
  Corpus c;
  std::istringstream in(testing::ReadFixture("comments.jsonl"));
  std::string line;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    c.ids.push_back(j["id"]);
    c.normalized.push_back((*normalizer)->NormalizeValid(j["text"].get<std::string>()));
  }
  for (const std::string& s : c.normalized) c.views.push_back(s);
  return c;
}

std::string Topic(const std::string& id) { return id.substr(0, id.find('-')); }

TEST(Themes, FindsTheThreeTopicsOfTheFixture) {
  const Corpus c = LoadComments();
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> themes, FindThemes(c.views, {}, {}));
  ASSERT_EQ(themes.size(), 3u);
  std::set<std::string> topics;
  size_t total = 0;
  for (const Theme& t : themes) {
    std::set<std::string> members;
    for (uint32_t i : t.texts) members.insert(Topic(c.ids[i]));
    EXPECT_EQ(members.size(), 1u) << "a theme mixes topics";
    topics.insert(*members.begin());
    EXPECT_EQ(Topic(c.ids[t.representative]), *members.begin());
    EXPECT_EQ(t.size, t.texts.size());
    EXPECT_FALSE(t.terms.empty());
    total += t.texts.size();
  }
  EXPECT_EQ(topics.size(), 3u);
  EXPECT_EQ(total, c.ids.size());
  // Labels are distinctive words of the topic.
  for (const Theme& t : themes) {
    const std::string topic = Topic(c.ids[t.representative]);
    if (topic == "elevator") {
      EXPECT_THAT(t.terms, Contains("电梯"));
    }
    if (topic == "parking") {
      EXPECT_THAT(t.terms, Contains("停车"));
    }
  }
}

TEST(Themes, FixedNumberOfThemes) {
  const Corpus c = LoadComments();
  ThemeOptions options;
  options.num_themes = 2;
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> themes, FindThemes(c.views, {}, options));
  EXPECT_EQ(themes.size(), 2u);
}

TEST(Themes, WeightsCountItemsAndOrderThemes) {
  const Corpus c = LoadComments();
  std::vector<uint32_t> weights(c.views.size(), 1);
  for (size_t i = 0; i < c.ids.size(); ++i) {
    if (Topic(c.ids[i]) == "garbage") weights[i] = 100;
  }
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> themes, FindThemes(c.views, weights, {}));
  ASSERT_FALSE(themes.empty());
  EXPECT_EQ(Topic(c.ids[themes[0].representative]), "garbage");
  EXPECT_EQ(themes[0].size, 100u * themes[0].texts.size());
}

TEST(Themes, DeterministicAndIndependentOfThreads) {
  const Corpus c = LoadComments();
  ThemeOptions one, two;
  one.threads = 1;
  two.threads = 2;
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> a, FindThemes(c.views, {}, one));
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> b, FindThemes(c.views, {}, two));
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> again, FindThemes(c.views, {}, two));
  ASSERT_EQ(a.size(), b.size());
  for (size_t t = 0; t < a.size(); ++t) {
    EXPECT_EQ(a[t].texts, b[t].texts);
    EXPECT_EQ(a[t].terms, b[t].terms);
    EXPECT_EQ(a[t].representative, b[t].representative);
    EXPECT_EQ(b[t].texts, again[t].texts);
  }
}

TEST(Themes, EmptyInputAndBadOptions) {
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> none, FindThemes({}, {}, {}));
  EXPECT_THAT(none, IsEmpty());
  const std::vector<std::string_view> texts = {"垃圾分类", "停车难"};
  const std::vector<uint32_t> weights = {1};
  EXPECT_THAT(FindThemes(texts, weights, {}), StatusIs(StatusCode::kInvalidArgument));
  ThemeOptions bad;
  bad.num_themes = -1;
  EXPECT_THAT(FindThemes(texts, {}, bad), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Themes, MoreThemesThanTextsIsCapped) {
  const std::vector<std::string_view> texts = {"垃圾分类做得不好", "停车位太少"};
  ThemeOptions options;
  options.num_themes = 10;
  ASSERT_OK_AND_ASSIGN(std::vector<Theme> themes, FindThemes(texts, {}, options));
  EXPECT_LE(themes.size(), 2u);
}

}  // namespace
}  // namespace ningju::text
