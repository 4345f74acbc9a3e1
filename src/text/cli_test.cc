// Runs the built `ningju` binary: the command-line contract of `ningju text` (formats, exit statuses, messages).
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "text/internal/test_data.h"

namespace ningju::text {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

CliRun Ningju(const std::string& args) {
  // Tests run as parallel processes: every file name carries the pid.
  const std::string err_path = ::testing::TempDir() + "/ningju_text_stderr_" + std::to_string(getpid()) + ".txt";
  const std::string command = std::string(NINGJU_BINARY) + " " + args + " 2>" + err_path;
  CliRun run;
  std::FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) run.out.append(buf.data(), n);
  const int raw = pclose(p);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::FILE* e = std::fopen(err_path.c_str(), "rb");
  if (e != nullptr) {
    while ((n = std::fread(buf.data(), 1, buf.size(), e)) > 0) run.err.append(buf.data(), n);
    std::fclose(e);
  }
  return run;
}

TEST(TextCli, DedupWritesOneRowPerId) {
  const CliRun r = Ningju("text dedup --input " + testing::FixturePath("comments.jsonl"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("id,group\n"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 28);
  EXPECT_THAT(r.out, HasSubstr("\nparking-traditional,parking-1\n"));
}

TEST(TextCli, ThemesWritesJson) {
  const CliRun r = Ningju("text themes --input " + testing::FixturePath("comments.jsonl"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"themes\": ["));
  EXPECT_THAT(r.out, HasSubstr("\"representative\": "));
  EXPECT_THAT(r.out, HasSubstr("\"members\": ["));
}

TEST(TextCli, ReadsStandardInput) {
  const CliRun r = Ningju("text dedup --input - < " + testing::FixturePath("comments.jsonl"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 28);
}

TEST(TextCli, BadInputExitsTwoWithLineAndReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad_json.jsonl", "line 3: invalid JSON"},
      {"missing_text.jsonl", "line 2: missing field \"text\""},
      {"missing_id.jsonl", "line 1: missing field \"id\""},
      {"invalid_utf8.jsonl", "line 2: invalid UTF-8 at byte 23"},
  };
  for (const auto& [file, message] : cases) {
    for (const char* command : {"dedup", "themes"}) {
      const CliRun r = Ningju(std::string("text ") + command + " --input " + testing::FixturePath(file));
      EXPECT_EQ(r.status, 2) << file;
      EXPECT_THAT(r.err, HasSubstr(message)) << file;
      EXPECT_EQ(r.out, "") << file;
    }
  }
}

TEST(TextCli, MissingFileAndBadOptionsExitTwo) {
  EXPECT_EQ(Ningju("text dedup --input /nonexistent.jsonl").status, 2);
  EXPECT_EQ(Ningju("text dedup").status, 2);
  EXPECT_EQ(Ningju("text dedup --input x --threshold 7").status, 2);
}

TEST(TextCli, IndexThenSearch) {
  const std::string dir = ::testing::TempDir() + "/ningju_text_cli_index_" + std::to_string(getpid());
  const CliRun index = Ningju("text index --input " + testing::FixturePath("comments.jsonl") + " --index " + dir);
  ASSERT_EQ(index.status, 0) << index.err;
  const CliRun search = Ningju("text search --index " + dir + " --query 電梯 --limit 3");
  ASSERT_EQ(search.status, 0) << search.err;
  EXPECT_EQ(std::count(search.out.begin(), search.out.end(), '\n'), 3);
  EXPECT_THAT(search.out, StartsWith("elevator-"));
  EXPECT_THAT(search.out, HasSubstr("[电梯]"));
  const CliRun traditional = Ningju("text search --index " + dir + " --query 停车 --limit 100");
  EXPECT_THAT(traditional.out, HasSubstr("[停車]"));  // highlighted in the original traditional text
  EXPECT_EQ(Ningju("text search --index " + dir + "-missing --query x").status, 2);
  const CliRun bad = Ningju("text index --input " + testing::FixturePath("missing_id.jsonl") + " --index " + dir);
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("line 1: missing field \"id\""));
}

}  // namespace
}  // namespace ningju::text
