// Meetings over real sockets: the API from creation to minutes, the pages and forms, the .ics feed, and the
// refusals (fixture: app_fixture.h; the demo's nb-huayang staffs the first neighborhood, where resident1 lives).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "common/clock.h"
#include "common/time.h"
#include "governance/decisions/meetings.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

class MeetingsApiTest : public AppTest {
 protected:
  HttpResult Api(const std::string& method, const std::string& path, const std::string& token,
                 const json& body = json::object()) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    return Client().Send(method, path, method == "GET" ? "" : body.dump(), headers);
  }

  // The neighborhood nb-huayang staffs.
  int64_t Neighborhood() {
    HttpResult me = Client().Get("/api/v1/me", {{"Authorization", "Bearer " + TokenFor("nb-huayang")}});
    EXPECT_EQ(me.status, 200) << me.body;
    return json::parse(me.body)["grants"][0]["area_id"].get<int64_t>();
  }

  // A consultation in an hour (sign-in is open), created by nb-huayang through the API.
  json CreateMeeting(const std::string& staff, int64_t nb, const std::string& subject) {
    const Instant now = clock_.Now();
    json body = {{"kind", "consultation"},
                 {"subject", subject},
                 {"area_id", nb},
                 {"starts_at", FormatUtc(now + std::chrono::hours(1))},
                 {"ends_at", FormatUtc(now + std::chrono::hours(2))},
                 {"place", "居委会议事厅, 2楼"},
                 {"description", "欢迎参加"},
                 {"agenda", {"介绍方案", "听取意见"}},
                 {"links", {"case:12", {{"relation", "decided_by"}, {"ref", "ballot:3"}}}}};
    HttpResult r = Api("POST", "/api/v1/meetings", staff, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body);
  }
};

std::string Unfold(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

TEST_F(MeetingsApiTest, ApiFromCreationToMinutes) {
  const std::string staff = TokenFor("nb-huayang");
  const std::string resident = TokenFor("resident1");
  const int64_t nb = Neighborhood();
  json m = CreateMeeting(staff, nb, "1号楼加装电梯意向征询会");
  const std::string path = "/api/v1/meetings/" + std::to_string(m["id"].get<int64_t>());
  EXPECT_EQ(m["state"], "draft");
  EXPECT_EQ(m["links"].size(), 2u);
  EXPECT_EQ(m["agenda"].size(), 2u);

  // A draft is the managers' only.
  EXPECT_EQ(Api("GET", path, "").status, 404);
  EXPECT_EQ(Api("POST", path + "/register", resident).status, 404);

  HttpResult noticed = Api("POST", path + "/notice", staff);
  ASSERT_EQ(noticed.status, 200) << noticed.body;
  EXPECT_EQ(json::parse(noticed.body)["state"], "noticed");
  EXPECT_EQ(Api("POST", path + "/notice", staff).status, 409);

  HttpResult reg = Api("POST", path + "/register", resident);
  ASSERT_EQ(reg.status, 200) << reg.body;
  EXPECT_TRUE(json::parse(reg.body)["viewer_registered"].get<bool>());
  HttpResult again = Api("POST", path + "/register", resident);
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(json::parse(again.body)["error"]["code"], "already_exists");
  // resident2 lives in another subdistrict.
  EXPECT_EQ(Api("POST", path + "/register", TokenFor("resident2")).status, 403);
  EXPECT_EQ(Api("POST", path + "/register", "").status, 401);

  HttpResult signed_in = Api("POST", path + "/sign-in", staff, {{"login", "resident1"}});
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_EQ(json::parse(signed_in.body)["state"], "held");
  ASSERT_EQ(Api("POST", path + "/sign-in", staff, {{"name", "物业公司 周某"}, {"role", "organization"}}).status, 200);
  ASSERT_EQ(Api("POST", path + "/sign-in", staff, {{"login", "deputy-congress"}}).status, 200);
  EXPECT_EQ(Api("POST", path + "/sign-in", staff, {{"login", "resident1"}}).status, 409);
  EXPECT_EQ(Api("POST", path + "/sign-in", resident, {{"name", "某人"}, {"role", "owner"}}).status, 403);
  HttpResult bad_role = Api("POST", path + "/sign-in", staff, {{"name", "某人"}, {"role", "king"}});
  EXPECT_EQ(bad_role.status, 400);
  EXPECT_EQ(json::parse(bad_role.body)["error"]["field"], "role");

  HttpResult too_many =
      Api("POST", path + "/decisions", staff, {{"text", "同意"}, {"for", 3}, {"against", 1}, {"abstain", 0}});
  EXPECT_EQ(too_many.status, 400);
  EXPECT_EQ(json::parse(too_many.body)["error"]["field"], "votes");
  HttpResult decided = Api("POST", path + "/decisions", staff,
                           {{"text", "同意进入意见征询"}, {"for", 2}, {"against", 0}, {"abstain", 1}});
  ASSERT_EQ(decided.status, 201) << decided.body;
  HttpResult action = Api("POST", path + "/actions", staff,
                          {{"title", "张贴征询结果"},
                           {"assignee", "resident1"},
                           {"due_date", FormatShanghaiDate(clock_.Now() + std::chrono::hours(24 * 7))}});
  ASSERT_EQ(action.status, 201) << action.body;
  const int64_t action_id = json::parse(action.body)["actions"][0]["id"].get<int64_t>();
  HttpResult minutes =
      Api("POST", path + "/minutes", staff, {{"text", "与会居民同意进入意见征询。"}, {"publish", true}});
  ASSERT_EQ(minutes.status, 200) << minutes.body;
  EXPECT_EQ(json::parse(minutes.body)["state"], "minuted");
  // The assignee marks the action done; nobody else but the managers may.
  EXPECT_EQ(
      Api("PATCH", path + "/actions/" + std::to_string(action_id), TokenFor("resident2"), {{"done", true}}).status,
      403);
  HttpResult done = Api("PATCH", path + "/actions/" + std::to_string(action_id), resident, {{"done", true}});
  ASSERT_EQ(done.status, 200) << done.body;

  // The public view: counts by role, minutes, decisions, masked names, no attendee list.
  HttpResult pub = Api("GET", path, "");
  ASSERT_EQ(pub.status, 200);
  json p = json::parse(pub.body);
  EXPECT_EQ(p["attendance"]["total"], 3);
  EXPECT_EQ(p["attendance"]["by_role"]["organization"], 1);
  EXPECT_EQ(p["attendance"]["by_role"]["deputy"], 1);
  EXPECT_EQ(p["attendance"]["by_role"]["owner"], 1);  // resident1 owns a unit in the neighborhood
  EXPECT_EQ(p["minutes"], "与会居民同意进入意见征询。");
  EXPECT_EQ(p["decisions"][0]["show_of_hands"]["for"], 2);
  EXPECT_TRUE(p["actions"][0]["done"].get<bool>());
  EXPECT_FALSE(p.contains("attendees"));
  EXPECT_FALSE(p.contains("registrations"));
  EXPECT_THAT(p["convener"]["name"].get<std::string>(), HasSubstr("*"));
  EXPECT_THAT(pub.body, Not(HasSubstr("居民 resident1")));
  json staff_view = json::parse(Api("GET", path, staff).body);
  EXPECT_EQ(staff_view["attendees"].size(), 3u);
  EXPECT_EQ(staff_view["registrations"][0]["name"], "居民 resident1");

  // The list of the neighborhood shows it to everyone.
  HttpResult list = Api("GET", "/api/v1/meetings?neighborhood=" + std::to_string(nb) + "&limit=50", "");
  ASSERT_EQ(list.status, 200);
  bool listed = false;
  const json items = json::parse(list.body)["items"];
  for (const auto& item : items) listed = listed || item["id"] == m["id"];
  EXPECT_TRUE(listed) << list.body;
  EXPECT_EQ(Api("GET", "/api/v1/meetings", "").status, 400);
}

TEST_F(MeetingsApiTest, ApiRefusals) {
  const int64_t nb = Neighborhood();
  json body = {{"kind", "hearing"},
               {"subject", "x"},
               {"area_id", nb},
               {"starts_at", "2026-06-01T19:00:00+08:00"},
               {"ends_at", "2026-06-01T20:00:00+08:00"},
               {"place", "居委会"}};
  EXPECT_EQ(Api("POST", "/api/v1/meetings", "", body).status, 401);
  EXPECT_EQ(Api("POST", "/api/v1/meetings", TokenFor("resident1"), body).status, 403);
  EXPECT_EQ(Api("POST", "/api/v1/meetings", TokenFor("nb-jiangsu"), body).status, 403);
  json unknown = body;
  unknown["colour"] = "red";
  HttpResult r = Api("POST", "/api/v1/meetings", TokenFor("nb-huayang"), unknown);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["field"], "colour");
  json bad_time = body;
  bad_time["starts_at"] = "2026-06-01 19:00";
  r = Api("POST", "/api/v1/meetings", TokenFor("nb-huayang"), bad_time);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"]["field"], "starts_at");
  // A hearing with no agenda cannot be noticed.
  r = Api("POST", "/api/v1/meetings", TokenFor("nb-huayang"), body);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string path = "/api/v1/meetings/" + std::to_string(json::parse(r.body)["id"].get<int64_t>());
  HttpResult notice = Api("POST", path + "/notice", TokenFor("nb-huayang"));
  EXPECT_EQ(notice.status, 409);
  EXPECT_EQ(json::parse(notice.body)["error"]["code"], "failed_precondition");
  EXPECT_EQ(Api("POST", path + "/notice", TokenFor("nb-jiangsu")).status, 404);
  EXPECT_EQ(Api("GET", "/api/v1/meetings/abc", "").status, 400);
  EXPECT_EQ(Api("GET", "/api/v1/meetings/999999", "").status, 404);
  // The kinds are listed to all and configured by the district admin only.
  HttpResult kinds = Api("GET", "/api/v1/meeting-kinds", "");
  ASSERT_EQ(kinds.status, 200);
  EXPECT_EQ(json::parse(kinds.body)["items"].size(), 6u);
  json kind = {{"code", "mediation"}, {"name_zh", "调解会"}, {"name_en", "Mediation"}, {"notice_days", 1}};
  EXPECT_EQ(Api("POST", "/api/v1/meeting-kinds", TokenFor("nb-huayang"), kind).status, 403);
}

TEST_F(MeetingsApiTest, PagesAndFormsWithCsrf) {
  const int64_t nb = Neighborhood();
  const std::string list_path = "/neighborhoods/" + std::to_string(nb) + "/meetings";
  // The public list shows the demo's noticed meetings but not its draft.
  HttpResult pub = Client().Get(list_path);
  ASSERT_EQ(pub.status, 200);
  EXPECT_THAT(pub.body, HasSubstr("小区停车收费方案听证会"));
  EXPECT_THAT(pub.body, Not(HasSubstr("修订居民公约")));
  EXPECT_THAT(pub.body, Not(HasSubstr("/meetings/new")));

  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(list_path);
  EXPECT_THAT(page.body, HasSubstr("修订居民公约"));
  HttpResult form = staff.Get(list_path + "/new");
  ASSERT_EQ(form.status, 200);
  const Instant soon = clock_.Now() + std::chrono::minutes(90);
  const std::string date = FormatShanghaiDate(soon);
  const std::string hhmm = FormatShanghai(soon).substr(11, 5);
  std::vector<std::pair<std::string, std::string>> fields = {{"kind", "coordination"},
                                                             {"subject", "楼道堆物协调会"},
                                                             {"area_id", std::to_string(nb)},
                                                             {"date", date},
                                                             {"start_time", hhmm},
                                                             {"end_time", hhmm == "23:59" ? "00:30" : "23:59"},
                                                             {"place", "3号楼门口"},
                                                             {"agenda", "清理方案\n\n责任分工\n"},
                                                             {"links", "case:5"}};
  HttpResult forged = staff.PostForm(list_path, fields, false);
  EXPECT_EQ(forged.status, 403);
  // A form with a problem comes back with the message and the values kept.
  auto broken = fields;
  broken[1].second = "";
  HttpResult refused = staff.PostForm(list_path, broken);
  EXPECT_EQ(refused.status, 400);
  EXPECT_THAT(refused.body, HasSubstr("subject"));
  EXPECT_THAT(refused.body, HasSubstr("3号楼门口"));
  staff.Get(list_path + "/new");
  HttpResult created = staff.PostForm(list_path, fields);
  ASSERT_EQ(created.status, 303) << created.body;
  const std::string meeting = created.Header("location");
  ASSERT_THAT(meeting, HasSubstr("/meetings/"));
  HttpResult draft = staff.Get(meeting);
  ASSERT_EQ(draft.status, 200);
  EXPECT_THAT(draft.body, HasSubstr("责任分工"));
  EXPECT_THAT(draft.body, HasSubstr("case:5"));
  EXPECT_EQ(Client().Get(meeting).status, 404);
  ASSERT_EQ(staff.PostForm(meeting + "/notice", {}).status, 303);

  HttpClient resident = SignedIn("resident1");
  EXPECT_EQ(resident.Get(list_path + "/new").status, 403);
  HttpResult view = resident.Get(meeting);
  ASSERT_EQ(view.status, 200);
  EXPECT_THAT(view.body, HasSubstr("action=\"" + meeting + "/register\""));
  ASSERT_EQ(resident.PostForm(meeting + "/register", {}).status, 303);
  EXPECT_THAT(resident.Get(meeting).body, HasSubstr("您已报名"));
  // A resident cannot sign people in.
  EXPECT_EQ(resident.PostForm(meeting + "/sign-in", {{"name", "某人"}, {"role", "owner"}}).status, 403);

  HttpResult sheet = staff.Get(meeting);
  EXPECT_THAT(sheet.body, HasSubstr("居民 resident1"));
  ASSERT_EQ(staff.PostForm(meeting + "/sign-in", {{"name", "业主 王某"}, {"role", "owner"}}).status, 303);
  staff.Get(meeting);
  ASSERT_EQ(
      staff
          .PostForm(meeting + "/decisions",
                    {{"text", "限期两周清理"}, {"votes_for", "1"}, {"votes_against", "0"}, {"votes_abstain", "0"}})
          .status,
      303);
  staff.Get(meeting);
  ASSERT_EQ(staff.PostForm(meeting + "/minutes", {{"minutes", "会议纪要：限期清理。"}, {"publish", "1"}}).status, 303);
  HttpResult shown = Client().Get(meeting);
  ASSERT_EQ(shown.status, 200);
  EXPECT_THAT(shown.body, HasSubstr("会议纪要：限期清理。"));
  EXPECT_THAT(shown.body, HasSubstr("限期两周清理"));
  EXPECT_THAT(shown.body, Not(HasSubstr("业主 王某")));  // names stay with the staff
  EXPECT_THAT(Client().Get(meeting, {{"Accept-Language", "en"}}).body, HasSubstr("Minutes published"));
}

TEST_F(MeetingsApiTest, IcsFeedOfANeighborhood) {
  const int64_t nb = Neighborhood();
  HttpResult r = Client().Get("/neighborhoods/" + std::to_string(nb) + "/meetings.ics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "text/calendar; charset=utf-8");
  EXPECT_EQ(r.body.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u);
  EXPECT_THAT(r.body, HasSubstr("END:VCALENDAR\r\n"));
  for (size_t i = 0; i < r.body.size(); ++i) {
    if (r.body[i] == '\n') {
      ASSERT_TRUE(i > 0 && r.body[i - 1] == '\r') << "bare LF at " << i;
    }
  }
  size_t line_start = 0;
  while (line_start < r.body.size()) {
    size_t end = r.body.find("\r\n", line_start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - line_start, 75u);
    line_start = end + 2;
  }
  const std::string unfolded = Unfold(r.body);
  EXPECT_THAT(unfolded, HasSubstr("SUMMARY:听证会：小区停车收费方案听证会\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("STATUS:CANCELLED\r\n"));  // the demo's cancelled consultation
  EXPECT_THAT(unfolded, Not(HasSubstr("修订居民公约")));     // a draft is not published
  EXPECT_THAT(unfolded, HasSubstr("UID:meeting-"));
  EXPECT_THAT(unfolded, HasSubstr("DTSTAMP:"));
  EXPECT_THAT(unfolded, HasSubstr("URL:http://"));
  EXPECT_EQ(Client().Get("/neighborhoods/999999/meetings.ics").status, 404);
}

}  // namespace
}  // namespace ningju::testing
