#include "text/normalize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

class NormalizerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = Normalizer::Create();
    ASSERT_OK(n);
    normalizer_ = std::move(n).value().release();
  }
  static void TearDownTestSuite() { delete normalizer_; }
  static const Normalizer* normalizer_;
};
const Normalizer* NormalizerTest::normalizer_ = nullptr;

TEST_F(NormalizerTest, MatchesGoldenFixtures) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("normalize_golden.json"));
  ASSERT_GT(cases.size(), 10u);
  for (const auto& c : cases) {
    const std::string input = c["input"];
    ASSERT_OK_AND_ASSIGN(std::string normalized, normalizer_->Normalize(input));
    EXPECT_EQ(normalized, c["normalized"].get<std::string>()) << "input: " << input;
  }
}

TEST_F(NormalizerTest, OriginMapsEveryByteBackToTheOriginal) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("normalize_golden.json"));
  for (const auto& c : cases) {
    const std::string input = c["input"];
    const MappedText mapped = normalizer_->NormalizeWithOrigin(input);
    EXPECT_EQ(mapped.text, c["normalized"].get<std::string>()) << "input: " << input;
    ASSERT_EQ(mapped.origin.size(), mapped.text.size() + 1);
    EXPECT_EQ(mapped.origin.back(), input.size());
    for (size_t i = 0; i + 1 < mapped.origin.size(); ++i) {
      EXPECT_LE(mapped.origin[i], mapped.origin[i + 1]);
      EXPECT_LT(mapped.origin[i], input.size());
    }
  }
}

TEST_F(NormalizerTest, OriginPointsAtTheSourceCharacter) {
  const std::string input = "【通知】電梯";  // 【, 通, 知 and 】 are 3 bytes each: 電 starts at byte 12
  const MappedText mapped = normalizer_->NormalizeWithOrigin(input);
  EXPECT_EQ(mapped.text, "[通知]电梯");
  const size_t dian = mapped.text.find("电");
  ASSERT_NE(dian, std::string::npos);
  EXPECT_EQ(mapped.origin[dian], 12u);
}

TEST_F(NormalizerTest, RefusesInvalidUtf8WithItsByteOffset) {
  const auto st =
      normalizer_->Normalize(std::string("ab\xff"
                                         "cd"));
  EXPECT_THAT(st, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(st.status().message(), HasSubstr("byte 2"));
  EXPECT_THAT(normalizer_->Normalize(std::string("垃圾\xe5\x88")), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(NormalizerTest, KnowsTraditionalCharacters) {
  EXPECT_TRUE(normalizer_->IsTraditional(U'們'));
  EXPECT_TRUE(normalizer_->IsTraditional(U'電'));
  EXPECT_TRUE(normalizer_->IsTraditional(U'乾'));  // through phrases such as 乾燥
  EXPECT_FALSE(normalizer_->IsTraditional(U'们'));
  EXPECT_FALSE(normalizer_->IsTraditional(U'的'));
  EXPECT_FALSE(normalizer_->IsTraditional(U'a'));
}

TEST_F(NormalizerTest, MissingOpenccConfigurationIsNotFound) {
  NormalizerOptions options;
  options.opencc_config = "/nonexistent/t2s.json";
  EXPECT_THAT(Normalizer::Create(options), StatusIs(StatusCode::kNotFound));
}

TEST_F(NormalizerTest, IsIdempotent) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("normalize_golden.json"));
  for (const auto& c : cases) {
    const std::string once = c["normalized"];
    EXPECT_EQ(normalizer_->NormalizeValid(once), once);
  }
}

}  // namespace
}  // namespace ningju::text
