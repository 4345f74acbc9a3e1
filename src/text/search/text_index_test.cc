#include "text/search/text_index.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "testing/status_matchers.h"
#include "text/tokenize.h"

namespace ningju::text::search {
namespace {

using ::ningju::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const std::vector<TextIndex::Document>& Documents() {
  static const auto* const kDocs = new std::vector<TextIndex::Document>{
      {"case-1", "我们小区的垃圾分类做得不好，垃圾箱房很脏。"},
      {"case-2", "我們小區的電梯經常壞，老人上下樓很不方便。"},  // traditional
      {"case-3", "３号楼的ＷｉＦｉ信号很差，希望加装基站。"},    // full-width
      {"case-4", "停车难：晚上回来找不到车位，垃圾车也占道。"},
      {"case-5", "建议加装电梯，费用由住户分摊。电梯维护也要说清楚。"},
      {"case-6", "Parking is hard at night; the garbage truck blocks the road."},
  };
  return *kDocs;
}

std::vector<std::string> Ids(const std::vector<Hit>& hits) {
  std::vector<std::string> ids;
  for (const Hit& h : hits) ids.push_back(h.id);
  return ids;
}

class Backend {
 public:
  virtual ~Backend() = default;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<TextIndex> index;
};

// Opens the index of `url` with `name`, filled with Documents().
void Fill(const std::string& url, const std::string& name, Backend* b) {
  auto n = Normalizer::Create();
  ASSERT_OK(n);
  b->normalizer = std::move(n).value();
  auto db = storage::Database::Open(url);
  ASSERT_OK(db);
  b->db = std::move(db).value();
  auto index = TextIndex::Open(b->db.get(), b->normalizer.get(), name);
  ASSERT_OK(index);
  b->index = std::move(index).value();
  ASSERT_OK(b->index->Add(Documents()));
}

// The same behaviour is asserted on both backends.
void ExpectSearchBehaviour(const TextIndex& index) {
  ASSERT_OK_AND_ASSIGN(auto garbage, index.Search("垃圾"));
  EXPECT_THAT(Ids(garbage), UnorderedElementsAre("case-1", "case-4"));
  EXPECT_EQ(garbage[0].id, "case-1");                         // two occurrences rank first
  ASSERT_OK_AND_ASSIGN(auto elevator, index.Search("電梯"));  // traditional query finds simplified and traditional
  EXPECT_THAT(Ids(elevator), UnorderedElementsAre("case-2", "case-5"));
  ASSERT_OK_AND_ASSIGN(auto phrase, index.Search("垃圾分类"));
  EXPECT_THAT(Ids(phrase), ElementsAre("case-1"));
  EXPECT_EQ(phrase[0].snippet.Render("[", "]"), "我们小区的[垃圾分类]做得不好，[垃圾]箱房很脏。");
  ASSERT_OK_AND_ASSIGN(auto wifi, index.Search("wifi"));
  ASSERT_THAT(Ids(wifi), ElementsAre("case-3"));
  EXPECT_THAT(wifi[0].snippet.Render("[", "]"), HasSubstr("[ＷｉＦｉ]"));
  ASSERT_OK_AND_ASSIGN(auto trad, index.Search("电梯 老人"));
  EXPECT_THAT(Ids(trad), ElementsAre("case-2"));
  EXPECT_THAT(trad[0].snippet.Render("[", "]"), HasSubstr("[電梯]"));
  ASSERT_OK_AND_ASSIGN(auto latin, index.Search("GARBAGE truck"));
  EXPECT_THAT(Ids(latin), ElementsAre("case-6"));
  ASSERT_OK_AND_ASSIGN(auto single, index.Search("坏"));  // one character, at the end of a run
  EXPECT_THAT(Ids(single), ElementsAre("case-2"));
  ASSERT_OK_AND_ASSIGN(auto none, index.Search("游泳池"));
  EXPECT_THAT(none, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto empty, index.Search("，。的"));
  EXPECT_THAT(empty, IsEmpty());
  ASSERT_OK_AND_ASSIGN(auto limited, index.Search("电梯", 1));
  EXPECT_EQ(limited.size(), 1u);
  EXPECT_THAT(index.Search(std::string("\xff")), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TextIndexSql, MatchExpressionQuotesEveryToken) {
  EXPECT_EQ(Fts5MatchExpression({"垃圾", "圾分", "a\"b"}), "\"垃圾\" AND \"圾分\" AND \"a\"\"b\"");
}

TEST(TextIndexSql, IndexNames) {
  EXPECT_OK(ValidateIndexName("case_search"));
  EXPECT_THAT(ValidateIndexName("Cases"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateIndexName("x; DROP TABLE y"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateIndexName(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TextIndexSql, PostgresUsesSimpleTsvectorOverOurTokens) {
  const auto create = CreateIndexSql(storage::Dialect::kPostgres, "cases_fts");
  EXPECT_THAT(create[1], HasSubstr("USING GIN (tokens)"));
  const auto insert = InsertDocumentSql(storage::Dialect::kPostgres, "cases_fts", "1", "原文", "原 原文 文");
  ASSERT_EQ(insert.size(), 1u);
  EXPECT_THAT(insert[0].sql, HasSubstr("to_tsvector('simple', ?)"));
  const SqlStatement search = SearchSql(storage::Dialect::kPostgres, "cases_fts", {"垃圾", "圾分"}, 5);
  EXPECT_THAT(search.sql, HasSubstr("plainto_tsquery('simple', ?)"));
  EXPECT_EQ(std::get<std::string>(search.params[0]), "垃圾 圾分");
}

TEST(TextIndexSqlite, SearchesWithRankingAndSnippets) {
  const std::string dir = ::testing::TempDir() + "/text_index_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  Backend b;
  Fill("sqlite:" + dir + "/a.db", "text_index", &b);
  ExpectSearchBehaviour(*b.index);
  // Replacing a document by id.
  ASSERT_OK(b.index->Add({{"case-4", "停车难，车位太少。"}}));
  ASSERT_OK_AND_ASSIGN(auto garbage, b.index->Search("垃圾"));
  EXPECT_THAT(Ids(garbage), ElementsAre("case-1"));
  ASSERT_OK(b.index->Remove("case-1"));
  ASSERT_OK_AND_ASSIGN(auto gone, b.index->Search("垃圾"));
  EXPECT_THAT(gone, IsEmpty());
  std::filesystem::remove_all(dir);
}

TEST(TextIndexFiles, BuildsAndSearchesADirectory) {
  const std::string dir = ::testing::TempDir() + "/text_index_dir_" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  const std::string input = dir + ".jsonl";
  {
    std::FILE* f = std::fopen(input.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"id\": \"a\", \"text\": \"垃圾分类做得不好\"}\n\n{\"id\": \"b\", \"text\": \"電梯壞了\"}\n", f);
    std::fclose(f);
  }
  auto normalizer = Normalizer::Create();
  ASSERT_OK(normalizer);
  ASSERT_OK_AND_ASSIGN(uint64_t count, BuildIndexFromFile(input, dir, **normalizer));
  EXPECT_EQ(count, 2u);
  ASSERT_OK_AND_ASSIGN(auto hits, SearchIndexDirectory(dir, "电梯", 10, **normalizer));
  ASSERT_THAT(Ids(hits), ElementsAre("b"));
  EXPECT_EQ(hits[0].snippet.Render("[", "]"), "[電梯]壞了");
  EXPECT_THAT(SearchIndexDirectory(dir + "-missing", "电梯", 10, **normalizer), StatusIs(StatusCode::kNotFound));
  {
    std::FILE* f = std::fopen(input.c_str(), "wb");
    std::fputs("{\"id\": \"a\", \"text\": \"好\"}\n{\"id\": \"b\"}\n", f);
    std::fclose(f);
  }
  const auto bad = BuildIndexFromFile(input, dir, **normalizer);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(bad.status().message(), HasSubstr("line 2: missing field \"text\""));
  std::filesystem::remove_all(dir);
  std::filesystem::remove(input);
}

// The same queries on PostgreSQL find the same items. Needs NINGJU_TEST_POSTGRES_URL; skipped without it, except in
// CI (CI=true) or with NINGJU_REQUIRE_POSTGRES=1, where a missing database is a failure.
TEST(TextIndexPostgres, FindsTheSameItemsAsSqlite) {
  const char* url = std::getenv("NINGJU_TEST_POSTGRES_URL");
  if (url == nullptr || *url == '\0') {
    const char* ci = std::getenv("CI");
    const char* require = std::getenv("NINGJU_REQUIRE_POSTGRES");
    if ((ci != nullptr && std::string(ci) == "true") || (require != nullptr && std::string(require) == "1")) {
      FAIL() << "NINGJU_TEST_POSTGRES_URL is not set, and CI=true or NINGJU_REQUIRE_POSTGRES=1 forbids skipping";
    }
    GTEST_SKIP() << "NINGJU_TEST_POSTGRES_URL not set";
  }
  const std::string name = "text_index_test_" + std::to_string(getpid());
  Backend pg;
  Fill(url, name, &pg);
  ExpectSearchBehaviour(*pg.index);

  const std::string dir = ::testing::TempDir() + "/text_index_pg_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  Backend lite;
  Fill("sqlite:" + dir + "/a.db", "text_index", &lite);
  for (const char* query : {"垃圾", "电梯", "小区", "wifi", "车位", "the road", "老人 不方便", "分摊"}) {
    ASSERT_OK_AND_ASSIGN(auto a, lite.index->Search(query, 100));
    ASSERT_OK_AND_ASSIGN(auto b, pg.index->Search(query, 100));
    std::vector<std::string> ia = Ids(a), ib = Ids(b);
    std::sort(ia.begin(), ia.end());
    std::sort(ib.begin(), ib.end());
    EXPECT_EQ(ia, ib) << query;
  }
  ASSERT_OK_AND_ASSIGN(auto conn, pg.db->Acquire());
  EXPECT_OK(conn->Execute("DROP TABLE " + name + "_docs"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ningju::text::search
