// Ballots over real sockets: the demo's elevator ballot, and a ballot from creation to its notice through the API
// and the pages (fixture: app_fixture.h).
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

const std::string kSheet = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class BallotsApiTest : public AppTest {
 protected:
  // The demo ballot's scope (resident1's building) and neighborhood.
  std::pair<int64_t, int64_t> DemoScope() {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT area_id, neighborhood_id, id FROM ballots ORDER BY id LIMIT 1");
    EXPECT_OK(row);
    demo_ballot_ = row->Int(2);
    return {row->Int(0), row->Int(1)};
  }

  HttpResult Entry(int64_t id, const std::string& token, const std::string& voter, const std::string& choice,
                   const std::string& channel, const std::string& proxy_name) {
    const std::string boundary = "----ningju-test-boundary";
    std::string body;
    auto field = [&](const std::string& name, const std::string& value) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    };
    field("voter", voter);
    field("choice", choice);
    field("channel", channel);
    field("proxy_name", proxy_name);
    body += "--" + boundary +
            "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n" +
            kSheet + "\r\n--" + boundary + "--\r\n";
    return Client().Send(
        "POST", "/api/v1/ballots/" + std::to_string(id) + "/votes", body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  int64_t demo_ballot_ = 0;
};

TEST_F(BallotsApiTest, DemoElevatorBallotIsOpenWithItsCountHidden) {
  auto [building, neighborhood] = DemoScope();
  HttpResult list = Client().Get("/api/v1/ballots?neighborhood_id=" + std::to_string(neighborhood));
  ASSERT_EQ(list.status, 200) << list.body;
  json items = json::parse(list.body)["items"];
  ASSERT_GE(items.size(), 1u);
  HttpResult one = Client().Get("/api/v1/ballots/" + std::to_string(demo_ballot_));
  ASSERT_EQ(one.status, 200);
  json b = json::parse(one.body);
  EXPECT_EQ(b["state"], "open");
  EXPECT_EQ(b["matter"], 7);
  EXPECT_EQ(b["area_id"], building);
  EXPECT_GT(b["electorate"]["heads"].get<int>(), 0);
  EXPECT_THAT(one.body, Not(HasSubstr("\"choice\"")));  // an anonymous caller sees no ballot cast
  // Hidden to everyone before closing, staff included.
  HttpResult hidden = Api("GET", "/api/v1/ballots/" + std::to_string(demo_ballot_) + "/result", TokenFor("nb-huayang"));
  EXPECT_EQ(hidden.status, 409) << hidden.body;
  EXPECT_EQ(json::parse(hidden.body)["error"]["code"], "failed_precondition");
  // resident1 voted in the demo and sees their own ballot.
  json mine = json::parse(Api("GET", "/api/v1/ballots/" + std::to_string(demo_ballot_), TokenFor("resident1")).body);
  EXPECT_EQ(mine["you"]["ballot"]["choice"], "agree");
  // The pages.
  EXPECT_EQ(Client().Get("/areas/" + std::to_string(neighborhood) + "/ballots").status, 200);
  HttpResult page = Client().Get("/ballots/" + std::to_string(demo_ballot_));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("加装电梯"));
  EXPECT_EQ(Client().Get("/ballots/" + std::to_string(demo_ballot_) + "/result").status, 409);
}

TEST_F(BallotsApiTest, FromDraftToNoticeOverHttp) {
  auto [building, neighborhood] = DemoScope();
  const std::string staff = TokenFor("nb-huayang");
  const std::string closes = FormatUtc(clock_.Now() + std::chrono::hours(24 * 10));
  // Refused: a resident creating; a bad matter.
  EXPECT_EQ(Api("POST", "/api/v1/ballots", TokenFor("resident1"),
                {{"title", "t"}, {"matter", 7}, {"area_id", building}, {"closes_at", closes}})
                .status,
            403);
  HttpResult bad = Api("POST", "/api/v1/ballots", staff,
                       {{"title", "t"}, {"matter", 10}, {"area_id", building}, {"closes_at", closes}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["error"]["field"], "matter");

  HttpResult created =
      Api("POST", "/api/v1/ballots", staff,
          {{"title", "更换物业"}, {"matter", 4}, {"area_id", building}, {"closes_at", closes}, {"notice_days", 5}});
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = json::parse(created.body)["id"];
  const std::string base = "/api/v1/ballots/" + std::to_string(id);
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("resident1"), {{"choice", "agree"}}).status, 409);  // a draft
  ASSERT_EQ(Api("POST", base + "/open", staff).status, 200);

  // Owners online; an owner of another building is refused.
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("resident1"), {{"choice", "agree"}}).status, 201);
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("owner1"), {{"choice", "disagree"}}).status, 201);
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("owner1"), {{"choice", "agree"}}).status, 201);  // changed
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("resident2"), {{"choice", "agree"}}).status, 403);
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("owner1"), {{"choice", "yes"}}).status, 400);

  // Staff enter a paper ballot and a proxy ballot for two owners who have not voted.
  json detail = json::parse(Api("GET", base, staff).body);
  json voters = detail["electorate"]["voters"];
  std::string you1 = json::parse(Api("GET", base, TokenFor("resident1")).body)["you"]["voter"];
  std::string you2 = json::parse(Api("GET", base, TokenFor("owner1")).body)["you"]["voter"];
  std::vector<std::string> others;
  for (const auto& v : voters) {
    if (v["voter"] != you1 && v["voter"] != you2) others.push_back(v["voter"]);
  }
  ASSERT_GE(others.size(), 2u);
  EXPECT_EQ(Entry(id, TokenFor("resident1"), others[0], "agree", "paper", "").status, 403);
  HttpResult paper = Entry(id, staff, others[0], "agree", "paper", "");
  ASSERT_EQ(paper.status, 201) << paper.body;
  EXPECT_FALSE(json::parse(paper.body)["attachment_id"].is_null());
  EXPECT_EQ(Entry(id, staff, others[1], "abstain", "proxy", "").status, 400);  // no proxy name
  ASSERT_EQ(Entry(id, staff, others[1], "abstain", "proxy", "代理人 张").status, 201);

  ASSERT_EQ(Api("POST", base + "/close", staff).status, 200);
  EXPECT_EQ(Api("POST", base + "/votes", TokenFor("resident1"), {{"choice", "disagree"}}).status, 409);
  HttpResult result = Client().Get(base + "/result");
  ASSERT_EQ(result.status, 200) << result.body;
  json r = json::parse(result.body);
  EXPECT_EQ(r["participating"]["heads"], 4);
  EXPECT_EQ(r["consenting"]["heads"], 3);
  EXPECT_EQ(r["consent_rule"], "majority");
  EXPECT_EQ(r["ballots_by_channel"], json({{"online", 2}, {"paper", 1}, {"proxy", 1}}));
  EXPECT_EQ(r["notice"]["days"], 5);
  EXPECT_EQ(r["conditions"].size(), 4u);
  EXPECT_FALSE(r["notice"].contains("units"));  // the unit-by-unit lines are for the scope's owners and staff
  json owners_view = json::parse(Api("GET", base + "/result", TokenFor("owner2")).body);
  ASSERT_FALSE(owners_view["notice"]["units"].empty());
  for (const auto& line : owners_view["notice"]["units"]) {
    EXPECT_THAT(line["owners"].get<std::string>(), HasSubstr("*"));
  }

  // Objections while the notice runs.
  EXPECT_THAT(Api("POST", base + "/objections", "", {{"body", "x"}}).status, ::testing::AnyOf(401, 403));
  EXPECT_EQ(Api("POST", base + "/objections", TokenFor("owner2"), {{"body", "我没有收到表决票"}}).status, 201);
  json objections = json::parse(Client().Get(base + "/objections").body)["items"];
  ASSERT_EQ(objections.size(), 1u);
  EXPECT_EQ(objections[0]["body"], "我没有收到表决票");

  // The pages show every figure.
  HttpResult page = Client().Get("/ballots/" + std::to_string(id) + "/result");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr(r["total"]["area"].get<std::string>()));
  EXPECT_THAT(page.body, HasSubstr(r["participating"]["area"].get<std::string>()));
  EXPECT_THAT(page.body, HasSubstr("2/3"));
  EXPECT_THAT(page.body, HasSubstr("&gt; 1/2"));
  HttpResult notice = SignedIn("owner2").Get("/ballots/" + std::to_string(id) + "/notice");
  ASSERT_EQ(notice.status, 200);
  EXPECT_THAT(notice.body, HasSubstr("我没有收到表决票"));

  // The staff entry is in the audit chain under the staff member's name.
  auto conn = app_->db().Acquire();
  ASSERT_OK(conn);
  auto audit = (*conn)->QueryOne(
      "SELECT COUNT(*) FROM audit_log WHERE object_ref = ? AND action = "
      "'ballot.vote.paper' AND actor_id = (SELECT id FROM users WHERE username = "
      "'nb-huayang')",
      {"ballot:" + std::to_string(id)});
  ASSERT_OK(audit);
  EXPECT_EQ(audit->Int(0), 1);
}

TEST_F(BallotsApiTest, OwnerVotesThroughTheFormAndStaffOpenThroughThePage) {
  DemoScope();
  HttpClient owner = SignedIn("owner2");
  owner.Get("/ballots/" + std::to_string(demo_ballot_));
  HttpResult voted = owner.PostForm("/ballots/" + std::to_string(demo_ballot_) + "/vote", {{"choice", "disagree"}});
  EXPECT_EQ(voted.status, 303);
  HttpResult page = owner.Get("/ballots/" + std::to_string(demo_ballot_) + "?done=vote");
  EXPECT_THAT(page.body, HasSubstr("反对"));
  HttpResult no_csrf =
      owner.PostForm("/ballots/" + std::to_string(demo_ballot_) + "/vote", {{"choice", "agree"}}, false);
  EXPECT_EQ(no_csrf.status, 403);
}

}  // namespace
}  // namespace ningju::testing
