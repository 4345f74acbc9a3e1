// The holiday calendar in the site: the staff home page warns from November while next year is missing; the
// district admin's /admin/holidays previews a notice (nothing stored), stores it (CSRF), and the warning goes.
#include <string>

#include "app_fixture.h"

namespace ningju::testing {
namespace {

constexpr const char* kNotice2027 =
    "years 2027\n2027-01-01 holiday 元旦\n2027-01-02 holiday 元旦\n2027-01-03 holiday 元旦\n2027-01-09 workday "
    "元旦调休\n";

class HolidaysWebTest : public AppTest {
 protected:
  void SetUp() override { saved_ = clock_.Now(); }
  void TearDown() override { clock_.Set(saved_); }
  Instant saved_;
};

TEST_F(HolidaysWebTest, HomeWarnsStaffFromNovemberUntilTheYearIsEntered) {
  clock_.Set(StartOfShanghaiDay(*ParseCivilDate("2026-10-31")) + std::chrono::hours(12));
  HttpClient admin = SignedIn("admin");
  EXPECT_EQ(admin.Get("/").body.find("calendar-missing"), std::string::npos);  // October: not yet
  clock_.Set(StartOfShanghaiDay(*ParseCivilDate("2026-11-01")) + std::chrono::hours(9));
  HttpResult home = admin.Get("/");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("calendar-missing"), std::string::npos);
  EXPECT_NE(home.body.find("2027"), std::string::npos);
  EXPECT_NE(home.body.find("href=\"/admin/holidays\""), std::string::npos);
  EXPECT_NE(SignedIn("nb-huayang").Get("/").body.find("calendar-missing"), std::string::npos);  // staff
  EXPECT_EQ(SignedIn("resident1").Get("/").body.find("calendar-missing"), std::string::npos);
  EXPECT_EQ(Client().Get("/").body.find("calendar-missing"), std::string::npos);

  // Only district admins reach the page.
  EXPECT_EQ(SignedIn("nb-huayang").Get("/admin/holidays").status, 403);
  EXPECT_EQ(Client().Get("/admin/holidays").status, 401);

  ASSERT_EQ(admin.Get("/admin/holidays").status, 200);
  // Without the CSRF token nothing is stored.
  EXPECT_EQ(admin.PostForm("/admin/holidays", {{"text", kNotice2027}, {"action", "store"}}, false).status, 403);
  // A malformed text comes back in the form with the error.
  HttpResult bad =
      admin.PostForm("/admin/holidays", {{"text", "years 2027\n2027-13-01 holiday x\n"}, {"action", "preview"}});
  EXPECT_EQ(bad.status, 400);
  // The preview stores nothing: the warning stays.
  HttpResult preview = admin.PostForm("/admin/holidays", {{"text", kNotice2027}, {"action", "preview"}});
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_NE(preview.body.find("id=\"moves\""), std::string::npos);
  EXPECT_NE(preview.body.find("value=\"store\""), std::string::npos);
  EXPECT_NE(admin.Get("/").body.find("calendar-missing"), std::string::npos);

  admin.Get("/admin/holidays");
  HttpResult stored = admin.PostForm("/admin/holidays", {{"text", kNotice2027}, {"action", "store"}});
  ASSERT_EQ(stored.status, 200) << stored.body;
  // The year heads its row, a card on a phone (.card-table), named like every cell; not grouped like a count.
  EXPECT_NE(stored.body.find("<th scope=\"row\" data-label=\"年份\">2027</th>"), std::string::npos) << stored.body;
  EXPECT_EQ(stored.body.find("2,027"), std::string::npos);
  // In effect without a restart: the home page no longer warns.
  EXPECT_EQ(admin.Get("/").body.find("calendar-missing"), std::string::npos);
}

}  // namespace
}  // namespace ningju::testing
