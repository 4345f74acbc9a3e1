// SearchService over a real database (SQLite, or PostgreSQL under NINGJU_TEST_BACKEND=postgres): the objects are
// rows as their modules write them (inserted here directly, so this test needs none of the modules), the viewers
// principals as a session loads them. The HTTP side: tests/integration/search_test.cc.
#include "platform/search/search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/status_matchers.h"
#include "testing/test_database.h"
#include "testing/test_principal.h"

namespace ningju::search {
namespace {

using auth::Principal;
using auth::Role;

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = ningju::testing::OpenTestDatabase();
    ASSERT_OK(db);
    db_ = std::move(db).value();
    ASSERT_OK(RegisterBuiltinKinds(registry_));
    auto service = SearchService::Open(*db_, registry_);
    ASSERT_OK(service);
    service_ = std::move(service).value();
    district_ = Area(std::nullopt, "district", "长宁区");
    const int64_t sd = Area(district_, "subdistrict", "华阳路街道");
    nb_a_ = Area(sd, "neighborhood", "紫云居民区");
    nb_b_ = Area(sd, "neighborhood", "长宁新村居民区");
    bld_a_ = Area(nb_a_, "building", "紫云小区3号楼");
    reporter_ = ningju::testing::NewPrincipal(*db_, "reporter", Role::kResident, nb_a_);
    neighbor_ = ningju::testing::NewPrincipal(*db_, "neighbor", Role::kResident, nb_a_);
    staff_a_ = ningju::testing::NewPrincipal(*db_, "staff_a", Role::kNeighborhoodStaff, nb_a_);
    staff_b_ = ningju::testing::NewPrincipal(*db_, "staff_b", Role::kNeighborhoodStaff, nb_b_);
  }

  int64_t Exec(const std::string& sql, const storage::Params& params) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    if (!conn.ok()) return 0;
    auto row = (*conn)->QueryOne(sql, params);
    EXPECT_OK(row);
    return row.ok() && !row->IsNull(0) ? row->Int(0) : 0;
  }

  void Run(const std::string& sql, const storage::Params& params) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    if (conn.ok()) EXPECT_OK((*conn)->Execute(sql, params).status());
  }

  // An area and its closure rows, as the area writer stores them.
  int64_t Area(std::optional<int64_t> parent, const std::string& kind, const std::string& name) {
    const int64_t id = Exec(
        "INSERT INTO areas (parent_id, kind, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, 100, 100) "
        "RETURNING id",
        {parent ? storage::Param(*parent) : storage::Param(nullptr), kind, "c" + std::to_string(++codes_), name});
    Run("INSERT INTO area_paths (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", {id, id});
    if (parent) {
      Run("INSERT INTO area_paths (ancestor_id, descendant_id, depth) SELECT ancestor_id, ?, depth + 1 FROM "
          "area_paths WHERE descendant_id = ?",
          {id, *parent});
    }
    return id;
  }

  int64_t Case(const std::string& title, bool is_public, int64_t updated_at = 200) {
    return Exec(
        "INSERT INTO cases (case_type, category, title, description, area_id, neighborhood_id, subdistrict_id, "
        "building_id, urgency, channel, is_public, reporter_id, state, submitted_at, updated_at) VALUES ('complaint', "
        "'property_management', ?, '请尽快派人处理。', ?, ?, (SELECT parent_id FROM areas WHERE id = ?), ?, 'normal', "
        "'web', ?, ?, 'submitted', 200, ?) RETURNING id",
        {title, bld_a_, nb_a_, nb_a_, bld_a_, int64_t{is_public ? 1 : 0}, reporter_.user_id, updated_at});
  }

  int64_t Meeting(const std::string& subject, const std::string& state) {
    return Exec(
        "INSERT INTO meetings (kind, subject, area_id, neighborhood_id, convener_id, starts_at, ends_at, place, "
        "description, state, created_at, updated_at) VALUES ('consultation', ?, ?, ?, ?, 1000, 2000, '议事厅', "
        "'欢迎参加', ?, 200, 200) RETURNING id",
        {subject, nb_a_, nb_a_, staff_a_.user_id, state});
  }

  int64_t Ballot(const std::string& title, const std::string& state) {
    return Exec(
        "INSERT INTO ballots (area_id, neighborhood_id, title, description, matter, state, closes_at, created_at, "
        "updated_at) VALUES (?, ?, ?, '', 7, ?, 5000, 200, 200) RETURNING id",
        {bld_a_, nb_a_, title, state});
  }

  std::set<std::pair<std::string, int64_t>> Found(const Principal& p, const std::string& q,
                                                  const std::string& kind = "", std::optional<int64_t> area = {}) {
    SearchQuery query;
    query.q = q;
    query.kind = kind;
    query.area_id = area;
    auto page = service_->Search(p, query);
    EXPECT_OK(page);
    std::set<std::pair<std::string, int64_t>> out;
    if (page.ok()) {
      for (const SearchHit& h : page->items) out.insert({h.kind, h.id});
    }
    return out;
  }

  using Hits = std::set<std::pair<std::string, int64_t>>;

  SearchRegistry registry_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<SearchService> service_;
  int codes_ = 0;
  int64_t district_ = 0, nb_a_ = 0, nb_b_ = 0, bld_a_ = 0;
  Principal reporter_, neighbor_, staff_a_, staff_b_;
  const Principal anonymous_ = Principal::Anonymous();
};

TEST_F(SearchServiceTest, PrivateCaseForItsReporterAndStaffOnly) {
  const int64_t id = Case("紫藤花架倒塌压坏车棚", false);
  const Hits hit{{"case", id}};
  EXPECT_EQ(Found(reporter_, "紫藤花架"), hit);
  EXPECT_EQ(Found(staff_a_, "紫藤 车棚"), hit);
  EXPECT_EQ(Found(Principal::System("test"), "紫藤花架"), hit);
  EXPECT_TRUE(Found(neighbor_, "紫藤花架").empty());
  EXPECT_TRUE(Found(staff_b_, "紫藤花架").empty());
  EXPECT_TRUE(Found(anonymous_, "紫藤花架").empty());
}

TEST_F(SearchServiceTest, PublicCaseForEveryoneWithMarkedSnippets) {
  const int64_t id = Case("梧桐落叶堵塞雨水口", true);
  SearchQuery q;
  q.q = "雨水口";
  ASSERT_OK_AND_ASSIGN(SearchPage page, service_->Search(anonymous_, q));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].id, id);
  EXPECT_EQ(page.items[0].path, "/cases/" + std::to_string(id));
  EXPECT_EQ(page.items[0].title.Render("[", "]"), "梧桐落叶堵塞[雨水口]");
  EXPECT_EQ(page.items[0].snippet.Render("[", "]"), "请尽快派人处理。");
  EXPECT_EQ(Found(staff_b_, "雨水口"), (Hits{{"case", id}}));
}

TEST_F(SearchServiceTest, DraftsOnlyForTheirManagers) {
  const int64_t draft_meeting = Meeting("海棠苑停车议事会", "draft");
  const int64_t noticed = Meeting("海棠苑绿化议事会", "noticed");
  const int64_t draft_ballot = Ballot("更换海棠苑单元门禁", "draft");
  const int64_t open_ballot = Ballot("海棠苑外墙修缮", "open");
  EXPECT_EQ(
      Found(staff_a_, "海棠苑"),
      (Hits{{"meeting", draft_meeting}, {"meeting", noticed}, {"ballot", draft_ballot}, {"ballot", open_ballot}}));
  const Hits published{{"meeting", noticed}, {"ballot", open_ballot}};
  EXPECT_EQ(Found(reporter_, "海棠苑"), published);
  EXPECT_EQ(Found(anonymous_, "海棠苑"), published);
  EXPECT_EQ(Found(staff_b_, "海棠苑"), published);
}

TEST_F(SearchServiceTest, EachKindAndTheKindFilter) {
  const int64_t c = Case("银杏大道路面破损", true);
  const int64_t m = Meeting("银杏大道整治听证", "noticed");
  const int64_t b = Ballot("银杏大道停车位划线", "open");
  const int64_t e = Exec(
      "INSERT INTO elevator_projects (building_id, neighborhood_id, title, state, plan_text, created_at, updated_at) "
      "VALUES (?, ?, '3号楼加装电梯', 'active', '银杏大道一侧设电梯井', 200, 200) RETURNING id",
      {bld_a_, nb_a_});
  EXPECT_EQ(Found(anonymous_, "银杏大道"), (Hits{{"case", c}, {"meeting", m}, {"ballot", b}, {"elevator_project", e}}));
  EXPECT_EQ(Found(anonymous_, "银杏大道", "meeting"), (Hits{{"meeting", m}}));
  EXPECT_EQ(Found(anonymous_, "银杏大道", "elevator_project"), (Hits{{"elevator_project", e}}));
  EXPECT_EQ(Found(anonymous_, "紫云", "area"), (Hits{{"area", nb_a_}, {"area", bld_a_}}));
}

TEST_F(SearchServiceTest, AreaFilter) {
  const int64_t c = Case("玉兰路灯夜间不亮", true);
  EXPECT_EQ(Found(anonymous_, "玉兰路灯", "", nb_a_), (Hits{{"case", c}}));
  EXPECT_EQ(Found(anonymous_, "玉兰路灯", "", district_), (Hits{{"case", c}}));
  EXPECT_TRUE(Found(anonymous_, "玉兰路灯", "", nb_b_).empty());
}

// The area's scope tokens (SQLite's FTS column, migration 0019) follow the tree: an area moved under another
// neighborhood is found there, and no longer in the old one, once its paths are rewritten as the area writer does.
TEST_F(SearchServiceTest, AreaFilterFollowsAMovedArea) {
  const int64_t c = Case("海棠花架坍塌", true);
  EXPECT_EQ(Found(anonymous_, "海棠花架", "", nb_a_), (Hits{{"case", c}}));
  Run("DELETE FROM area_paths WHERE descendant_id = ? AND depth > 0", {bld_a_});
  Run("INSERT INTO area_paths (ancestor_id, descendant_id, depth) SELECT ancestor_id, ?, depth + 1 FROM area_paths "
      "WHERE descendant_id = ?",
      {bld_a_, nb_b_});
  Run("UPDATE areas SET parent_id = ? WHERE id = ?", {nb_b_, bld_a_});
  EXPECT_EQ(Found(anonymous_, "海棠花架", "", nb_b_), (Hits{{"case", c}}));
  EXPECT_TRUE(Found(anonymous_, "海棠花架", "", nb_a_).empty());
  EXPECT_EQ(Found(anonymous_, "海棠花架", "", district_), (Hits{{"case", c}}));
}

// The words are matched in the text only: a word that spells an area's scope token finds the text that has it, not
// every document of that area.
TEST_F(SearchServiceTest, AWordIsNotAnAreaToken) {
  const std::string token = "a" + std::to_string(nb_a_);
  const int64_t with = Case("路灯编号 " + token + " 不亮", true);
  Case("紫藤架松动", true);  // in nb_a_, without the word
  EXPECT_EQ(Found(anonymous_, token), (Hits{{"case", with}}));
}

TEST_F(SearchServiceTest, TheIndexFollowsEdits) {
  const int64_t id = Case("蔷薇围栏松动", true);
  EXPECT_EQ(Found(anonymous_, "蔷薇"), (Hits{{"case", id}}));
  ASSERT_OK_AND_ASSIGN(int64_t again, service_->Refresh());
  EXPECT_EQ(again, 0);  // nothing changed: nothing rewritten
  // Edited in the same second as it was indexed: found by its new text only.
  Run("UPDATE cases SET title = '月季花坛缺水' WHERE id = ?", {id});
  EXPECT_TRUE(Found(anonymous_, "蔷薇").empty());
  EXPECT_EQ(Found(anonymous_, "月季花坛"), (Hits{{"case", id}}));
  // Made private: gone for others.
  Run("UPDATE cases SET is_public = 0 WHERE id = ?", {id});
  EXPECT_TRUE(Found(anonymous_, "月季花坛").empty());
  EXPECT_EQ(Found(reporter_, "月季花坛"), (Hits{{"case", id}}));
  // Removed: its document goes with it.
  Run("DELETE FROM cases WHERE id = ?", {id});
  EXPECT_TRUE(Found(reporter_, "月季花坛").empty());
  EXPECT_EQ(Exec("SELECT COUNT(*) FROM search_docs WHERE kind = 'case' AND object_id = ?", {id}), 0);
}

TEST_F(SearchServiceTest, ABacklogIsAppliedInBatchesInEitherOrder) {
  ASSERT_OK(service_->Refresh().status());  // the areas of SetUp
  const int64_t first = Case("枇杷树遮挡路灯", true);
  Run("UPDATE cases SET description = '枇杷树需要修剪' WHERE id = ?", {first});
  const int64_t second = Case("枇杷果落满车顶", true);
  EXPECT_EQ(Exec("SELECT COUNT(*) FROM search_dirty", {}), 3);
  auto indexed = [&](int64_t id) {
    return Exec("SELECT COUNT(*) FROM search_docs WHERE kind = 'case' AND object_id = ?", {id});
  };
  // The newest change (what a search applies first): the second case.
  ASSERT_OK_AND_ASSIGN(int64_t applied, service_->Refresh(1, SearchService::RefreshOrder::kNewestFirst));
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(indexed(first), 0);
  EXPECT_EQ(indexed(second), 1);
  // The oldest (what the job applies first): the first case, already with its edited text.
  ASSERT_OK_AND_ASSIGN(applied, service_->Refresh(1));
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(indexed(first), 1);
  EXPECT_EQ(Exec("SELECT COUNT(*) FROM search_docs WHERE body = '枇杷树需要修剪'", {}), 1);
  ASSERT_OK_AND_ASSIGN(applied, service_->Refresh());
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(Exec("SELECT COUNT(*) FROM search_dirty", {}), 0);
  EXPECT_EQ(Found(anonymous_, "枇杷"), (Hits{{"case", first}, {"case", second}}));
  EXPECT_EQ(Found(anonymous_, "修剪"), (Hits{{"case", first}}));
}

// Writers edit while refreshes run (side by side on PostgreSQL): no edit is lost, because a refresh deletes only the
// queue rows it read, and a change that commits meanwhile keeps its own row.
TEST_F(SearchServiceTest, EditsDuringRefreshesAreNotLost) {
  constexpr int kCases = 4, kEdits = 15;
  std::vector<int64_t> ids;
  for (int i = 0; i < kCases; ++i) ids.push_back(Case("初始标题" + std::to_string(i), true));
  std::vector<std::thread> threads;
  for (int i = 0; i < kCases; ++i) {
    threads.emplace_back([&, i] {
      for (int e = 1; e <= kEdits; ++e) {
        Run("UPDATE cases SET title = ? WHERE id = ?",
            {"第" + std::to_string(e) + "次修改" + std::to_string(i), ids[i]});
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      for (int n = 0; n < 20; ++n) EXPECT_OK(service_->Refresh(3).status());
    });
  }
  for (std::thread& t : threads) t.join();
  for (int64_t n = 1; n > 0;) {
    ASSERT_OK_AND_ASSIGN(n, service_->Refresh());
  }
  for (int i = 0; i < kCases; ++i) {
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    ASSERT_OK_AND_ASSIGN(
        storage::Row doc,
        (*conn)->QueryOne("SELECT title FROM search_docs WHERE kind = 'case' AND object_id = ?", {ids[i]}));
    EXPECT_EQ(doc.Text(0), "第" + std::to_string(kEdits) + "次修改" + std::to_string(i));
  }
}

TEST_F(SearchServiceTest, PagesWithoutRepeats) {
  std::set<int64_t> made;
  for (int i = 0; i < 5; ++i) made.insert(Case("石榴树枝挡窗第" + std::to_string(i) + "处", true));
  std::set<int64_t> seen;
  SearchQuery q;
  q.q = "石榴树";
  q.limit = 2;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(SearchPage page, service_->Search(anonymous_, q));
    EXPECT_LE(page.items.size(), 2u);
    for (const SearchHit& h : page.items) EXPECT_TRUE(seen.insert(h.id).second) << h.id;
    q.cursor = page.next_cursor;
    ++pages;
  } while (!q.cursor.empty() && pages < 10);
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);
}

TEST_F(SearchServiceTest, BadInputNamesTheField) {
  auto field_of = [&](SearchQuery q) {
    auto page = service_->Search(anonymous_, q);
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << page.status().ToString();
    return page.status().field();
  };
  SearchQuery q;
  EXPECT_EQ(field_of(q), "q");
  q.q = "\xff\xfe";
  EXPECT_EQ(field_of(q), "q");
  q.q = std::string(101, 'a');
  EXPECT_EQ(field_of(q), "q");
  q.q = "路灯";
  SearchQuery k = q;
  k.kind = "bogus";
  EXPECT_EQ(field_of(k), "kind");
  SearchQuery a = q;
  a.area_id = 999999999;
  EXPECT_EQ(field_of(a), "area");
  SearchQuery c = q;
  c.cursor = "zz";
  EXPECT_EQ(field_of(c), "cursor");
  SearchQuery l = q;
  l.limit = 51;
  EXPECT_EQ(field_of(l), "limit");
  // Punctuation only: nothing to look for, an empty page.
  q.q = "，。！";
  ASSERT_OK_AND_ASSIGN(SearchPage page, service_->Search(anonymous_, q));
  EXPECT_TRUE(page.items.empty());
}

}  // namespace
}  // namespace ningju::search
