// Cases over HTTP (fixture: app_fixture.h): the full path from a resident's report to closing, the 409 of the
// workflow, 403 across subdistricts, 404, public JSON without personal data, inbox, rates, and the job runner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/jobs.h"
#include "app_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class CasesApiTest : public AppTest {
 protected:
  int64_t UnitId(const std::string& code) {
    HttpResult r = Client().Get("/api/v1/handling-units");
    EXPECT_EQ(r.status, 200);
    const json units = json::parse(r.body);
    for (const auto& u : units["items"]) {
      if (u["code"] == code) return u["id"].get<int64_t>();
    }
    ADD_FAILURE() << "no unit " << code;
    return 0;
  }

  json Report(int64_t building, bool is_public, const std::string& title = "楼道堆物长期无人清理") {
    return {{"type", "complaint"},      {"category", "property_management"},
            {"title", title},           {"description", "楼道里堆满纸箱，存在消防隐患。"},
            {"area_id", building},      {"channel", "web"},
            {"contact_name", "陆小凤"}, {"contact_phone", "13900001111"},
            {"public", is_public}};
  }

  int64_t Submit(const std::string& login, const json& body) {
    HttpResult r = Api("POST", "/api/v1/cases", Token(login), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body)["id"].get<int64_t>();
  }

  std::string Action(int64_t id, const std::string& action) {
    return "/api/v1/cases/" + std::to_string(id) + "/actions/" + action;
  }
};

TEST_F(CasesApiTest, FullPathFromReportToClose) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", Report(building, false));
  const int64_t housing = UnitId("dept-housing");
  HttpResult d = Api("POST", Action(id, "dispatch"), Token("nb-huayang"), {{"lead_unit_id", housing}});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(json::parse(d.body)["state"], "dispatched");
  // The unit's inbox holds it, with counts.
  HttpResult inbox = Api("GET", "/api/v1/handling-units/" + std::to_string(housing) + "/inbox", Token("unit-housing"));
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  json box = json::parse(inbox.body);
  EXPECT_GE(box["open"].get<int>(), 1);
  EXPECT_TRUE(box.contains("overdue"));
  EXPECT_TRUE(box.contains("due_today"));
  ASSERT_EQ(Api("POST", Action(id, "sign"), Token("unit-housing")).status, 200);
  HttpResult reply = Api("POST", Action(id, "reply"), Token("unit-housing"), {{"note", "已清理楼道，并告知诉求人。"}});
  ASSERT_EQ(reply.status, 200) << reply.body;
  HttpResult rate = Api("POST", Action(id, "follow_up"), Token("resident1"),
                        {{"resolved", true}, {"satisfaction", "satisfied"}, {"comment", "很满意"}});
  ASSERT_EQ(rate.status, 200) << rate.body;
  EXPECT_EQ(json::parse(rate.body)["state"], "followed_up");
  HttpResult closed = Api("POST", Action(id, "close"), Token("nb-huayang"));
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(json::parse(closed.body)["state"], "closed");

  HttpResult get = Api("GET", "/api/v1/cases/" + std::to_string(id), Token("resident1"));
  ASSERT_EQ(get.status, 200);
  json c = json::parse(get.body);
  std::vector<std::string> kinds;
  for (const auto& e : c["timeline"]) kinds.push_back(e["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{"submitted", "dispatch", "sign", "reply", "follow_up", "close"}));
  EXPECT_EQ(c["contact_phone"], "13900001111");  // the reporter sees their own contact
  EXPECT_EQ(c["follow_ups"][0]["satisfaction"], "satisfied");

  // An illegal action is a 409 naming the state and what is allowed.
  HttpResult illegal = Api("POST", Action(id, "sign"), Token("unit-housing"));
  EXPECT_EQ(illegal.status, 409);
  json err = json::parse(illegal.body)["error"];
  EXPECT_EQ(err["code"], "failed_precondition");
  EXPECT_EQ(err["message"], "action sign is not allowed in state closed; allowed: reopen");
}

TEST_F(CasesApiTest, OtherSubdistrictsStaffGet403AndMissingThings404) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", Report(building, false));
  HttpResult other = Api("GET", "/api/v1/cases/" + std::to_string(id), Token("sd-jiangsu"));
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_THAT(other.body, Not(HasSubstr("13900001111")));
  EXPECT_EQ(Api("GET", "/api/v1/cases/" + std::to_string(id), Token("sd-huayang")).status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/cases/" + std::to_string(id), "").status, 401);
  EXPECT_EQ(Api("POST", Action(id, "accept"), Token("resident2")).status, 403);
  EXPECT_EQ(Api("GET", "/api/v1/cases/987654321", Token("admin")).status, 404);
  EXPECT_EQ(Api("POST", Action(id, "teleport"), Token("admin")).status, 404);
  EXPECT_EQ(Api("GET", "/api/v1/handling-units/987654321/inbox", Token("admin")).status, 404);
  // Another subdistrict's list does not show it.
  HttpResult list = Api("GET", "/api/v1/cases?limit=200", Token("sd-jiangsu"));
  ASSERT_EQ(list.status, 200);
  const json listed = json::parse(list.body);
  for (const auto& c : listed["items"]) EXPECT_NE(c["id"].get<int64_t>(), id);
}

TEST_F(CasesApiTest, PublicJsonHasNoNameOrPhone) {
  auto [nb, building] = HomeArea();
  const int64_t id = Submit("resident1", Report(building, true, "路灯不亮"));
  HttpResult one = Api("GET", "/api/v1/cases/" + std::to_string(id), "");
  ASSERT_EQ(one.status, 200);
  EXPECT_THAT(one.body, Not(HasSubstr("13900001111")));
  EXPECT_THAT(one.body, Not(HasSubstr("陆小凤")));
  EXPECT_FALSE(json::parse(one.body).contains("contact_phone"));
  HttpResult list = Api("GET", "/api/v1/cases?public=1&area=" + std::to_string(nb) + "&limit=200", "");
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, HasSubstr("路灯不亮"));
  EXPECT_THAT(list.body, Not(HasSubstr("13900001111")));
  EXPECT_THAT(list.body, Not(HasSubstr("contact_name")));
  // Me too: once.
  const std::string path = "/api/v1/cases/" + std::to_string(id) + "/me-too";
  HttpResult me = Api("POST", path, Token("resident2"));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(json::parse(me.body)["me_too_count"], 1);
  EXPECT_EQ(Api("POST", path, Token("resident2")).status, 409);
  EXPECT_EQ(Api("POST", path, "").status, 401);
}

TEST_F(CasesApiTest, IntakeErrorsNameTheField) {
  auto [nb, building] = HomeArea();
  json anonymous = Report(building, false);
  anonymous.erase("contact_phone");
  HttpResult r = Api("POST", "/api/v1/cases", "", anonymous);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["field"], "contact_phone");
  json api = Report(building, false);
  api["channel"] = "api";
  EXPECT_EQ(Api("POST", "/api/v1/cases", "", api).status, 401);
  json unknown = Report(building, false);
  unknown["priority"] = "high";
  HttpResult u = Api("POST", "/api/v1/cases", Token("resident1"), unknown);
  EXPECT_EQ(u.status, 400);
  EXPECT_EQ(json::parse(u.body)["error"]["field"], "priority");
  json bad_area = Report(building, false);
  bad_area["area_id"] = "seven";
  EXPECT_EQ(json::parse(Api("POST", "/api/v1/cases", Token("resident1"), bad_area).body)["error"]["field"], "area_id");
  // Anonymous with a phone from a door QR code: accepted, no reporter.
  json door = Report(building, false);
  door["channel"] = "door_qr";
  HttpResult ok = Api("POST", "/api/v1/cases", "", door);
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(CasesApiTest, CategoriesSimilarAndMetrics) {
  HttpResult cats = Api("GET", "/api/v1/case-categories", "");
  ASSERT_EQ(cats.status, 200);
  EXPECT_THAT(cats.body, HasSubstr("\"elevator_retrofit\""));
  EXPECT_THAT(cats.body, HasSubstr("加装电梯"));
  auto [nb, building] = HomeArea();
  Submit("resident1", Report(building, true, "3号楼电梯故障停运"));
  HttpResult similar =
      Client().Get("/api/v1/cases/similar?area=" + std::to_string(building) + "&building=" + std::to_string(building) +
                   "&title=" + UrlEncode("电梯又坏了") + "&description=" + UrlEncode("电梯故障停运"));
  ASSERT_EQ(similar.status, 200) << similar.body;
  json items = json::parse(similar.body)["items"];
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0]["title"], "3号楼电梯故障停运");
  EXPECT_TRUE(items[0]["same_building"].get<bool>());
  EXPECT_EQ(Client().Get("/api/v1/cases/similar?title=x").status, 400);

  HttpResult m = Api("GET", "/api/v1/case-metrics?group=unit&from=2026-01-01&to=2026-12-31", Token("admin"));
  ASSERT_EQ(m.status, 200) << m.body;
  json rows = json::parse(m.body)["items"];
  ASSERT_FALSE(rows.empty());  // the demo's cases
  for (const auto& row : rows) {
    EXPECT_LE(row["response_rate"]["numerator"].get<int64_t>(), row["response_rate"]["denominator"].get<int64_t>());
    EXPECT_EQ(row["response_rate"]["denominator"], row["dispatched"]);
  }
  EXPECT_EQ(Api("GET", "/api/v1/case-metrics?group=area", Token("sd-huayang")).status, 200);
  EXPECT_EQ(Api("GET", "/api/v1/case-metrics", Token("resident1")).status, 403);
  EXPECT_EQ(Api("GET", "/api/v1/case-metrics?from=2026-13-01", Token("admin")).status, 400);
}

TEST_F(CasesApiTest, OneRunnerClaimsADueJob) {
  FakeClock clock(FromUnix(1'900'000'000));
  app::JobRunner first(app_->db(), clock, "first");
  app::JobRunner second(app_->db(), clock, "second");
  int runs = 0;
  ASSERT_OK(first.Register("test.counter", 60, [&] {
    ++runs;
    return OkStatus();
  }));
  ASSERT_OK(second.Register("test.counter", 60, [&] {
    ++runs;
    return OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(auto a, first.RunDue());
  ASSERT_OK_AND_ASSIGN(auto b, second.RunDue());
  EXPECT_EQ(a, (std::vector<std::string>{"test.counter"}));
  EXPECT_TRUE(b.empty());  // not due again for 60 seconds
  EXPECT_EQ(runs, 1);
  clock.Advance(std::chrono::seconds(61));
  ASSERT_OK_AND_ASSIGN(auto c, second.RunDue());
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(runs, 2);
  // A lease held by a runner that died blocks others until it expires.
  clock.Advance(std::chrono::seconds(61));
  {  // given back before RunDue takes one (no nested Acquire)
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute("UPDATE jobs SET locked_by = 'dead', locked_until = ? WHERE name = 'test.counter'",
                               {ToUnix(clock.Now()) + 600}));
  }
  ASSERT_OK_AND_ASSIGN(auto d, first.RunDue());
  EXPECT_TRUE(d.empty());
  clock.Advance(std::chrono::seconds(601));
  ASSERT_OK_AND_ASSIGN(auto e, first.RunDue());
  EXPECT_EQ(e.size(), 1u);
  EXPECT_EQ(runs, 3);
}

}  // namespace
}  // namespace ningju::testing
