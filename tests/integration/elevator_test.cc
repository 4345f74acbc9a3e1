// The elevator retrofit over real sockets: the demo's project at its survey, an owner answering through the page,
// and staff walking a second building's project through the API, with its ballot, cost shares and notice
// (fixture: app_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

const std::string kPdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class ElevatorApiTest : public AppTest {
 protected:
  HttpResult Multipart(const std::string& path, const std::string& token,
                       const std::vector<std::pair<std::string, std::string>>& fields) {
    const std::string boundary = "----ningju-elevator-boundary";
    std::string body;
    for (const auto& [name, value] : fields) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    }
    body += "--" + boundary +
            "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"drawing.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n" +
            kPdf + "\r\n--" + boundary + "--\r\n";
    return Client().Send(
        "POST", path, body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  static json Parse(const HttpResult& r) { return json::parse(r.body); }
};

// Drawings and paper ballots come with files: the permission is asked before the body is parsed (STYLE.md item
// 20), so a stranger's or a resident's upload is refused as such, and only staff get a malformed body named as one.
TEST_F(ElevatorApiTest, UploadsOfThoseWhoMayNotAreRefusedBeforeTheirBodyIsParsed) {
  std::string p, b;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto project = (*conn)->QueryOne("SELECT id FROM elevator_projects ORDER BY id LIMIT 1");
    auto ballot = (*conn)->QueryOne("SELECT id FROM ballots ORDER BY id LIMIT 1");
    ASSERT_OK(project);
    ASSERT_OK(ballot);
    p = std::to_string(project->Int(0));
    b = std::to_string(ballot->Int(0));
  }  // the connection goes back before the requests below
  const std::string garbage = "this is not multipart at all";
  const std::string type = "multipart/form-data; boundary=xyz";
  const std::string resident = TokenFor("owner1"), staff = TokenFor("nb-huayang");
  HttpClient resident_web = SignedIn("owner1");
  HttpClient staff_web = SignedIn("nb-huayang");
  for (const std::string& target : {"/api/v1/elevator-projects/" + p + "/drawings", "/api/v1/ballots/" + b + "/votes",
                                    "/elevator/" + p + "/drawings", "/ballots/" + b + "/entries"}) {
    const bool api = target.rfind("/api/", 0) == 0;
    HttpResult anonymous = Client().Post(target, garbage, type);
    EXPECT_EQ(anonymous.status, 401) << target << ": " << anonymous.body;
    HttpResult refused =
        api ? Client().Send("POST", target, garbage, {{"Authorization", "Bearer " + resident}, {"Content-Type", type}})
            : resident_web.Post(target, garbage, type);
    EXPECT_EQ(refused.status, 403) << target << ": " << refused.body;
    EXPECT_THAT(refused.body, HasSubstr("manage_")) << target;  // the policy's refusal, not the CSRF check
    EXPECT_THAT(refused.body, Not(HasSubstr("CSRF"))) << target;
    HttpResult parsed =
        api ? Client().Send("POST", target, garbage, {{"Authorization", "Bearer " + staff}, {"Content-Type", type}})
            : staff_web.Post(target, garbage, type);
    EXPECT_EQ(parsed.status, 400) << target << ": " << parsed.body;
  }
  // An owner's own JSON vote is no upload: it passes the gate and reaches the ballot.
  HttpResult vote = Api("POST", "/api/v1/ballots/" + b + "/votes", resident, {{"choice", "maybe"}});
  EXPECT_EQ(vote.status, 400) << vote.body;
  EXPECT_EQ(Parse(vote)["error"]["field"], "choice");
}

TEST_F(ElevatorApiTest, DemoProjectIsAtItsSurveyAndThePublicSeesProgressOnly) {
  auto [building, neighborhood] = DemoBuilding();
  HttpResult list = Client().Get("/api/v1/elevator-projects?building_id=" + std::to_string(building));
  ASSERT_EQ(list.status, 200) << list.body;
  json items = Parse(list)["items"];
  ASSERT_EQ(items.size(), 1u);
  const json& p = items[0];
  EXPECT_EQ(p["state"], "active");
  EXPECT_EQ(p["current_step"], "survey");
  EXPECT_EQ(p["steps"].size(), 10u);
  EXPECT_EQ(p["steps"][0]["state"], "done");
  EXPECT_EQ(p["steps"][0]["data"]["grade"], "A");
  EXPECT_TRUE(p["steps"][0]["done_on"].is_string());
  EXPECT_FALSE(p["steps"][0].contains("notes"));  // the public sees no notes and no names
  EXPECT_FALSE(p.contains("answers"));
  EXPECT_GE(p["survey"]["willing"]["units"].get<int>(), 1);
  EXPECT_EQ(p["you"]["staff"], false);

  // The building page links to it; the link opens the project page.
  HttpResult area = Client().Get("/areas/" + std::to_string(building));
  EXPECT_THAT(area.body, HasSubstr("/areas/" + std::to_string(building) + "/elevator"));
  HttpResult go = Client().Get("/areas/" + std::to_string(building) + "/elevator");
  ASSERT_EQ(go.status, 303);
  EXPECT_EQ(go.Header("location"), "/elevator/" + std::to_string(p["id"].get<int64_t>()));
  HttpResult page = Client().Get(go.Header("location"));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("意愿征询"));
  EXPECT_THAT(page.body, HasSubstr("第二百七十八条"));
  EXPECT_THAT(page.body, Not(HasSubstr("街道委托的可行性评估")));  // the notes stay with owners and staff
  HttpResult english = Client().Get(go.Header("location"), {{"Accept-Language", "en"}});
  ASSERT_EQ(english.status, 200);
  EXPECT_THAT(english.body, HasSubstr("Intention survey"));
  EXPECT_THAT(english.body, HasSubstr("Feasibility assessment"));

  // Staff see the notes and every unit's answer.
  HttpResult staff =
      Api("GET", "/api/v1/elevator-projects/" + std::to_string(p["id"].get<int64_t>()), TokenFor("nb-huayang"));
  json s = Parse(staff);
  EXPECT_EQ(s["you"]["staff"], true);
  EXPECT_THAT(s["steps"][0]["notes"].get<std::string>(), HasSubstr("可行性评估"));
  EXPECT_EQ(s["answers"].size(), s["survey"]["total"]["units"].get<size_t>());
  (void)neighborhood;
}

TEST_F(ElevatorApiTest, OwnerAnswersForTheirUnitThroughThePage) {
  auto [building, neighborhood] = DemoBuilding();
  json p = Parse(Client().Get("/api/v1/elevator-projects?building_id=" + std::to_string(building)))["items"][0];
  const std::string id = std::to_string(p["id"].get<int64_t>());
  json mine = Parse(Api("GET", "/api/v1/elevator-projects/" + id, TokenFor("owner2")));
  ASSERT_EQ(mine["you"]["owner"], true);
  ASSERT_GE(mine["you"]["units"].size(), 1u);
  const int64_t unit = mine["you"]["units"][0];
  ASSERT_EQ(mine["answers"].size(), mine["you"]["units"].size());  // only their own units

  HttpClient owner = SignedIn("owner2");
  HttpResult page = owner.Get("/elevator/" + id);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("action=\"/elevator/" + id + "/survey\""));
  HttpResult answered =
      owner.PostForm("/elevator/" + id + "/survey", {{"unit_id", std::to_string(unit)}, {"answer", "unwilling"}});
  EXPECT_EQ(answered.status, 303) << answered.body;
  json after = Parse(Api("GET", "/api/v1/elevator-projects/" + id, TokenFor("owner2")));
  EXPECT_EQ(after["answers"][0]["answer"], "unwilling");
  EXPECT_EQ(after["answers"][0]["channel"], "online");
  EXPECT_GE(after["survey"]["unwilling"]["units"].get<int>(), 1);

  // Another owner's unit, and a stranger, are refused.
  json all = Parse(Api("GET", "/api/v1/elevator-projects/" + id, TokenFor("nb-huayang")))["answers"];
  int64_t other = 0;
  for (const auto& a : all) {
    bool own = false;
    for (const auto& u : mine["you"]["units"]) own = own || u == a["unit_id"];
    if (!own) other = a["unit_id"];
  }
  ASSERT_GT(other, 0);
  EXPECT_EQ(Api("POST", "/api/v1/elevator-projects/" + id + "/survey", TokenFor("owner2"),
                {{"unit_id", other}, {"answer", "willing"}})
                .status,
            403);
  EXPECT_EQ(Api("POST", "/api/v1/elevator-projects/" + id + "/survey", "", {{"unit_id", other}, {"answer", "willing"}})
                .status,
            401);
  HttpResult bad = Api("POST", "/api/v1/elevator-projects/" + id + "/survey", TokenFor("owner2"),
                       {{"unit_id", unit}, {"answer", "yes"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Parse(bad)["error"]["field"], "answer");
  (void)neighborhood;
}

TEST_F(ElevatorApiTest, StaffWalkAProjectThroughTheBallotToTheNotice) {
  auto [demo_building, neighborhood] = DemoBuilding();
  const std::string staff = TokenFor("nb-huayang");
  // Another building of the same neighborhood.
  json children = Parse(Client().Get("/api/v1/areas/" + std::to_string(neighborhood) + "/children"))["items"];
  int64_t building = 0;
  for (const auto& c : children) {
    if (c["kind"] == "building" && c["id"] != demo_building) building = c["id"];
  }
  ASSERT_GT(building, 0);
  json units = Parse(Client().Get("/api/v1/areas/" + std::to_string(building) + "/units"))["items"];
  ASSERT_GE(units.size(), 2u);

  EXPECT_EQ(Api("POST", "/api/v1/elevator-projects", "", {{"building_id", building}}).status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/elevator-projects", TokenFor("owner1"), {{"building_id", building}}).status, 403);
  HttpResult created = Api("POST", "/api/v1/elevator-projects", staff, {{"building_id", building}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string base = "/api/v1/elevator-projects/" + std::to_string(Parse(created)["id"].get<int64_t>());
  EXPECT_EQ(Api("POST", "/api/v1/elevator-projects", staff, {{"building_id", building}}).status, 409);

  // Out of order: 409 naming the step.
  HttpResult early = Api("POST", base + "/steps/plan", staff);
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(Parse(early)["error"]["code"], "failed_precondition");
  EXPECT_EQ(Parse(early)["error"]["field"], "step");
  EXPECT_EQ(Api("POST", base + "/steps/lift", staff).status, 400);

  ASSERT_EQ(Api("POST", base + "/steps/feasibility", staff, {{"grade", "A"}, {"notes", "评估：适宜"}}).status, 200);
  ASSERT_EQ(Api("POST", base + "/survey", staff, {{"unit_id", units[0]["id"]}, {"answer", "willing"}}).status, 200);
  ASSERT_EQ(Api("POST", base + "/steps/survey", staff).status, 200);
  HttpResult no_plan = Api("POST", base + "/steps/plan", staff);
  EXPECT_EQ(Parse(no_plan)["error"]["field"], "plan");
  ASSERT_EQ(Api("PUT", base + "/plan", staff, {{"text", "北侧加装"}, {"uses_estate_common_parts", false}}).status, 200);
  HttpResult drawing = Multipart(base + "/drawings", staff, {});
  ASSERT_EQ(drawing.status, 201) << drawing.body;
  EXPECT_EQ(Client().Get(Parse(drawing)["url"].get<std::string>()).body, kPdf);
  ASSERT_EQ(Api("POST", base + "/steps/plan", staff).status, 200);

  // The building ballot: item 7 over the building; every voter agrees on paper; closed, passed.
  HttpResult item8 = Api("POST", base + "/ballots", staff, {{"closes_at", "2026-06-30T10:00:00+08:00"}, {"matter", 8}});
  EXPECT_EQ(item8.status, 400);
  EXPECT_EQ(Parse(item8)["error"]["field"], "matter");
  HttpResult started = Api("POST", base + "/ballots", staff, {{"closes_at", "2026-06-30T10:00:00+08:00"}});
  ASSERT_EQ(started.status, 201) << started.body;
  const int64_t ballot = Parse(started)["ballot_id"];
  json b = Parse(Api("GET", "/api/v1/ballots/" + std::to_string(ballot), staff));
  EXPECT_EQ(b["matter"], 7);
  EXPECT_EQ(b["area_id"], building);
  EXPECT_EQ(b["state"], "open");
  HttpResult open = Api("POST", base + "/steps/building_ballot", staff);
  EXPECT_EQ(open.status, 409);
  EXPECT_EQ(Parse(open)["error"]["field"], "ballot");
  for (const auto& v : b["electorate"]["voters"]) {
    HttpResult entry = Multipart("/api/v1/ballots/" + std::to_string(ballot) + "/votes", staff,
                                 {{"voter", v["voter"]}, {"choice", "agree"}, {"channel", "paper"}});
    ASSERT_EQ(entry.status, 201) << entry.body;
  }
  ASSERT_EQ(Api("POST", "/api/v1/ballots/" + std::to_string(ballot) + "/close", staff).status, 200);
  HttpResult passed = Api("POST", base + "/steps/building_ballot", staff);
  ASSERT_EQ(passed.status, 200) << passed.body;
  json p = Parse(passed);
  EXPECT_EQ(p["current_step"], "cost_shares");
  EXPECT_EQ(p["steps"][4]["state"], "skipped");
  EXPECT_EQ(p["steps"][3]["ballots"][0]["passed"], true);
  EXPECT_EQ(p["steps"][3]["ballots"][0]["matter"], 7);
  EXPECT_EQ(p["steps"][3]["ballots"][0]["consent_rule"], "three_quarters");

  // Cost shares: every floor, summing to exactly 100.00%.
  std::set<int64_t> floors;
  for (const auto& u : units) floors.insert(u["floor"].get<int64_t>());
  json shares = json::array();
  json bad = json::array();
  const int64_t top = *floors.rbegin();
  for (int64_t f : floors) {
    shares.push_back({{"floor", f}, {"share", f == top ? "100.00" : "0.00"}});
    bad.push_back({{"floor", f}, {"share", f == top ? "99.99" : "0.00"}});
  }
  HttpResult refused = Api("PUT", base + "/cost-shares", staff, {{"total_cost", "100000.01"}, {"shares", bad}});
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(Parse(refused)["error"]["field"], "shares");
  EXPECT_EQ(Api("PUT", base + "/cost-shares", staff, {{"total_cost", 100000.01}, {"shares", shares}}).status, 400);
  HttpResult set = Api("PUT", base + "/cost-shares", staff, {{"total_cost", "100000.01"}, {"shares", shares}});
  ASSERT_EQ(set.status, 200) << set.body;
  json table = Parse(Client().Get(base + "/cost-shares"));  // public
  EXPECT_EQ(table["total_cost"], "100000.01");
  int64_t sum = 0;
  for (const auto& f : table["floors"]) {
    for (const auto& u : f["units"]) {
      const std::string a = u["amount"];
      sum += std::stoll(a.substr(0, a.size() - 3)) * 100 + std::stoll(a.substr(a.size() - 2));
    }
  }
  EXPECT_EQ(sum, 10000001);
  EXPECT_FALSE(Parse(Client().Get(base))["cost_shares_fixed"].get<bool>());
  ASSERT_EQ(Api("POST", base + "/steps/cost_shares", staff).status, 200);
  // Agreed: fixed. A change is refused (409 naming the shares) and the table stays as agreed.
  HttpResult change = Api("PUT", base + "/cost-shares", staff, {{"total_cost", "1.00"}, {"shares", shares}});
  EXPECT_EQ(change.status, 409);
  EXPECT_EQ(Parse(change)["error"]["field"], "shares");
  EXPECT_EQ(Parse(Client().Get(base + "/cost-shares"))["total_cost"], "100000.01");
  EXPECT_TRUE(Parse(Client().Get(base))["cost_shares_fixed"].get<bool>());

  // The notice: 10 + 7 days from the day after posting; completing before the end is refused.
  HttpResult notice = Api("POST", base + "/notice", staff, {{"published_on", "2026-05-29"}});
  ASSERT_EQ(notice.status, 200) << notice.body;
  EXPECT_EQ(Parse(notice)["notice_last"], "2026-06-08");
  EXPECT_EQ(Parse(notice)["objections_last"], "2026-06-15");
  HttpResult objection =
      Api("POST", base + "/objections", staff, {{"received_on", "2026-05-29"}, {"objector", "张三"}, {"body", "挡光"}});
  EXPECT_EQ(objection.status, 201) << objection.body;
  HttpResult waiting = Api("POST", base + "/steps/plan_notice", staff);
  EXPECT_EQ(waiting.status, 409);
  EXPECT_EQ(Parse(waiting)["error"]["field"], "notice");
  // A meeting of the neighborhood (the demo's), related to the step; an unknown one is refused.
  int64_t meeting = 0;
  {  // the connection goes back before this thread takes another below (no nested Acquire)
    auto conn0 = app_->db().Acquire();
    ASSERT_OK(conn0);
    auto demo_meeting = (*conn0)->QueryOptional(
        "SELECT id FROM meetings WHERE neighborhood_id = ? AND state <> 'draft' "
        "ORDER BY id LIMIT 1",
        {neighborhood});
    ASSERT_OK(demo_meeting);
    ASSERT_TRUE(demo_meeting->has_value()) << "the demo has meetings in this neighborhood";
    meeting = (*demo_meeting)->Int(0);
  }
  HttpResult unknown =
      Api("POST", base + "/meetings", staff, {{"step", "plan_notice"}, {"meeting_id", meeting + 100000}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Parse(unknown)["error"]["field"], "meeting_id");
  ASSERT_EQ(Api("POST", base + "/meetings", staff, {{"step", "plan_notice"}, {"meeting_id", meeting}}).status, 201);

  // The public page shows the progress without personal data.
  json pub = Parse(Client().Get(base));
  EXPECT_EQ(pub["objections"]["count"], 1);
  EXPECT_FALSE(pub["objections"].contains("items"));
  EXPECT_EQ(pub["steps"][6]["meetings"][0]["id"], meeting);
  EXPECT_TRUE(pub["steps"][6]["meetings"][0]["subject"].is_string());
  HttpResult html = Client().Get("/elevator/" + std::to_string(pub["id"].get<int64_t>()));
  ASSERT_EQ(html.status, 200);
  EXPECT_THAT(html.body, HasSubstr("2026-06-15"));
  EXPECT_THAT(html.body, HasSubstr("100,000.01"));  // grouped on the page (web/number_format.h), "100000.01" in JSON
  EXPECT_THAT(html.body, HasSubstr("elevator-costs-fixed"));
  // Step 4 shows and links its ballot, with the rule it was counted by.
  const size_t step4 = html.body.find("<span class=\"step-no\">4</span>");
  const size_t step5 = html.body.find("<span class=\"step-no\">5</span>");
  ASSERT_NE(step4, std::string::npos);
  const std::string step4_html = html.body.substr(step4, step5 - step4);
  EXPECT_THAT(step4_html, HasSubstr("href=\"/ballots/" + std::to_string(ballot) + "\""));
  EXPECT_THAT(step4_html, HasSubstr("四分之三"));
  EXPECT_THAT(html.body, HasSubstr("href=\"/meetings/" + std::to_string(meeting) + "\""));
  EXPECT_THAT(html.body, Not(HasSubstr("张三")));
  EXPECT_THAT(html.body, Not(HasSubstr("评估：适宜")));

  // Every change is in the audit chain, under the staff member.
  auto conn = app_->db().Acquire();
  ASSERT_OK(conn);
  auto audit = (*conn)->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE object_ref = ? AND actor_id = (SELECT id FROM "
      "users WHERE username = 'nb-huayang')",
      {"elevator:" + std::to_string(pub["id"].get<int64_t>())});
  ASSERT_OK(audit);
  EXPECT_GE(audit->Int(0), 12);
}

}  // namespace
}  // namespace ningju::testing
