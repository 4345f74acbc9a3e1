// Privacy and integrity over HTTP (fixture: app_fixture.h): a public case shows the building, not the apartment,
// unless the reporter allows it; a ballot's notice is for the owners of its scope and staff, with organizations'
// names in full; staff replacing an owner's online ballot say why, and the owner sees it.
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

class PrivacyTest : public AppTest {
 protected:
  // A paper ballot entered by staff (multipart, with the scanned sheet).
  HttpResult Paper(int64_t ballot, const std::string& token, const std::string& voter, const std::string& reason) {
    const std::string boundary = "----ningju-privacy-boundary";
    std::string body;
    auto field = [&](const std::string& name, const std::string& value) {
      body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
    };
    field("voter", voter);
    field("choice", "disagree");
    field("channel", "paper");
    field("reason", reason);
    body += "--" + boundary +
            "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"sheet.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n" +
            kSheet + "\r\n--" + boundary + "--\r\n";
    return Client().Send(
        "POST", "/api/v1/ballots/" + std::to_string(ballot) + "/votes", body,
        {{"Authorization", "Bearer " + token}, {"Content-Type", "multipart/form-data; boundary=" + boundary}});
  }

  // The building of the demo's ballot (resident1's, with owner1, owner2 ...).
  int64_t DemoBuilding() {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT area_id FROM ballots ORDER BY id LIMIT 1");
    EXPECT_OK(row);
    return row->Int(0);
  }
};

TEST_F(PrivacyTest, APublicCaseShowsTheBuildingNotTheApartmentUnlessTheReporterAllows) {
  const int64_t building = DemoBuilding();
  json units = json::parse(Client().Get("/api/v1/areas/" + std::to_string(building) + "/units").body)["items"];
  ASSERT_GE(units.size(), 2u);
  const int64_t apartment = units[1]["id"];
  const std::string number = units[1]["number"];
  json report = {{"type", "complaint"},
                 {"category", "property_management"},
                 {"title", "楼上卫生间漏水"},
                 {"description", "楼上卫生间漏水到我家天花板。"},
                 {"area_id", building},
                 {"unit_id", apartment},
                 {"contact_phone", "13900002222"},
                 {"public", true}};
  HttpResult created = Api("POST", "/api/v1/cases", TokenFor("resident1"), report);
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = json::parse(created.body)["id"];
  EXPECT_EQ(json::parse(created.body)["unit_id"], apartment);  // the reporter sees their own
  EXPECT_FALSE(json::parse(created.body)["unit_public"].get<bool>());

  const std::string path = "/api/v1/cases/" + std::to_string(id);
  json pub = json::parse(Client().Get(path).body);
  EXPECT_EQ(pub["building_id"], building);
  EXPECT_TRUE(pub["unit_id"].is_null());
  json neighbour = json::parse(Api("GET", path, TokenFor("owner1")).body);
  EXPECT_TRUE(neighbour["unit_id"].is_null());
  json listed = json::parse(Client().Get("/api/v1/cases?public=1&limit=200").body);
  bool found = false;
  for (const auto& c : listed["items"]) {
    if (c["id"] == id) {
      found = true;
      EXPECT_TRUE(c["unit_id"].is_null());
    }
  }
  EXPECT_TRUE(found);
  HttpResult page = Client().Get("/cases/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("楼上卫生间漏水"));
  EXPECT_THAT(page.body, Not(HasSubstr("· " + number)));
  HttpResult georeport = Client().Get("/open311/v2/requests/" + std::to_string(id) + ".json");
  ASSERT_EQ(georeport.status, 200) << georeport.body;
  json request = json::parse(georeport.body)[0];
  EXPECT_FALSE(request.contains("unit_id"));
  EXPECT_THAT(request["address"].get<std::string>(), Not(HasSubstr(number)));
  // The reporter's own page names the apartment.
  HttpResult own = SignedIn("resident1").Get("/cases/" + std::to_string(id));
  EXPECT_THAT(own.body, HasSubstr("· " + number));

  // Allowed: the apartment is shown to everyone.
  report["title"] = "楼上卫生间又漏水";
  report["unit_public"] = true;
  HttpResult consented = Api("POST", "/api/v1/cases", TokenFor("resident1"), report);
  ASSERT_EQ(consented.status, 201) << consented.body;
  const int64_t shown = json::parse(consented.body)["id"];
  EXPECT_EQ(json::parse(Client().Get("/api/v1/cases/" + std::to_string(shown)).body)["unit_id"], apartment);
  EXPECT_THAT(Client().Get("/cases/" + std::to_string(shown)).body, HasSubstr("· " + number));
  // The form asks, unticked.
  HttpClient visitor = Client();
  visitor.Get("/cases/new");
  HttpResult form = visitor.PostForm("/cases/new", {{"type", "complaint"},
                                                    {"category", "property_management"},
                                                    {"area_id", std::to_string(building)},
                                                    {"title", "楼道灯坏了"},
                                                    {"description", "三楼楼道灯不亮。"}});
  ASSERT_EQ(form.status, 200) << form.body;
  EXPECT_THAT(form.body, HasSubstr("name=\"unit_id\""));
  EXPECT_THAT(form.body, HasSubstr("name=\"unit_public\" type=\"checkbox\" value=\"1\" aria-describedby"));
}

TEST_F(PrivacyTest, TheNoticeIsForTheScopesOwnersAndStaffAndOnlineBallotsAreReplacedWithAReason) {
  const int64_t building = DemoBuilding();
  const std::string staff = TokenFor("nb-huayang");
  // An owner of the building that is a company (not one of the two owners who sign in below).
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute(
        "UPDATE owners SET name = '上海长宁物业有限公司', kind = 'organization' WHERE id = (SELECT MIN(o.id) FROM "
        "owners o JOIN unit_owners uo ON uo.owner_id = o.id JOIN units u ON u.id = uo.unit_id WHERE u.building_id = "
        "? AND (o.user_id IS NULL OR o.user_id NOT IN (SELECT id FROM users WHERE username IN ('owner1', 'owner2'))))",
        {building}));
  }
  HttpResult created = Api("POST", "/api/v1/ballots", staff,
                           {{"title", "选聘物业"},
                            {"matter", 4},
                            {"area_id", building},
                            {"closes_at", FormatUtc(clock_.Now() + std::chrono::hours(24 * 10))}});
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = json::parse(created.body)["id"];
  const std::string base = "/api/v1/ballots/" + std::to_string(id);
  ASSERT_EQ(Api("POST", base + "/open", staff).status, 200);
  ASSERT_EQ(Api("POST", base + "/votes", TokenFor("owner1"), {{"choice", "agree"}}).status, 201);
  const std::string voter = json::parse(Api("GET", base, TokenFor("owner1")).body)["you"]["voter"];

  // Replacing owner1's own online ballot on paper: a reason is required; then stored and shown to the owner.
  HttpResult bare = Paper(id, staff, voter, "");
  EXPECT_EQ(bare.status, 400);
  EXPECT_EQ(json::parse(bare.body)["error"]["field"], "reason");
  const std::string reason = "业主交回纸质表决票并书面要求以纸质票为准";
  HttpResult replaced = Paper(id, staff, voter, reason);
  ASSERT_EQ(replaced.status, 201) << replaced.body;
  EXPECT_EQ(json::parse(replaced.body)["replace_reason"], reason);
  json you = json::parse(Api("GET", base, TokenFor("owner1")).body)["you"];
  ASSERT_EQ(you["replacements"].size(), 1u);
  EXPECT_EQ(you["replacements"][0]["reason"], reason);
  EXPECT_EQ(you["replacements"][0]["by_role"], "neighborhood_staff");
  EXPECT_EQ(you["replacements"][0]["channel"], "paper");
  EXPECT_EQ(you["replacements"][0]["at"], FormatUtc(clock_.Now()));
  HttpResult page = SignedIn("owner1").Get("/ballots/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("您的网上表决票已被工作人员替换"));
  EXPECT_THAT(page.body, HasSubstr(reason));
  EXPECT_THAT(page.body, HasSubstr("居委会工作人员"));
  // Another owner's page says nothing of it.
  EXPECT_THAT(SignedIn("owner2").Get("/ballots/" + std::to_string(id)).body, Not(HasSubstr(reason)));

  // The notice: anonymous -> sign in; an owner of another building -> 403; the scope's owners and staff read it.
  ASSERT_EQ(Api("POST", base + "/close", staff).status, 200);
  const std::string notice = "/ballots/" + std::to_string(id) + "/notice";
  HttpResult anonymous = Client().Get(notice);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_THAT(anonymous.body, HasSubstr("/sign-in"));
  EXPECT_EQ(SignedIn("resident2").Get(notice).status, 403);
  HttpResult owners = SignedIn("owner2").Get(notice);
  ASSERT_EQ(owners.status, 200);
  EXPECT_THAT(owners.body, HasSubstr("上海长宁物业有限公司"));  // an organization's name in full
  EXPECT_THAT(owners.body, HasSubstr("*"));                     // people's masked
  EXPECT_EQ(SignedIn("nb-huayang").Get(notice).status, 200);
  json result = json::parse(Client().Get(base + "/result").body);
  EXPECT_FALSE(result["notice"].contains("units"));
  json for_owner = json::parse(Api("GET", base + "/result", TokenFor("owner2")).body);
  bool organization = false;
  for (const auto& line : for_owner["notice"]["units"]) {
    if (line["owners"] == "上海长宁物业有限公司") organization = true;
  }
  EXPECT_TRUE(organization);
}

}  // namespace
}  // namespace ningju::testing
