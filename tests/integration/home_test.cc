// The home page's cards by role, the header's links, and the index pages of every kind with their filters, over real
// sockets (fixture: app_fixture.h). What a viewer may not see never appears: a private case is on its reporter's home
// page and nowhere else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "common/text_util.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr char kNoticed[] = "小区停车收费方案听证会";  // the demo's noticed meeting in neighborhood A, in 10 days
constexpr char kDraft[] = "居民会议：修订居民公约";    // the demo's draft: only its managers see it

class HomeTest : public AppTest {
 protected:
  // A case reported by `login` through the API, public or not, with a title no other test uses.
  int64_t Report(const std::string& login, int64_t area, bool is_public, const std::string& title,
                 const std::string& type = "complaint") {
    json body = {{"type", type},
                 {"category", "property_management"},
                 {"title", title},
                 {"description", "楼道里堆满纸箱，存在消防隐患。"},
                 {"area_id", area},
                 {"channel", "api"},
                 {"contact_name", "陆小凤"},
                 {"contact_phone", "13900001111"},
                 {"public", is_public}};
    HttpResult r = Api("POST", "/api/v1/cases", Token(login), body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }

  // The demo ballot (open, over resident1's building) and the second neighborhood's id.
  std::pair<int64_t, std::string> DemoBallot() {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT id, title FROM ballots ORDER BY id LIMIT 1");
    EXPECT_OK(row);
    return {row->Int(0), row->Text(1)};
  }

  int64_t OtherNeighborhood() {
    HttpResult r = Client().Get("/api/v1/areas?kind=neighborhood&limit=200");
    EXPECT_EQ(r.status, 200);
    const int64_t a = HomeArea().first;
    const json items = json::parse(r.body)["items"];
    for (const auto& item : items) {
      if (item["id"].get<int64_t>() != a) return item["id"].get<int64_t>();
    }
    ADD_FAILURE() << "the demo has one neighborhood";
    return 0;
  }

  std::string Home(HttpClient& c) {
    HttpResult r = c.Get("/");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
};

TEST_F(HomeTest, AnonymousSeesThePublicActivityAndTheReportEntry) {
  auto [nb, building] = HomeArea();
  const int64_t shown = Report("resident1", building, true, "首页公开诉求：路灯不亮");
  const int64_t hidden = Report("resident1", building, false, "首页私密诉求：家中漏水");
  ASSERT_GT(shown, 0);
  ASSERT_GT(hidden, 0);
  HttpClient anon = Client();
  const std::string page = Home(anon);
  EXPECT_THAT(page, HasSubstr("href=\"/cases/new\""));
  EXPECT_THAT(page, HasSubstr("id=\"home-cases\""));
  EXPECT_THAT(page, HasSubstr("首页公开诉求：路灯不亮"));
  EXPECT_THAT(page, Not(HasSubstr("首页私密诉求")));
  // The district's open ballot and its noticed meetings; never a draft.
  EXPECT_THAT(page, HasSubstr(DemoBallot().second));
  EXPECT_THAT(page, HasSubstr(kNoticed));
  EXPECT_THAT(page, Not(HasSubstr(kDraft)));
  // The header: a search box (GET /search, field q), no inbox for a visitor.
  EXPECT_THAT(page, HasSubstr("action=\"/search\""));
  EXPECT_THAT(page, HasSubstr("name=\"q\""));
  EXPECT_THAT(page, Not(HasSubstr("href=\"/inbox\"")));
  EXPECT_THAT(page, Not(HasSubstr("action=\"/sign-out\"")));
  // Nothing of another resident's counts: the staff card is not there.
  EXPECT_THAT(page, Not(HasSubstr("id=\"home-inboxes\"")));
}

TEST_F(HomeTest, ResidentSeesTheirCasesTheirBallotAndTheirNeighborhoodsMeetings) {
  auto [nb, building] = HomeArea();
  const int64_t mine = Report("resident1", building, false, "首页我的诉求：电梯异响");
  const int64_t rate = Report("resident1", building, false, "首页待评价：咨询停车办法", "enquiry");
  ASSERT_GT(rate, 0);
  HttpResult answered = Api("POST", "/api/v1/cases/" + std::to_string(rate) + "/actions/answer", Token("nb-huayang"),
                            {{"note", "可在物业办理月卡。"}});
  ASSERT_EQ(answered.status, 200) << answered.body;
  HttpClient r1 = SignedIn("resident1");
  const std::string page = Home(r1);
  EXPECT_THAT(page, HasSubstr("/cases/" + std::to_string(mine) + "\""));
  EXPECT_THAT(page, HasSubstr("首页我的诉求：电梯异响"));
  EXPECT_THAT(page, HasSubstr("/cases/" + std::to_string(rate) + "#follow-heading"));
  // resident1 owns a unit of the demo ballot's building and voted there already.
  auto [ballot, title] = DemoBallot();
  EXPECT_THAT(page, HasSubstr("href=\"/ballots/" + std::to_string(ballot) + "\""));
  EXPECT_THAT(page, HasSubstr("已投票"));
  EXPECT_THAT(page, HasSubstr(kNoticed));
  EXPECT_THAT(page, Not(HasSubstr(kDraft)));
  EXPECT_THAT(page, HasSubstr("action=\"/sign-out\""));
  EXPECT_THAT(page, Not(HasSubstr("href=\"/inbox\"")));  // no inbox is a resident's
  EXPECT_EQ(r1.Get("/inbox").status, 403);

  // Another neighborhood's resident: neither resident1's private cases, nor the ballot (no unit in its scope),
  // nor neighborhood A's meetings.
  HttpClient r2 = SignedIn("resident2");
  const std::string other = Home(r2);
  EXPECT_THAT(other, Not(HasSubstr("首页我的诉求")));
  EXPECT_THAT(other, Not(HasSubstr("首页待评价")));
  EXPECT_THAT(other, Not(HasSubstr("href=\"/ballots/" + std::to_string(ballot) + "\"")));
  EXPECT_THAT(other, Not(HasSubstr(kNoticed)));
}

TEST_F(HomeTest, StaffSeeTheirInboxCountsTheCasesToAcceptAndWhatTheyRun) {
  auto [nb, building] = HomeArea();
  Report("resident1", building, false, "首页待受理：垃圾清运不及时");
  HttpClient staff = SignedIn("nb-huayang");
  const std::string page = Home(staff);
  EXPECT_THAT(page, HasSubstr("href=\"/inbox\""));
  EXPECT_THAT(page, HasSubstr("id=\"home-inboxes\""));
  EXPECT_THAT(page, HasSubstr("今日到期"));
  EXPECT_THAT(page, HasSubstr("待受理的诉求："));
  EXPECT_THAT(page, HasSubstr(kDraft));  // their draft, in "meetings you run"
  EXPECT_THAT(page, HasSubstr("我负责的表决"));
  // /inbox leads to their one inbox.
  HttpResult inbox = staff.Get("/inbox");
  ASSERT_EQ(inbox.status, 302);
  EXPECT_THAT(inbox.Header("location"), HasSubstr("/units/"));
  EXPECT_EQ(staff.Get(inbox.Header("location")).status, 200);
  // Staff of another neighborhood do not count A's cases waiting for acceptance, nor run A's draft.
  HttpClient other = SignedIn("nb-jiangsu");
  const std::string theirs = Home(other);
  EXPECT_THAT(theirs, Not(HasSubstr(kDraft)));
  EXPECT_THAT(theirs, Not(HasSubstr("首页待受理")));
  // A handling unit's member has the inbox link too.
  HttpClient unit = SignedIn("unit-housing");
  EXPECT_THAT(Home(unit), HasSubstr("href=\"/inbox\""));
}

TEST_F(HomeTest, MeetingIndexFiltersByAreaAndStateAndHidesDrafts) {
  auto [nb, building] = HomeArea();
  HttpClient anon = Client();
  HttpResult all = anon.Get("/meetings");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr(kNoticed));
  EXPECT_THAT(all.body, Not(HasSubstr(kDraft)));
  EXPECT_THAT(all.body, HasSubstr("class=\"breadcrumb\""));
  HttpResult noticed = anon.Get("/meetings?state=noticed&area=" + std::to_string(nb));
  ASSERT_EQ(noticed.status, 200);
  EXPECT_THAT(noticed.body, HasSubstr(kNoticed));
  EXPECT_THAT(noticed.body, Not(HasSubstr("居委会年度工作评议会")));  // held, not noticed
  HttpResult other = anon.Get("/meetings?area=" + std::to_string(OtherNeighborhood()));
  ASSERT_EQ(other.status, 200);
  EXPECT_THAT(other.body, Not(HasSubstr(kNoticed)));
  // The managers see their draft in the index.
  HttpClient staff = SignedIn("nb-huayang");
  EXPECT_THAT(staff.Get("/meetings?state=draft").body, HasSubstr(kDraft));
  EXPECT_THAT(anon.Get("/meetings?state=draft").body, Not(HasSubstr(kDraft)));
  // Bad filters are named.
  EXPECT_EQ(anon.Get("/meetings?state=bogus").status, 400);
  EXPECT_EQ(anon.Get("/meetings?area=abc").status, 400);
  EXPECT_EQ(anon.Get("/meetings?area=999999").status, 404);
  EXPECT_EQ(anon.Get("/meetings?cursor=zzz").status, 400);
}

TEST_F(HomeTest, BallotAndElevatorIndexesFilterByAreaAndState) {
  auto [ballot, title] = DemoBallot();
  auto [building, nb] = DemoBuilding();
  HttpClient anon = Client();
  const std::string link = "href=\"/ballots/" + std::to_string(ballot) + "\"";
  HttpResult all = anon.Get("/ballots");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr(link));
  EXPECT_THAT(anon.Get("/ballots?area=" + std::to_string(building)).body, HasSubstr(link));
  EXPECT_THAT(anon.Get("/ballots?area=" + std::to_string(nb) + "&state=open").body, HasSubstr(link));
  EXPECT_THAT(anon.Get("/ballots?state=closed").body, Not(HasSubstr(link)));
  EXPECT_THAT(anon.Get("/ballots?area=" + std::to_string(OtherNeighborhood())).body, Not(HasSubstr(link)));
  EXPECT_EQ(anon.Get("/ballots?state=bogus").status, 400);

  HttpResult projects = anon.Get("/elevator");
  ASSERT_EQ(projects.status, 200) << projects.body;
  EXPECT_THAT(projects.body, HasSubstr("href=\"/elevator/"));
  EXPECT_THAT(anon.Get("/elevator?area=" + std::to_string(nb) + "&state=active").body, HasSubstr("href=\"/elevator/"));
  EXPECT_THAT(anon.Get("/elevator?state=completed").body, Not(HasSubstr("href=\"/elevator/")));
  EXPECT_THAT(anon.Get("/elevator?area=" + std::to_string(OtherNeighborhood())).body,
              Not(HasSubstr("href=\"/elevator/")));
  EXPECT_EQ(anon.Get("/elevator?state=bogus").status, 400);
}

TEST_F(HomeTest, CaseIndexIsOpenToVisitorsWithWhatIsPublicFilteredAndPaginated) {
  auto [nb, building] = HomeArea();
  const int64_t shown = Report("resident1", building, true, "索引公开诉求：井盖松动");
  Report("resident1", building, false, "索引私密诉求：邻里纠纷");
  ASSERT_GT(shown, 0);
  HttpClient anon = Client();
  HttpResult all = anon.Get("/cases?area=" + std::to_string(nb));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr("索引公开诉求：井盖松动"));
  EXPECT_THAT(all.body, Not(HasSubstr("索引私密诉求")));
  EXPECT_THAT(anon.Get("/cases?area=" + std::to_string(OtherNeighborhood())).body, Not(HasSubstr("索引公开诉求")));
  EXPECT_THAT(anon.Get("/cases?state=closed&area=" + std::to_string(nb)).body, Not(HasSubstr("索引公开诉求")));
  // Another resident sees the public case and not the private one; the reporter sees both.
  HttpClient r2 = SignedIn("resident2");
  const std::string theirs = r2.Get("/cases?area=" + std::to_string(nb)).body;
  EXPECT_THAT(theirs, HasSubstr("索引公开诉求"));
  EXPECT_THAT(theirs, Not(HasSubstr("索引私密诉求")));
  HttpClient r1 = SignedIn("resident1");
  EXPECT_THAT(r1.Get("/cases?area=" + std::to_string(nb)).body, HasSubstr("索引私密诉求"));
  // The cursor: after this case's id the page starts below it; the "more" link keeps the filters.
  const std::string area = "&area=" + std::to_string(nb);
  EXPECT_THAT(anon.Get("/cases?cursor=" + EncodeCursor({shown + 1}) + area).body, HasSubstr("索引公开诉求"));
  EXPECT_THAT(anon.Get("/cases?cursor=" + EncodeCursor({shown}) + area).body, Not(HasSubstr("索引公开诉求")));
  EXPECT_EQ(anon.Get("/cases?cursor=zzz").status, 400);
  EXPECT_EQ(anon.Get("/cases?area=x").status, 400);
  EXPECT_EQ(anon.Get("/cases/mine").status, 401);
}

}  // namespace
}  // namespace ningju::testing
