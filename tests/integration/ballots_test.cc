// Ballots over real sockets: the demo's elevator ballot, and a ballot from creation to its notice through the API
// and the pages (fixture: app_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "common/decimal.h"
#include "testing/status_matchers.h"
#include "web/number_format.h"
#include "web/svg_bars.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// A stored figure as an integer: heads as they are, areas ("720.00") in hundredths of a square metre.
int64_t Figure(const json& v) {
  if (!v.is_string()) return v.get<int64_t>();
  auto area = Area::Parse(v.get<std::string>());
  EXPECT_OK(area);
  return area.ok() ? area->hundredths() : 0;
}

const std::string kSheet = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class BallotsApiTest : public AppTest {
 protected:
  // The clock is shared by every suite of the binary: each test puts it back.
  void SetUp() override { start_ = clock_.Now(); }
  void TearDown() override { clock_.Set(start_); }

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

  // A ballot of `area` created and opened by `staff` (an API token), closing `closes_in` from now.
  int64_t OpenBallot(const std::string& staff, int64_t area, const std::string& title, std::chrono::seconds closes_in) {
    HttpResult created =
        Api("POST", "/api/v1/ballots", staff,
            {{"title", title}, {"matter", 7}, {"area_id", area}, {"closes_at", FormatUtc(clock_.Now() + closes_in)}});
    EXPECT_EQ(created.status, 201) << created.body;
    if (created.status != 201) return 0;
    const int64_t id = json::parse(created.body)["id"];
    EXPECT_EQ(Api("POST", "/api/v1/ballots/" + std::to_string(id) + "/open", staff).status, 200);
    return id;
  }

  std::string StateOf(int64_t id) {
    HttpResult r = Client().Get("/api/v1/ballots/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? json::parse(r.body)["state"].get<std::string>() : "";
  }

  int64_t demo_ballot_ = 0;
  Instant start_;
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
  // Grouped by three on the page (web/number_format.h), plain in the API: "1,234.50 m²" and "1234.50".
  EXPECT_THAT(page.body, HasSubstr(web::FormatJsonNumber(r["total"]["area"]) + " m²"));
  EXPECT_THAT(page.body, HasSubstr(web::FormatJsonNumber(r["participating"]["area"]) + " m²"));
  EXPECT_THAT(page.body, HasSubstr("<dd>" + web::FormatJsonNumber(r["total"]["area"]) + " m²<br>" +
                                   web::FormatJsonNumber(r["total"]["heads"]) + " 人</dd>"));
  EXPECT_TRUE(r["total"]["heads"].is_number_integer());
  EXPECT_THAT(page.body, HasSubstr("2/3"));
  EXPECT_THAT(page.body, HasSubstr("&gt; 1/2"));
  // The four conditions drawn as bars by the server (web/svg_bars.h), before the table, which stays as the exact
  // record and for screen readers.
  const size_t svg = page.body.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" width=\"100%\"");
  ASSERT_NE(svg, std::string::npos) << page.body;
  // The summary in zh-CN punctuation: "：" after the title, "；" between the conditions, no ASCII ":" or ";".
  EXPECT_THAT(page.body, HasSubstr("role=\"img\" aria-label=\"四项条件：参与表决的专有部分面积 "));
  const size_t aria = page.body.find("aria-label=\"", svg) + 12;
  std::string summary = page.body.substr(aria, page.body.find('"', aria) - aria);
  for (size_t at = summary.find("&gt;"); at != std::string::npos; at = summary.find("&gt;")) {
    summary.replace(at, 4, ">");
  }
  EXPECT_EQ(Count(summary, "；"), 3u) << summary;
  for (const char* ascii : {"(", ")", ":", ";", ", "}) EXPECT_EQ(summary.find(ascii), std::string::npos) << summary;
  // Below 600px the conditions are cards (static/app.css .card-table), every cell named by its column.
  EXPECT_LT(svg, page.body.find("<table class=\"ballot-conditions card-table\">"));
  EXPECT_THAT(page.body, HasSubstr("<td data-label=\"比例要求\">"));
  EXPECT_EQ(Count(page.body, "<g class=\"bar-row\">"), 4u);
  EXPECT_EQ(Count(page.body, "<rect class=\"bar-fill "), 4u);
  EXPECT_EQ(Count(page.body, "<tr><th scope=\"row\">"), 4u);  // the table's four rows
  for (size_t i = 0; i < 4; ++i) {
    const json& c = r["conditions"][i];
    const std::string tone = c["met"].get<bool>() ? "bar-met" : "bar-unmet";
    const int top = static_cast<int>(i) * (web::kBarsRowHeight + web::kBarsThresholdTextHeight);
    // The share from the track's left edge, and the marker at the threshold's exact fraction: participation at 2/3
    // (6 + 232), majority consent at 1/2 (6 + 174).
    EXPECT_THAT(page.body, HasSubstr("<rect class=\"bar-fill " + tone + "\" x=\"6\" y=\"" + std::to_string(top + 40) +
                                     "\" width=\"" + web::BarLength(Figure(c["numerator"]), Figure(c["denominator"])) +
                                     "\" height=\"16\"/>"))
        << i;
    const std::string x = i < 2 ? "238" : "180";
    EXPECT_THAT(page.body, HasSubstr("<line class=\"bar-threshold\" x1=\"" + x + "\" y1=\"" + std::to_string(top + 37) +
                                     "\" x2=\"" + x + "\""))
        << i;
    // The exact figures as the table has them, colored as met or not, and the threshold under its marker.
    auto text = [](const json& v) { return web::FormatJsonNumber(v); };  // grouped: "1,234.50"
    const std::string value = text(c["numerator"]) + " / " + text(c["denominator"]) +
                              (c["measure"] == "area" ? " m²" : " 人") + " · " +
                              (c["met"].get<bool>() ? "达到" : "未达到");
    EXPECT_THAT(page.body, HasSubstr("<text class=\"bar-value " + tone + "\" x=\"6\" y=\"" + std::to_string(top + 34) +
                                     "\">" + value + "</text>"))
        << i;
    const std::string threshold =
        std::string(c["strict"].get<bool>() ? "&gt; " : "≥ ") + c["threshold"].get<std::string>();
    EXPECT_THAT(page.body,
                HasSubstr("<text class=\"bar-threshold-text\" x=\"" + x + "\" y=\"" + std::to_string(top + 74) +
                          "\" text-anchor=\"middle\">比例要求 " + threshold + "</text>"))
        << i;
  }
  const std::string drawing = page.body.substr(svg, page.body.find("</svg>", svg) - svg);
  EXPECT_THAT(drawing, Not(HasSubstr("style=")));  // the CSP allows no inline style
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

// Closing early cannot be undone: the page's close form has a box to tick that names the consequence, and the form
// posted without it is refused (400, field "confirm") with the ballot still open. The API asks no such thing.
TEST_F(BallotsApiTest, ClosingEarlyThroughThePageAsksToConfirm) {
  auto [building, neighborhood] = DemoScope();
  const std::string token = TokenFor("nb-huayang");
  const int64_t id = OpenBallot(token, building, "更换单元门禁", std::chrono::hours(24 * 10));
  ASSERT_NE(id, 0);
  const std::string path = "/ballots/" + std::to_string(id);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<input type=\"checkbox\" name=\"confirm\" value=\"1\" required> "
                                   "我知道：提前截止后不能再投票，结果立即公布</label>"));
  EXPECT_THAT(page.body, HasSubstr("<button type=\"submit\" class=\"danger\">结束表决并计票</button>"));

  // Not ticked (or any other value): 400 naming the field, on the error page; the ballot stays open.
  HttpResult unticked = staff.PostForm(path + "/close", {});
  EXPECT_EQ(unticked.status, 400) << unticked.body;
  EXPECT_THAT(unticked.body, HasSubstr("role=\"alert\">请勾选确认框：此操作不能撤销"));
  EXPECT_THAT(unticked.body, HasSubstr("<code>确认框</code>"));  // the field, in the visitor's language
  EXPECT_EQ(staff.PostForm(path + "/close", {{"confirm", "on"}}).status, 400);
  EXPECT_EQ(StateOf(id), "open");
  // Someone who may not close it is told so, ticked or not, never asked to confirm.
  HttpClient owner = SignedIn("owner2");
  owner.Get(path);
  EXPECT_EQ(owner.PostForm(path + "/close", {}).status, 403);
  EXPECT_EQ(owner.PostForm(path + "/close", {{"confirm", "1"}}).status, 403);
  EXPECT_EQ(StateOf(id), "open");

  // Ticked: closed, to the result page, as before.
  HttpResult closed = staff.PostForm(path + "/close", {{"confirm", "1"}});
  ASSERT_EQ(closed.status, 303) << closed.body;
  EXPECT_EQ(closed.Header("location"), path + "/result");
  EXPECT_EQ(StateOf(id), "closed");

  // After the closing time nobody can vote anyway: the form asks nothing and closes without the box.
  const int64_t late = OpenBallot(token, building, "更换单元门禁（已到截止时间）", std::chrono::hours(1));
  ASSERT_NE(late, 0);
  const std::string late_path = "/ballots/" + std::to_string(late);
  clock_.Advance(std::chrono::hours(2));
  HttpClient later = SignedIn("nb-huayang");
  HttpResult late_page = later.Get(late_path);
  ASSERT_EQ(late_page.status, 200);
  EXPECT_THAT(late_page.body, HasSubstr("action=\"" + late_path + "/close\""));
  EXPECT_THAT(late_page.body, Not(HasSubstr("name=\"confirm\"")));
  HttpResult late_close = later.PostForm(late_path + "/close", {});
  ASSERT_EQ(late_close.status, 303) << late_close.body;
  EXPECT_EQ(StateOf(late), "closed");
}

}  // namespace
}  // namespace ningju::testing
