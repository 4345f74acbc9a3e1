// Site-wide search over HTTP (fixture: app_fixture.h), on the test backend (SQLite, or PostgreSQL under
// NINGJU_TEST_BACKEND=postgres): who finds a private case, each kind found, the kind and area filters, pages, bad
// input, and the escaping of highlighted snippets. Each test searches for words only it writes (the suite shares one
// app).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "app_fixture.h"
#include "common/time.h"
#include "http/message.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class SearchTest : public AppTest {
 protected:
  int64_t Submit(const std::string& login, int64_t area, bool is_public, const std::string& title,
                 const std::string& phone) {
    json body = {{"type", "complaint"},      {"category", "property_management"},
                 {"title", title},           {"description", "请尽快派人处理。" + title},
                 {"area_id", area},          {"channel", "web"},
                 {"contact_name", "陆小凤"}, {"contact_phone", phone},
                 {"public", is_public}};
    HttpResult r = Api("POST", "/api/v1/cases", Token(login), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }

  // The search API as `login` ("" anonymous); `extra` is appended to the query string.
  json Search(const std::string& login, const std::string& q, const std::string& extra = "") {
    HttpResult r = Api("GET", "/api/v1/search?q=" + http::PercentEncode(q) + extra, login.empty() ? "" : Token(login));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body) : json{{"items", json::array()}};
  }

  // The (kind, id) pairs of a result.
  static std::set<std::pair<std::string, int64_t>> Found(const json& page) {
    std::set<std::pair<std::string, int64_t>> out;
    for (const auto& item : page["items"]) out.insert({item["kind"], item["id"].get<int64_t>()});
    return out;
  }

  json Meeting(const std::string& subject, int64_t nb) {
    const Instant now = clock_.Now();
    json body = {{"kind", "consultation"},
                 {"subject", subject},
                 {"area_id", nb},
                 {"starts_at", FormatUtc(now + std::chrono::hours(1))},
                 {"ends_at", FormatUtc(now + std::chrono::hours(2))},
                 {"place", "居委会议事厅"},
                 {"description", "欢迎参加"},
                 {"agenda", {"听取意见"}}};  // a notice needs an agenda
    HttpResult r = Api("POST", "/api/v1/meetings", Token("nb-huayang"), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body) : json::object();
  }

  // The first neighborhood of another subdistrict (nb-jiangsu's).
  int64_t OtherNeighborhood() {
    HttpResult me = Api("GET", "/api/v1/me", Token("nb-jiangsu"));
    EXPECT_EQ(me.status, 200) << me.body;
    return json::parse(me.body)["grants"][0]["area_id"].get<int64_t>();
  }
};

TEST_F(SearchTest, PrivateCaseOnlyForItsReporterAndStaff) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", building, false, "紫藤花架倒塌压坏车棚", "13900002001");
  const std::pair<std::string, int64_t> hit{"case", id};
  EXPECT_EQ(Found(Search("resident1", "紫藤花架")), std::set{hit});
  EXPECT_EQ(Found(Search("nb-huayang", "紫藤花架")), std::set{hit});
  EXPECT_EQ(Found(Search("sd-huayang", "紫藤 车棚")), std::set{hit});
  // Another resident, staff of another neighborhood and anonymous visitors: nothing, not even another page.
  for (const std::string login : {"resident2", "nb-jiangsu", ""}) {
    json page = Search(login, "紫藤花架");
    EXPECT_TRUE(page["items"].empty()) << login << ": " << page.dump();
    EXPECT_TRUE(page["next_cursor"].is_null()) << login;
  }
  // The page: the reporter sees the title with the match marked; another resident not even the title.
  HttpResult mine = SignedIn("resident1").Get("/search?q=" + http::PercentEncode("紫藤花架"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_THAT(mine.body, HasSubstr("<mark>紫藤花架</mark>倒塌压坏车棚"));
  EXPECT_THAT(mine.body, HasSubstr("href=\"/cases/" + std::to_string(id) + "\""));
  HttpResult other = SignedIn("resident2").Get("/search?q=" + http::PercentEncode("紫藤花架"));
  ASSERT_EQ(other.status, 200);
  EXPECT_THAT(other.body, Not(HasSubstr("倒塌压坏车棚")));
  EXPECT_THAT(other.body, HasSubstr("没有找到相符的结果"));
}

TEST_F(SearchTest, PublicCaseForEveryone) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", building, true, "梧桐落叶堵塞雨水口", "13900002002");
  for (const std::string login : {"", "resident2", "nb-jiangsu"}) {
    json page = Search(login, "雨水口");
    ASSERT_EQ(page["items"].size(), 1u) << login << ": " << page.dump();
    EXPECT_EQ(page["items"][0]["id"], id);
    EXPECT_EQ(page["items"][0]["path"], "/cases/" + std::to_string(id));
    EXPECT_EQ(page["items"][0]["title"], "梧桐落叶堵塞雨水口");
    bool marked = false;
    for (const auto& part : page["items"][0]["title_parts"]) marked |= part["highlighted"] && part["text"] == "雨水口";
    EXPECT_TRUE(marked) << page.dump();
  }
}

TEST_F(SearchTest, DraftMeetingOnlyForItsManagers) {
  auto [nb, building] = HomeArea();
  const json m = Meeting("海棠苑停车议事会", nb);
  const int64_t id = m.value("id", int64_t{0});
  const std::pair<std::string, int64_t> hit{"meeting", id};
  EXPECT_EQ(Found(Search("nb-huayang", "海棠苑")), std::set{hit});
  EXPECT_TRUE(Search("resident1", "海棠苑")["items"].empty());
  EXPECT_TRUE(Search("", "海棠苑")["items"].empty());
  // Noticed: everyone finds it (the index follows the edit of its state).
  ASSERT_EQ(Api("POST", "/api/v1/meetings/" + std::to_string(id) + "/notice", Token("nb-huayang")).status, 200);
  EXPECT_EQ(Found(Search("", "海棠苑")), std::set{hit});
  EXPECT_EQ(Found(Search("resident2", "海棠苑", "&kind=meeting")), std::set{hit});
  EXPECT_TRUE(Search("resident2", "海棠苑", "&kind=case")["items"].empty());
}

TEST_F(SearchTest, DraftBallotOnlyForItsManagers) {
  auto [building, neighborhood] = DemoBuilding();
  const std::string closes = FormatUtc(clock_.Now() + std::chrono::hours(24 * 10));
  HttpResult created =
      Api("POST", "/api/v1/ballots", Token("nb-huayang"),
          {{"title", "更换芙蓉苑单元门禁"}, {"matter", 7}, {"area_id", building}, {"closes_at", closes}});
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = json::parse(created.body)["id"].get<int64_t>();
  const std::pair<std::string, int64_t> hit{"ballot", id};
  // Two words: each must be in the text (as one word "芙蓉苑门禁" its bigram 苑门 would be asked for too).
  EXPECT_EQ(Found(Search("nb-huayang", "芙蓉苑 门禁")), std::set{hit});
  EXPECT_EQ(Found(Search("admin", "芙蓉苑 门禁", "&kind=ballot")), std::set{hit});
  EXPECT_TRUE(Search("owner1", "芙蓉苑 门禁")["items"].empty());
  EXPECT_TRUE(Search("", "芙蓉苑 门禁")["items"].empty());
  EXPECT_TRUE(Search("nb-jiangsu", "芙蓉苑 门禁")["items"].empty());
}

TEST_F(SearchTest, ElevatorProjectsAndAreasAreFound) {
  int64_t project_id = 0, nb_id = 0;
  std::string project_title, nb_name;
  {  // released before the requests
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto project = (*conn)->QueryOne("SELECT id, title FROM elevator_projects ORDER BY id LIMIT 1");
    ASSERT_OK(project);
    auto nb = (*conn)->QueryOne("SELECT id, name FROM areas WHERE kind = 'neighborhood' ORDER BY id LIMIT 1");
    ASSERT_OK(nb);
    project_id = project->Int(0);
    project_title = project->Text(1);
    nb_id = nb->Int(0);
    nb_name = nb->Text(1);
  }
  json p = Search("", project_title, "&kind=elevator_project");
  EXPECT_TRUE(Found(p).count({"elevator_project", project_id})) << p.dump();
  json a = Search("", nb_name, "&kind=area");
  EXPECT_TRUE(Found(a).count({"area", nb_id})) << a.dump();
  for (const auto& item : a["items"]) EXPECT_EQ(item["kind"], "area");
}

TEST_F(SearchTest, AreaFilter) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", building, true, "玉兰路灯夜间不亮", "13900002003");
  EXPECT_EQ(Found(Search("", "玉兰路灯", "&area=" + std::to_string(nb))),
            (std::set<std::pair<std::string, int64_t>>{{"case", id}}));
  EXPECT_EQ(Found(Search("", "玉兰路灯", "&area=" + std::to_string(building))).size(), 1u);
  EXPECT_TRUE(Search("", "玉兰路灯", "&area=" + std::to_string(OtherNeighborhood()))["items"].empty());
}

TEST_F(SearchTest, PagesWithoutRepeats) {
  auto [nb, building] = HomeArea();
  std::set<int64_t> made;
  for (int i = 0; i < 5; ++i) {
    made.insert(Submit("resident1", building, true, "蔷薇围栏松动第" + std::to_string(i) + "处",
                       "1390000210" + std::to_string(i)));
  }
  std::set<int64_t> seen;
  std::string cursor;
  int pages = 0;
  do {
    json page = Search("", "蔷薇围栏", "&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor));
    EXPECT_LE(page["items"].size(), 2u);
    for (const auto& item : page["items"]) EXPECT_TRUE(seen.insert(item["id"].get<int64_t>()).second) << item;
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(seen, made);
  EXPECT_EQ(pages, 3);
}

TEST_F(SearchTest, BadInputIsRefusedWithTheField) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "q"},
      {"?q=", "q"},
      {"?q=%FF%FE", ""},  // refused by the server before any route: no field, the API's envelope
      {"?q=" + http::PercentEncode(std::string(101, 'a')), "q"},
      {"?q=abc&kind=bogus", "kind"},
      {"?q=abc&area=x", "area"},
      {"?q=abc&area=999999999", "area"},
      {"?q=abc&cursor=zz", "cursor"},
      {"?q=abc&cursor=99999", "cursor"},
      {"?q=abc&limit=0", "limit"},
      {"?q=abc&limit=51", "limit"},
  };
  for (const auto& [query, field] : bad) {
    HttpResult r = Client().Get("/api/v1/search" + query);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    const json error = json::parse(r.body)["error"];
    EXPECT_EQ(error["field"], field.empty() ? json(nullptr) : json(field)) << query << ": " << r.body;
    if (field.empty()) {
      EXPECT_THAT(error["message"].get<std::string>(), HasSubstr("UTF-8"));
    }
  }
  HttpResult page = Client().Get("/search?q=%FF%FE");
  EXPECT_EQ(page.status, 400);
  EXPECT_THAT(page.body, HasSubstr("UTF-8"));
  // Punctuation only: nothing to search for, an empty answer.
  EXPECT_TRUE(Search("", "，。！")["items"].empty());
}

TEST_F(SearchTest, SnippetsAreEscaped) {
  auto [nb, building] = HomeArea();
  Submit("resident1", building, true, "石榴树<script>alert(1)</script>", "13900002004");
  HttpResult page = Client().Get("/search?q=" + http::PercentEncode("石榴树"));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(page.body, HasSubstr("<mark>石榴树</mark>&lt;script&gt;"));
}

}  // namespace
}  // namespace ningju::testing
