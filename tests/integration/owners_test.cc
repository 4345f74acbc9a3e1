// A real owner, not a demo-seeded one, over real sockets: staff import the roster, print the owner's invitation
// letter, the owner signs up from the letter's link, claims the code, votes in an open ballot of the building and
// answers the elevator survey; and the refusals (fixture: app_fixture.h).
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

class OwnersTest : public AppTest {
 protected:
  HttpResult Api(const std::string& method, const std::string& path, const std::string& token,
                 const json& body = nullptr) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    if (method == "GET") return Client().Get(path, headers);
    headers.push_back({"Content-Type", "application/json"});
    return Client().Send(method, path, body.is_null() ? "" : body.dump(), headers);
  }

  static HttpResult UploadRosterCsv(HttpClient& c, int64_t nb, const std::string& csv) {
    c.Get("/areas/" + std::to_string(nb) + "/roster");
    const std::string b = "----ningju-owners-boundary";
    std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + c.csrf() + "\r\n" +
                       "--" + b + "\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\napply\r\n" + "--" + b +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n" +
                       "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + b + "--\r\n";
    return c.Post("/areas/" + std::to_string(nb) + "/roster", body, "multipart/form-data; boundary=" + b);
  }

  // The code printed on a letter page (the data-claim-code attribute of its <code>).
  static std::string CodeOn(const std::string& page) {
    const std::string key = "data-claim-code=\"";
    const size_t at = page.find(key);
    if (at == std::string::npos) return "";
    return page.substr(at + key.size(), 14);
  }
};

TEST_F(OwnersTest, ARosterOwnerClaimsTheLetterThenVotesAndAnswersTheSurvey) {
  auto [building, neighborhood] = DemoBuilding();
  // The building's last unit gets a new owner through the roster: an owner record with no account, as in production.
  std::string csv = "楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售\n";
  int64_t unit = 0;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto row = (*conn)->QueryOne(
        "SELECT b.name, e.name, u.number, u.floor, u.area_centi, u.id FROM units u JOIN areas b ON b.id = "
        "u.building_id JOIN areas e ON e.id = u.entrance_id WHERE u.building_id = ? AND u.developer_unsold = 0 "
        "ORDER BY u.id DESC LIMIT 1",
        {building});
    ASSERT_OK(row);
    const int64_t area = row->Int(4);
    const std::string cents = std::to_string(100 + area % 100).substr(1);
    csv += row->Text(0) + "," + row->Text(1) + "," + row->Text(2) + "," + std::to_string(row->Int(3)) + "," +
           std::to_string(area / 100) + "." + cents + ",欧阳新业,13900007777,否\n";
    unit = row->Int(5);
  }
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult imported = UploadRosterCsv(staff, neighborhood, csv);
  ASSERT_EQ(imported.status, 200) << imported.body;
  int64_t owner = 0;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto row = (*conn)->QueryOne(
        "SELECT o.id, o.user_id FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id WHERE uo.unit_id = ?", {unit});
    ASSERT_OK(row);
    owner = row->Int(0);
    EXPECT_EQ(row->OptInt(1), std::nullopt);
  }
  const std::string letter_path = "/owners/" + std::to_string(owner) + "/letter";

  // Refused: anonymous, another subdistrict's staff, a resident.
  HttpClient anonymous = Client();
  anonymous.Get("/sign-in");
  EXPECT_EQ(anonymous.PostForm(letter_path, {}).status, 401);
  HttpClient other = SignedIn("sd-xinjing");
  other.Get("/claim");
  EXPECT_EQ(other.PostForm(letter_path, {}).status, 403);
  EXPECT_EQ(Api("POST", "/api/v1/owners/" + std::to_string(owner) + "/invitations", TokenFor("resident2")).status, 403);
  // Without the CSRF token, nothing is printed.
  EXPECT_EQ(staff.PostForm(letter_path, {}, false).status, 403);

  // The owners page of the building lists the owner, unlinked; the letter prints a code and a QR code.
  HttpResult owners = staff.Get("/areas/" + std::to_string(building) + "/owners");
  ASSERT_EQ(owners.status, 200);
  EXPECT_THAT(owners.body, HasSubstr("欧阳新业"));
  EXPECT_THAT(owners.body, HasSubstr("action=\"" + letter_path + "\""));
  HttpResult letter = staff.PostForm(letter_path, {});
  ASSERT_EQ(letter.status, 200) << letter.body;
  EXPECT_EQ(letter.Header("cache-control"), "no-store");
  EXPECT_THAT(letter.body, HasSubstr("<svg"));
  const std::string code = CodeOn(letter.body);
  ASSERT_EQ(code.size(), 14u) << letter.body;
  EXPECT_THAT(letter.body, HasSubstr("/claim?code=" + code));

  // The owner follows the link, signs up from it, comes back to the claim page and claims.
  HttpClient me = Client();
  HttpResult landing = me.Get("/claim?code=" + code);
  ASSERT_EQ(landing.status, 200);
  EXPECT_THAT(landing.body, HasSubstr("/sign-up?next="));
  EXPECT_THAT(landing.body, Not(HasSubstr("欧阳")));  // the page never says whose code it is
  me.Get("/sign-up?next=" + UrlEncode("/claim?code=" + code));
  HttpResult signed_up = me.PostForm("/sign-up", {{"login", "ouyang_owner"},
                                                  {"display_name", "欧阳新业"},
                                                  {"password", "a long enough password"},
                                                  {"next", "/claim?code=" + code}});
  ASSERT_EQ(signed_up.status, 303) << signed_up.body;
  EXPECT_EQ(signed_up.Header("location"), "/claim?code=" + code);
  HttpResult form = me.Get("/claim?code=" + code);
  EXPECT_THAT(form.body, HasSubstr("value=\"" + code + "\""));
  HttpResult claimed = me.PostForm("/claim", {{"code", code}});
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  EXPECT_THAT(claimed.body, HasSubstr("role=\"status\""));

  // Used once: another account gets 409 with the reason and no name.
  HttpClient stranger = Client();
  stranger.Get("/sign-up");
  ASSERT_EQ(stranger
                .PostForm("/sign-up",
                          {{"login", "stranger_x"}, {"display_name", "路人"}, {"password", "a long enough password"}})
                .status,
            303);
  stranger.Get("/claim");
  HttpResult reused = stranger.PostForm("/claim", {{"code", code}});
  EXPECT_EQ(reused.status, 409);
  EXPECT_THAT(reused.body, Not(HasSubstr("欧阳")));
  EXPECT_EQ(Api("POST", "/api/v1/claims", TokenFor("stranger_x"), {{"code", "0000-0000-0000"}}).status, 404);

  // Now an owner: votes online in a ballot the staff open in the building.
  const std::string staff_token = TokenFor("nb-huayang");
  HttpResult created = Api("POST", "/api/v1/ballots", staff_token,
                           {{"title", "续聘物业"},
                            {"matter", 4},
                            {"area_id", building},
                            {"closes_at", FormatUtc(clock_.Now() + std::chrono::hours(24 * 10))},
                            {"notice_days", 5}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string ballot = "/api/v1/ballots/" + std::to_string(json::parse(created.body)["id"].get<int64_t>());
  ASSERT_EQ(Api("POST", ballot + "/open", staff_token).status, 200);
  const std::string my_token = TokenFor("ouyang_owner");
  HttpResult vote = Api("POST", ballot + "/votes", my_token, {{"choice", "agree"}});
  EXPECT_EQ(vote.status, 201) << vote.body;
  EXPECT_EQ(Api("POST", ballot + "/votes", TokenFor("stranger_x"), {{"choice", "agree"}}).status, 403);

  // And answers the elevator survey for the unit, online.
  json p = json::parse(Client().Get("/api/v1/elevator-projects?building_id=" + std::to_string(building)).body);
  const std::string project = std::to_string(p["items"][0]["id"].get<int64_t>());
  json mine = json::parse(Api("GET", "/api/v1/elevator-projects/" + project, my_token).body);
  EXPECT_EQ(mine["you"]["owner"], true);
  me.Get("/elevator/" + project);
  HttpResult answered =
      me.PostForm("/elevator/" + project + "/survey", {{"unit_id", std::to_string(unit)}, {"answer", "willing"}});
  EXPECT_EQ(answered.status, 303) << answered.body;
  json after = json::parse(Api("GET", "/api/v1/elevator-projects/" + project, my_token).body);
  ASSERT_EQ(after["answers"].size(), 1u);
  EXPECT_EQ(after["answers"][0]["answer"], "willing");
  EXPECT_EQ(after["answers"][0]["channel"], "online");

  // Staff unlink by hand with a reason (the API), and the owner can no longer vote.
  EXPECT_EQ(Api("POST", "/api/v1/owners/" + std::to_string(owner) + "/unlink", staff_token, json::object()).status,
            400);
  EXPECT_EQ(Api("POST", "/api/v1/owners/" + std::to_string(owner) + "/unlink", staff_token, {{"reason", "房屋已过户"}})
                .status,
            200);
  EXPECT_EQ(Api("POST", ballot + "/votes", my_token, {{"choice", "disagree"}}).status, 403);
  // Linked again through the page form.
  staff.Get("/areas/" + std::to_string(building) + "/owners");
  HttpResult relinked = staff.PostForm(
      "/owners/" + std::to_string(owner) + "/link",
      {{"login", "ouyang_owner"}, {"reason", "本人持房产证核对"}, {"building_id", std::to_string(building)}});
  EXPECT_EQ(relinked.status, 303) << relinked.body;
  EXPECT_EQ(Api("POST", ballot + "/votes", my_token, {{"choice", "disagree"}}).status, 201);
}

}  // namespace
}  // namespace ningju::testing
