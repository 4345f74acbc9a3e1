#include "text/corpus.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "text/internal/test_data.h"

namespace ningju::text {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::HasSubstr;

Status Parse(std::string_view line, CorpusRecord* record) { return ParseCorpusLine(line, record); }

TEST(Corpus, ParsesIdAndText) {
  CorpusRecord r;
  ASSERT_OK(Parse(R"({"id": "a1", "text": "垃圾分类\n第二行", "extra": {"x": [1, 2]}})", &r));
  EXPECT_EQ(r.id, "a1");
  EXPECT_EQ(r.text, "垃圾分类\n第二行");
  ASSERT_OK(Parse(R"({"text": "电梯", "id": 42})", &r));
  EXPECT_EQ(r.id, "42");
  EXPECT_EQ(r.text, "电梯");
}

TEST(Corpus, BlankLineIsNotFound) {
  CorpusRecord r;
  EXPECT_THAT(Parse("", &r), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Parse("  \t", &r), StatusIs(StatusCode::kNotFound));
}

TEST(Corpus, EachBadInputHasItsReason) {
  CorpusRecord r;
  struct Case {
    std::string line;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {R"({"id": "1", "text": "未闭合})", "invalid JSON"},
      {R"({"id": "1", "text": "x"} trailing)", "invalid JSON"},
      {"not json", "invalid JSON"},
      {R"(["id", "text"])", "not a JSON object"},
      {R"("just a string")", "not a JSON object"},
      {R"({"id": "1"})", "missing field \"text\""},
      {R"({"text": "x"})", "missing field \"id\""},
      {R"({"id": "1", "text": 5})", "field \"text\" must be a string"},
      {R"({"id": "1", "text": null})", "field \"text\" must be a string"},
      {R"({"id": true, "text": "x"})", "field \"id\" must be a string"},
      {R"({"id": 1.5, "text": "x"})", "field \"id\" must be a string"},
      {R"({"id": {"a": 1}, "text": "x"})", "field \"id\" must be a string"},
      {std::string("{\"id\": \"1\", \"text\": \"ab\xff\"}"), "invalid UTF-8 at byte 23"},
      {std::string("{\"id\": \"1\", \"text\": \"\xe5\xa5\"}"), "invalid UTF-8 at byte 21"},
      {R"({"id": "1", "text": "\ud800"})", "invalid JSON"},
  };
  for (const Case& c : cases) {
    const Status st = Parse(c.line, &r);
    EXPECT_THAT(st, StatusIs(StatusCode::kInvalidArgument)) << c.line;
    EXPECT_THAT(st.message(), HasSubstr(c.reason)) << c.line;
  }
}

TEST(Corpus, LineErrorNamesTheLine) {
  const Status st = LineError(7, InvalidArgumentError("missing field \"id\""));
  EXPECT_EQ(st.message(), "line 7: missing field \"id\"");
  EXPECT_EQ(st.field(), "line 7");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
}

TEST(Corpus, ReaderKeepsLineNumbersAcrossChunks) {
  const std::string path = ::testing::TempDir() + "/reader_" + std::to_string(getpid()) + ".jsonl";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::string expected;
  for (int i = 1; i <= 100; ++i) {
    const std::string line = "line-" + std::to_string(i) + (i % 7 == 0 ? "\r\n" : "\n");
    std::fputs(line.c_str(), f);
  }
  std::fputs("last-without-newline", f);
  std::fclose(f);
  for (size_t chunk_bytes : {1, 16, 100, 1 << 20}) {
    ASSERT_OK_AND_ASSIGN(auto reader, LineReader::Open(path, chunk_bytes));
    LineChunk chunk;
    uint64_t expected_line = 1, expected_index = 0;
    for (;;) {
      ASSERT_OK_AND_ASSIGN(bool more, reader->Next(&chunk));
      if (!more) break;
      EXPECT_EQ(chunk.index, expected_index++);
      ForEachLine(chunk, [&](uint64_t n, std::string_view line) {
        EXPECT_EQ(n, expected_line);
        const std::string want =
            expected_line == 101 ? "last-without-newline" : "line-" + std::to_string(expected_line);
        EXPECT_EQ(line, want);
        ++expected_line;
      });
    }
    EXPECT_EQ(expected_line, 102u) << chunk_bytes;
    EXPECT_GT(reader->total_bytes(), 0u);
  }
}

TEST(Corpus, MissingFileIsNotFound) {
  EXPECT_THAT(LineReader::Open("/nonexistent/corpus.jsonl"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace ningju::text
