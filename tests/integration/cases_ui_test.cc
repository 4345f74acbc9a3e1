// Two gaps of issue #3 closed over HTTP (fixture: app_fixture.h): staff merge a duplicate on its case page (CSRF,
// residents refused, the service's refusals shown on the form), and the rate limit on anonymous intake (429 with
// Retry-After on the web form, the JSON API and Open311; signed-in residents not limited).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "http/message.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

json Report(int64_t area, const std::string& title, const std::string& phone = "13900001111") {
  return {{"type", "complaint"},      {"category", "property_management"},
          {"title", title},           {"description", "楼道里堆满纸箱，存在消防隐患。"},
          {"area_id", area},          {"channel", "web"},
          {"contact_name", "陆小凤"}, {"contact_phone", phone}};
}

class CasesUiTest : public AppTest {
 protected:
  // Api as `login` (anonymous when empty).
  HttpResult Call(const std::string& method, const std::string& path, const std::string& login,
                  const json& body = nullptr, const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    return Api(method, path, login.empty() ? "" : Token(login), body, extra);
  }

  int64_t Submit(const std::string& login, const json& body) {
    HttpResult r = Call("POST", "/api/v1/cases", login, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }

  json CaseJson(int64_t id) {
    HttpResult r = Call("GET", "/api/v1/cases/" + std::to_string(id), "nb-huayang");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
};

// ---- merge from the case page

TEST_F(CasesUiTest, StaffMergeADuplicateFromItsPageAndBothPagesSayIt) {
  auto [nb, building] = HomeArea();
  const int64_t kept = Submit("resident1", Report(building, "楼道堆物无人清理有消防隐患"));
  const int64_t dup = Submit("resident2", Report(building, "楼道堆物没人清理"));
  const std::string dup_path = "/cases/" + std::to_string(dup);
  const std::string kept_path = "/cases/" + std::to_string(kept);

  // The reporter sees no merge form; staff over the area do, with the similar open case offered.
  HttpClient r2 = SignedIn("resident2");
  HttpResult own = r2.Get(dup_path);
  ASSERT_EQ(own.status, 200);
  EXPECT_THAT(own.body, Not(HasSubstr(dup_path + "/merge")));
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(dup_path);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("action=\"" + dup_path + "/merge\""));
  EXPECT_THAT(page.body, HasSubstr("name=\"into\" value=\"" + std::to_string(kept) + "\""));
  EXPECT_THAT(page.body, Not(HasSubstr("name=\"into\" value=\"" + std::to_string(dup) + "\"")));
  // A merge cannot be undone: a box to tick names the consequence, and the button looks unlike the primary one.
  EXPECT_THAT(page.body,
              HasSubstr("<input id=\"merge-confirm\" name=\"confirm\" type=\"checkbox\" value=\"1\" required>"
                        "<label for=\"merge-confirm\">我知道：合并后不能撤销"));
  EXPECT_THAT(page.body, HasSubstr("<button type=\"submit\" class=\"danger\">并入所选诉求</button>"));

  // Without the CSRF token: refused, nothing merged.
  EXPECT_EQ(staff.PostForm(dup_path + "/merge", {{"into", std::to_string(kept)}, {"confirm", "1"}}, false).status, 403);
  EXPECT_EQ(CaseJson(dup)["state"], "submitted");
  // A resident posting the form: 403, nothing merged.
  EXPECT_EQ(r2.PostForm(dup_path + "/merge", {{"into", std::to_string(kept)}, {"confirm", "1"}}).status, 403);
  EXPECT_EQ(CaseJson(dup)["state"], "submitted");
  // Staff without the box ticked: 400 on the form naming the field, nothing merged.
  HttpResult unticked = staff.PostForm(dup_path + "/merge", {{"into", std::to_string(kept)}, {"note", "同一楼道"}});
  EXPECT_EQ(unticked.status, 400) << unticked.body;
  EXPECT_THAT(unticked.body, HasSubstr("role=\"alert\">请勾选确认框：此操作不能撤销（确认框）"));
  EXPECT_THAT(unticked.body, HasSubstr("action=\"" + dup_path + "/merge\""));  // the form again
  EXPECT_EQ(CaseJson(dup)["state"], "submitted");
  EXPECT_TRUE(CaseJson(dup)["merged_into"].is_null());
  EXPECT_EQ(CaseJson(kept)["me_too_count"], 0);

  // Staff merge: to the kept case with a notice naming the duplicate.
  HttpResult merged =
      staff.PostForm(dup_path + "/merge", {{"into", std::to_string(kept)}, {"note", "同一楼道"}, {"confirm", "1"}});
  ASSERT_EQ(merged.status, 303) << merged.body;
  EXPECT_EQ(merged.Header("location"), kept_path + "?done=merge&duplicate=" + std::to_string(dup));
  HttpResult kept_page = staff.Get(merged.Header("location"));
  ASSERT_EQ(kept_page.status, 200);
  EXPECT_THAT(kept_page.body, HasSubstr("role=\"status\">已将 #" + std::to_string(dup)));
  EXPECT_THAT(kept_page.body, HasSubstr("<a href=\"" + dup_path + "\">#" + std::to_string(dup) + " 楼道堆物没人清理"));
  EXPECT_THAT(kept_page.body, HasSubstr("合并了重复诉求"));  // the kept case's timeline
  // The duplicate's page says where it went, keeps its timeline, and offers no merge any more.
  HttpResult dup_page = r2.Get(dup_path);
  ASSERT_EQ(dup_page.status, 200);
  EXPECT_THAT(dup_page.body,
              HasSubstr("本件已作为重复诉求并入 <a href=\"" + kept_path + "\">#" + std::to_string(kept)));
  EXPECT_THAT(dup_page.body, HasSubstr("已合并为重复诉求"));
  EXPECT_THAT(dup_page.body, HasSubstr("同一楼道"));
  EXPECT_THAT(staff.Get(dup_path).body, Not(HasSubstr(dup_path + "/merge")));
  const json d = CaseJson(dup);
  EXPECT_EQ(d["state"], "closed");
  EXPECT_EQ(d["merged_into"], kept);
  EXPECT_EQ(CaseJson(kept)["me_too_count"], 1);
  // resident2 now follows the kept case.
  EXPECT_EQ(r2.Get(kept_path).status, 200);
}

TEST_F(CasesUiTest, MergeRefusalsShowTheServiceCode) {
  auto [nb, building] = HomeArea();
  const int64_t dup = Submit("resident1", Report(building, "电梯异响"));
  const int64_t other = Submit("resident1", Report(building, "电梯异响很吵"));
  const int64_t rejected = Submit("resident1", Report(building, "电梯异响又来了"));
  HttpResult reject = Call("POST", "/api/v1/cases/" + std::to_string(rejected) + "/actions/reject", "nb-huayang",
                           {{"note", "已在处理"}});
  ASSERT_EQ(reject.status, 200) << reject.body;
  const std::string path = "/cases/" + std::to_string(dup);
  HttpClient staff = SignedIn("nb-huayang");
  staff.Get(path);

  // Into itself (typed, with '#'): 400 on the form.
  HttpResult self = staff.PostForm(path + "/merge", {{"into_number", "#" + std::to_string(dup)}, {"confirm", "1"}});
  EXPECT_EQ(self.status, 400);
  EXPECT_THAT(self.body, HasSubstr("role=\"alert\""));
  EXPECT_THAT(self.body, HasSubstr("诉求不能与自身重复"));
  // Nothing chosen: 400.
  EXPECT_EQ(staff.PostForm(path + "/merge", {{"into_number", ""}, {"confirm", "1"}}).status, 400);
  EXPECT_EQ(staff.PostForm(path + "/merge", {{"into_number", "abc"}, {"confirm", "1"}}).status, 400);
  // Into a closed (rejected) case: 409 naming its state.
  HttpResult closed = staff.PostForm(path + "/merge", {{"into_number", std::to_string(rejected)}, {"confirm", "1"}});
  EXPECT_EQ(closed.status, 409);
  EXPECT_THAT(closed.body, HasSubstr("rejected"));
  // Into a case that does not exist: 404 on the form.
  HttpResult missing = staff.PostForm(path + "/merge", {{"into_number", "99999999"}, {"confirm", "1"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("role=\"alert\""));
  // The typed number wins over the choice; then merging into the now merged case is 409.
  ASSERT_EQ(
      staff.PostForm(path + "/merge", {{"into", "99999999"}, {"into_number", std::to_string(other)}, {"confirm", "1"}})
          .status,
      303);
  const int64_t third = Submit("resident2", Report(building, "电梯异响第三次"));
  const std::string third_path = "/cases/" + std::to_string(third);
  staff.Get(third_path);
  HttpResult into_merged =
      staff.PostForm(third_path + "/merge", {{"into_number", std::to_string(dup)}, {"confirm", "1"}});
  EXPECT_EQ(into_merged.status, 409);
  EXPECT_THAT(into_merged.body, HasSubstr("closed"));
  // A merged case cannot be merged again.
  HttpResult again = staff.PostForm(path + "/merge", {{"into_number", std::to_string(third)}, {"confirm", "1"}});
  EXPECT_EQ(again.status, 409);
  // Staff of another subdistrict cannot merge this neighborhood's cases: 403.
  HttpClient far = SignedIn("sd-jiangsu");
  EXPECT_EQ(far.Get("/").status, 200);
  EXPECT_EQ(far.PostForm("/cases/" + std::to_string(third) + "/merge",
                         {{"into_number", std::to_string(other)}, {"confirm", "1"}})
                .status,
            403);
  EXPECT_EQ(CaseJson(third)["state"], "submitted");
}

// ---- the rate limit on anonymous intake

// Small limits, and client addresses from X-Forwarded-For so that each test has its own.
class IntakeLimitTest : public CasesUiTest {
 protected:
  static void SetUpTestSuite() {
    configure_ = [](app::Config& c) {
      c.trust_proxy = true;
      c.intake_per_address_hour = 3;
      c.intake_per_address_day = 5;
      c.intake_per_phone_hour = 2;
      c.intake_per_phone_day = 0;
    };
    AppTest::SetUpTestSuite();
    configure_ = nullptr;
  }

  // The clock is shared by every suite of the binary: each test puts it back (its addresses and phones are its own).
  void SetUp() override { start_ = clock_.Now(); }
  void TearDown() override { clock_.Set(start_); }

  HttpResult Anonymous(const std::string& address, const json& body) {
    return Call("POST", "/api/v1/cases", "", body, {{"X-Forwarded-For", address}});
  }

  // The web form, anonymous, from `address`: the draft page first (for the CSRF cookie), then the submission.
  HttpResult WebForm(HttpClient& c, const std::string& address, int64_t building, const std::string& title,
                     const std::string& phone) {
    c.Get("/buildings/" + std::to_string(building) + "/report", {{"X-Forwarded-For", address}});
    std::string body;
    const std::vector<std::pair<std::string, std::string>> fields = {{"type", "complaint"},
                                                                     {"category", "property_management"},
                                                                     {"area_id", std::to_string(building)},
                                                                     {"title", title},
                                                                     {"description", "夜里水泵一直响。"},
                                                                     {"channel", "door_qr"},
                                                                     {"urgency", "normal"},
                                                                     {"contact_phone", phone},
                                                                     {"_csrf", c.csrf()}};
    for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + k + "=" + http::PercentEncode(v);
    return c.Post("/cases", body, "application/x-www-form-urlencoded", {{"X-Forwarded-For", address}});
  }

  Instant start_;
};

TEST_F(IntakeLimitTest, ApiOverTheLimitIs429WithRetryAfterUntilTheWindowSlides) {
  auto [nb, building] = HomeArea();
  const std::string addr = "203.0.113.10";
  for (int i = 0; i < 3; ++i) {
    clock_.Advance(std::chrono::seconds(60));
    HttpResult ok = Anonymous(addr, Report(building, "水泵噪音" + std::to_string(i), "1370000000" + std::to_string(i)));
    ASSERT_EQ(ok.status, 201) << ok.body;
  }
  // The fourth in the hour: 429, the JSON envelope, and Retry-After = until the first leaves the window (58 min).
  HttpResult refused = Anonymous(addr, Report(building, "水泵噪音3", "13700000003"));
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("retry-after"), std::to_string(3600 - 120));
  const json err = json::parse(refused.body)["error"];
  EXPECT_EQ(err["code"], "resource_exhausted");
  EXPECT_THAT(err["message"].get<std::string>(), HasSubstr("try again after"));
  // Signed in, the same address is not limited.
  HttpResult signed_in =
      Call("POST", "/api/v1/cases", "resident1", Report(building, "水泵噪音登录后"), {{"X-Forwarded-For", addr}});
  EXPECT_EQ(signed_in.status, 201) << signed_in.body;
  // Another address is not affected.
  EXPECT_EQ(Anonymous("203.0.113.11", Report(building, "水泵噪音别处", "13700000009")).status, 201);
  // The window slides: once the first intake is an hour old, one more is accepted, then 429 again.
  clock_.Advance(std::chrono::seconds(3600 - 120));
  EXPECT_EQ(Anonymous(addr, Report(building, "水泵噪音4", "13700000004")).status, 201);
  HttpResult again = Anonymous(addr, Report(building, "水泵噪音5", "13700000005"));
  EXPECT_EQ(again.status, 429);
  EXPECT_EQ(again.Header("retry-after"), "60");
  // The daily limit (5) holds after the hourly one has passed.
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Anonymous(addr, Report(building, "水泵噪音6", "13700000006")).status, 201);
  HttpResult daily = Anonymous(addr, Report(building, "水泵噪音7", "13700000007"));
  EXPECT_EQ(daily.status, 429);
  EXPECT_GT(std::stoll(daily.Header("retry-after")), 3600);
}

// Sixteen anonymous intakes at once from one address with three slots left: exactly three are accepted and the
// others get 429 (before, each checked the limit before any of them was counted, and all were accepted).
TEST_F(IntakeLimitTest, ConcurrentIntakesFromOneAddressAreAcceptedUpToTheLimitExactly) {
  auto [nb, building] = HomeArea();
  const std::string addr = "203.0.113.40";
  constexpr int kThreads = 16;
  std::latch start(kThreads);
  std::vector<int> status(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const json body = Report(building, "并发提交" + std::to_string(i), "1330000" + std::to_string(1000 + i));
      start.arrive_and_wait();
      status[i] = Anonymous(addr, body).status;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::count(status.begin(), status.end(), 201), 3);
  EXPECT_EQ(std::count(status.begin(), status.end(), 429), kThreads - 3);
  EXPECT_EQ(Anonymous(addr, Report(building, "并发之后", "13300009999")).status, 429);
}

// A reserved slot is given back when the submission fails: failed intakes do not use up the limit.
TEST_F(IntakeLimitTest, FailedIntakesDoNotCount) {
  auto [nb, building] = HomeArea();
  const std::string addr = "203.0.113.41";
  for (int i = 0; i < 4; ++i) {
    json bad = Report(building, "未知类别" + std::to_string(i), "1320000000" + std::to_string(i));
    bad["category"] = "no_such_category";
    EXPECT_EQ(Anonymous(addr, bad).status, 400);
  }
  for (int i = 0; i < 3; ++i) {
    HttpResult ok = Anonymous(addr, Report(building, "失败之后" + std::to_string(i), "1320000001" + std::to_string(i)));
    EXPECT_EQ(ok.status, 201) << ok.body;
  }
  EXPECT_EQ(Anonymous(addr, Report(building, "失败之后3", "13200000020")).status, 429);
}

TEST_F(IntakeLimitTest, PerPhoneAcrossAddressesAndTheWebFormKeepsTheText) {
  auto [nb, building] = HomeArea();
  const std::string phone = "13611112222";
  HttpClient a = Client();
  HttpResult first = WebForm(a, "198.51.100.1", building, "水泵夜间噪音一", phone);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(Anonymous("198.51.100.2", Report(building, "水泵夜间噪音二", "+86 136-1111-2222")).status, 201);
  // The same phone from a third address: the form again with 429, the message, Retry-After and the text kept.
  HttpClient c = Client();
  HttpResult refused = WebForm(c, "198.51.100.3", building, "水泵夜间噪音三", phone);
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("retry-after"), "3600");
  EXPECT_THAT(refused.body, HasSubstr("此联系电话提交的诉求已达上限"));
  EXPECT_THAT(refused.body, HasSubstr("水泵夜间噪音三"));
  EXPECT_THAT(refused.body, HasSubstr("夜里水泵一直响。"));
  // Another phone from that address is accepted.
  HttpResult other = WebForm(c, "198.51.100.3", building, "水泵夜间噪音四", "13611113333");
  EXPECT_EQ(other.status, 201) << other.body;
}

TEST_F(IntakeLimitTest, SignedInResidentsAndStaffEntryAreNotLimited) {
  auto [nb, building] = HomeArea();
  const std::string addr = "192.0.2.50";
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/cases", "resident1", Report(building, "登录提交" + std::to_string(i)),
                   {{"X-Forwarded-For", addr}})
                  .status,
              201);
    json entry = Report(building, "来电" + std::to_string(i));
    entry["channel"] = "phone";
    EXPECT_EQ(Call("POST", "/api/v1/cases", "nb-huayang", entry, {{"X-Forwarded-For", addr}}).status, 201);
  }
  // The address has counted nothing: anonymous intakes from it are still accepted.
  EXPECT_EQ(Anonymous(addr, Report(building, "匿名提交", "13500000000")).status, 201);
}

TEST_F(IntakeLimitTest, Open311PostsOfAResidentClientAreLimited) {
  auto [nb, building] = HomeArea();
  auto post = [&](const std::string& phone) {
    std::string body = "api_key=" + Token("resident2") + "&service_code=noise&address_id=" + std::to_string(building) +
                       "&description=" + http::PercentEncode("楼下饭店排风扇很吵。") + "&phone=" + phone;
    return Client().Post("/open311/v2/requests.json", body, "application/x-www-form-urlencoded",
                         {{"X-Forwarded-For", "192.0.2.77"}});
  };
  EXPECT_EQ(post("13400000001").status, 201);
  EXPECT_EQ(post("13400000001").status, 201);
  HttpResult refused = post("13400000001");
  ASSERT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("retry-after"), "3600");
  const json err = json::parse(refused.body);
  EXPECT_EQ(err[0]["code"], 429);
  EXPECT_THAT(err[0]["description"].get<std::string>(), HasSubstr("contact phone"));
}

}  // namespace
}  // namespace ningju::testing
