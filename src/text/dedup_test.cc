#include "text/dedup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"
#include "text/normalize.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class DedupTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = Normalizer::Create();
    ASSERT_OK(n);
    normalizer_ = std::move(n).value().release();
  }
  static void TearDownTestSuite() { delete normalizer_; }

  static Fingerprint Fp(const std::string& text, const DedupOptions& options = {}) {
    Fingerprint fp;
    ComputeFingerprint(normalizer_->NormalizeValid(text), options, &fp);
    return fp;
  }

  // Adds the texts in order; returns each one's representative.
  static std::vector<uint32_t> Groups(const std::vector<std::string>& texts, const DedupOptions& options = {}) {
    Deduplicator dedup(options);
    for (const std::string& t : texts) dedup.Add(Fp(t, options));
    std::vector<uint32_t> groups;
    for (size_t i = 0; i < texts.size(); ++i) groups.push_back(dedup.Representative(static_cast<uint32_t>(i)));
    return groups;
  }

  static const Normalizer* normalizer_;
};
const Normalizer* DedupTest::normalizer_ = nullptr;

TEST_F(DedupTest, HandWrittenCases) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("dedup_cases.json"));
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    const auto texts = c["texts"].get<std::vector<std::string>>();
    EXPECT_EQ(Groups(texts), c["groups"].get<std::vector<uint32_t>>()) << c["name"].get<std::string>();
  }
}

TEST_F(DedupTest, FingerprintIgnoresPunctuationAndSpaces) {
  const Fingerprint a = Fp("希望物业加强管理，在楼下建设集中充电棚。");
  const Fingerprint b = Fp("希望物业加强管理 在楼下建设集中充电棚！！");
  EXPECT_EQ(a.shingles, b.shingles);
  EXPECT_EQ(a.signature, b.signature);
  EXPECT_THAT(a.signature, SizeIs(20 * 6));
}

TEST_F(DedupTest, FingerprintOfEmptyTextHasNoShingles) {
  EXPECT_THAT(Fp("").shingles, IsEmpty());
  EXPECT_THAT(Fp("。，！").shingles, IsEmpty());
  EXPECT_THAT(Fp("好").shingles, SizeIs(1));
}

TEST_F(DedupTest, Jaccard) {
  const std::vector<uint32_t> a = {1, 2, 3, 4}, b = {3, 4, 5, 6}, empty;
  EXPECT_DOUBLE_EQ(Jaccard(a, b), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(Jaccard(a, a), 1.0);
  EXPECT_DOUBLE_EQ(Jaccard(a, empty), 0.0);
  EXPECT_DOUBLE_EQ(Jaccard(empty, empty), 0.0);
}

TEST_F(DedupTest, RepresentativeIsTheEarliestMemberEvenAfterAMerge) {
  // a and b are not near-duplicates of each other, c is one of both: adding c merges b's group into a's.
  const std::string common =
      "小区的垃圾箱房非常脏，夏天异味大，蚊蝇到处飞，湿垃圾和干垃圾混在一起，希望物业每天清洗两次，加强分类宣传。";
  const std::string a = common + "我家住在三号楼一层。";
  const std::string b = common + "楼下的老人也有意见。";
  const std::string c = common;
  ASSERT_LT(Jaccard(Fp(a).shingles, Fp(b).shingles), 0.8);
  ASSERT_GE(Jaccard(Fp(a).shingles, Fp(c).shingles), 0.8);
  ASSERT_GE(Jaccard(Fp(b).shingles, Fp(c).shingles), 0.8);
  Deduplicator dedup;
  dedup.Add(Fp("停车位太少，晚上回来找不到地方停车，希望增加临时停车位。"));
  dedup.Add(Fp(a));
  dedup.Add(Fp(b));
  EXPECT_EQ(dedup.Representative(1), 1u);
  EXPECT_EQ(dedup.Representative(2), 2u);
  dedup.Add(Fp(c));
  EXPECT_EQ(dedup.Representative(2), 1u);
  EXPECT_EQ(dedup.Representative(3), 1u);
  EXPECT_EQ(dedup.Representative(0), 0u);
  EXPECT_EQ(dedup.size(), 4u);
}

TEST_F(DedupTest, LowerThresholdMergesLooserCopies) {
  const std::string a = "草案第十二条规定的公示期只有五天，时间太短，居民来不及提出意见。";
  const std::string b = "草案第十二条规定的公示期只有五天，时间太短。建议延长到十五天。";
  const double similarity = Jaccard(Fp(a).shingles, Fp(b).shingles);
  ASSERT_LT(similarity, 0.8);
  ASSERT_GT(similarity, 0.1);
  EXPECT_THAT(Groups({a, b}), ElementsAre(0u, 1u));
  DedupOptions loose;
  loose.threshold = similarity - 0.01;
  loose.bands = 60;  // more, shorter bands: candidates at lower similarity
  loose.rows = 2;
  EXPECT_THAT(Groups({a, b}, loose), ElementsAre(0u, 0u));
}

TEST_F(DedupTest, FindSimilarDoesNotAdd) {
  const std::string a = "我们小区的电动车经常推进电梯带回家充电，非常危险，希望物业加强管理。";
  const std::string b = "我们小区的电动车经常推进电梯带回家充电，非常危险，希望物业加强管理！——王伟";
  Deduplicator dedup;
  dedup.Add(Fp("停车位太少，晚上回来找不到地方停车。"));
  dedup.Add(Fp(a));
  const std::vector<DuplicateMatch> matches = dedup.FindSimilar(Fp(b));
  ASSERT_THAT(matches, SizeIs(1));
  EXPECT_EQ(matches[0].item, 1u);
  EXPECT_GE(matches[0].similarity, 0.8);
  EXPECT_EQ(dedup.size(), 2u);
  EXPECT_THAT(dedup.FindSimilar(Fp("完全无关的一句话，讲的是公园里的健身器材。")), IsEmpty());
}

TEST_F(DedupTest, IsDeterministic) {
  const auto cases = nlohmann::json::parse(testing::ReadFixture("dedup_cases.json"));
  std::vector<std::string> all;
  for (const auto& c : cases) {
    for (const auto& t : c["texts"]) all.push_back(t.get<std::string>());
  }
  EXPECT_EQ(Groups(all), Groups(all));
  EXPECT_EQ(Fp(all[0]).signature, Fp(all[0]).signature);
  DedupOptions other_seed;
  other_seed.seed = 7;
  EXPECT_NE(Fp(all[0], other_seed).signature, Fp(all[0]).signature);
}

TEST_F(DedupTest, BoundedIndexForgetsOldExemplars) {
  DedupOptions options;
  options.max_exemplars = 4;
  Deduplicator dedup(options);
  const std::vector<std::string> distinct = {
      "小区的垃圾箱房非常脏，夏天异味大。", "停车位太少，晚上回来找不到地方停车。",
      "老房子没有电梯，老人上下楼很困难。", "广场舞的音响开得太响，晚上睡不着。",
      "楼道里堆满了杂物，存在消防隐患。",   "行道树很久没有修剪，树枝伸进窗户。",
      "社区食堂的午饭太贵，老人吃不起。",   "公交车站没有遮雨棚，下雨天很难受。",
      "违章搭建的阳光房占用了公共绿地。"};
  for (const std::string& t : distinct) dedup.Add(Fp(t, options));
  EXPECT_LE(dedup.stats().exemplars, 4u);
  EXPECT_GT(dedup.stats().forgotten, 0u);
  // A copy of a recent text still finds it.
  const uint32_t copy = dedup.Add(Fp(distinct.back() + "！", options));
  EXPECT_EQ(dedup.Representative(copy), static_cast<uint32_t>(distinct.size() - 1));
}

TEST_F(DedupTest, ValidatesOptions) {
  DedupOptions o;
  EXPECT_OK(ValidateDedupOptions(o));
  o.threshold = 0;
  EXPECT_THAT(ValidateDedupOptions(o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.shingle_size = 0;
  EXPECT_THAT(ValidateDedupOptions(o), StatusIs(StatusCode::kInvalidArgument));
  o = {};
  o.bands = 0;
  EXPECT_THAT(ValidateDedupOptions(o), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ningju::text
