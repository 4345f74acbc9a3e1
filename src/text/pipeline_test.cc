#include "text/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class PipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto n = Normalizer::Create();
    ASSERT_OK(n);
    normalizer_ = std::move(n).value().release();
  }
  static void TearDownTestSuite() { delete normalizer_; }
  static const Normalizer* normalizer_;
};
const Normalizer* PipelineTest::normalizer_ = nullptr;

std::string Capture(const std::function<Status(std::FILE*)>& write) {
  std::FILE* f = std::tmpfile();
  EXPECT_OK(write(f));
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

TEST_F(PipelineTest, DedupsTheFixture) {
  PipelineOptions options;
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline(testing::FixturePath("comments.jsonl"), *normalizer_, options));
  ASSERT_EQ(r.ids.size(), 27u);
  std::map<std::string, std::string> group;
  for (size_t i = 0; i < r.ids.size(); ++i) group[std::string(r.ids[i])] = std::string(r.ids[r.group[i]]);
  EXPECT_EQ(group["elevator-copy-1"], "elevator-1");
  EXPECT_EQ(group["elevator-copy-2"], "elevator-1");
  EXPECT_EQ(group["parking-traditional"], "parking-1");
  EXPECT_EQ(group["parking-8"], "parking-3");  // the same three sentences in another order
  EXPECT_EQ(group["garbage-1"], "garbage-1");
  EXPECT_EQ(r.groups, 23u);
  const std::string csv = Capture([&](std::FILE* f) { return WriteDedupCsv(r, f); });
  EXPECT_THAT(csv, StartsWith("id,group\ngarbage-1,garbage-1\n"));
  EXPECT_THAT(csv, HasSubstr("\nelevator-copy-2,elevator-1\n"));
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 28);
}

TEST_F(PipelineTest, ThemesJsonListsEveryItem) {
  PipelineOptions options;
  options.find_themes = true;
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline(testing::FixturePath("comments.jsonl"), *normalizer_, options));
  const auto json = nlohmann::json::parse(Capture([&](std::FILE* f) { return WriteThemesJson(r, f); }));
  ASSERT_EQ(json["themes"].size(), 3u);
  size_t members = 0;
  for (const auto& t : json["themes"]) {
    EXPECT_TRUE(t["terms"].is_array());
    EXPECT_EQ(t["size"].get<size_t>(), t["members"].size());
    EXPECT_TRUE(t["representative"].is_string());
    members += t["members"].size();
  }
  EXPECT_EQ(members, 27u);
}

TEST_F(PipelineTest, ResultDoesNotDependOnThreadsOrChunks) {
  PipelineOptions a, b;
  a.threads = 1;
  b.threads = 2;
  b.chunk_bytes = 300;  // many small chunks
  a.find_themes = b.find_themes = true;
  ASSERT_OK_AND_ASSIGN(PipelineResult ra, RunPipeline(testing::FixturePath("comments.jsonl"), *normalizer_, a));
  ASSERT_OK_AND_ASSIGN(PipelineResult rb, RunPipeline(testing::FixturePath("comments.jsonl"), *normalizer_, b));
  EXPECT_EQ(ra.group, rb.group);
  ASSERT_EQ(ra.themes.size(), rb.themes.size());
  for (size_t t = 0; t < ra.themes.size(); ++t) {
    EXPECT_EQ(ra.themes[t].texts, rb.themes[t].texts);
    EXPECT_EQ(ra.themes[t].terms, rb.themes[t].terms);
  }
}

TEST_F(PipelineTest, BadInputStopsWithTheLineAndReason) {
  struct Case {
    std::string file;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"bad_json.jsonl", "line 3: invalid JSON"},
      {"missing_text.jsonl", "line 2: missing field \"text\""},
      {"missing_id.jsonl", "line 1: missing field \"id\""},
      {"wrong_type.jsonl", "line 2: field \"text\" must be a string"},
      {"invalid_utf8.jsonl", "line 2: invalid UTF-8 at byte 23"},
  };
  for (const Case& c : cases) {
    for (size_t chunk_bytes : {size_t{8}, size_t{4} << 20}) {
      PipelineOptions options;
      options.chunk_bytes = chunk_bytes;
      const auto r = RunPipeline(testing::FixturePath(c.file), *normalizer_, options);
      EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument)) << c.file;
      EXPECT_THAT(r.status().message(), StartsWith(c.message)) << c.file;
    }
  }
}

TEST_F(PipelineTest, BlankLinesAreSkippedButCounted) {
  ASSERT_OK_AND_ASSIGN(PipelineResult r, RunPipeline(testing::FixturePath("blank_lines.jsonl"), *normalizer_, {}));
  EXPECT_EQ(r.ids.size(), 2u);
}

TEST_F(PipelineTest, MissingFileIsNotFound) {
  EXPECT_THAT(RunPipeline("/nonexistent.jsonl", *normalizer_, {}), StatusIs(StatusCode::kNotFound));
}

TEST(PipelineFormat, CsvAndJsonQuoting) {
  EXPECT_EQ(CsvField("plain-id"), "plain-id");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(JsonString("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

TEST(PipelineFormat, GroupMembers) {
  std::vector<uint32_t> offsets, members;
  GroupMembers({0, 0, 2, 0, 2}, &offsets, &members);
  EXPECT_EQ(std::vector<uint32_t>(members.begin() + offsets[0], members.begin() + offsets[1]),
            (std::vector<uint32_t>{0, 1, 3}));
  EXPECT_EQ(std::vector<uint32_t>(members.begin() + offsets[2], members.begin() + offsets[3]),
            (std::vector<uint32_t>{2, 4}));
}

}  // namespace
}  // namespace ningju::text
