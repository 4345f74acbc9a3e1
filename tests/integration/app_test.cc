// The foundation over real sockets: the shell, accounts, areas, the API conventions (fixture: app_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "app/app.h"
#include "app_fixture.h"
#include "common/text_util.h"
#include "common/time.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// The log's times are UTC with their "Z" whatever the host's zone: CI runs this under TZ=Asia/Shanghai, where a
// local-time pattern would be 8 hours off.
TEST(LoggingTest, LinesStartWithTheirTimeInUtc) {
  auto previous = spdlog::default_logger();
  std::ostringstream out;
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("utc", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  app::ConfigureLogging();
  const Instant before = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  spdlog::info("hello {}", 1);
  spdlog::default_logger()->flush();
  spdlog::set_default_logger(previous);
  const std::string line = out.str();
  ASSERT_GE(line.size(), 24u) << line;
  EXPECT_EQ(line.substr(23, 1), "Z") << line;
  EXPECT_THAT(line, HasSubstr(" info hello 1"));
  auto logged = ParseTimestamp(line.substr(0, 19) + "Z");
  ASSERT_TRUE(logged.ok()) << line;
  EXPECT_LE(std::chrono::abs(logged->instant() - before), std::chrono::seconds(120))
      << line << " vs " << FormatUtc(before);
}

TEST(BaseUrlTest, LoopbackHostsAreTheOnesResidentsCannotOpen) {
  for (const char* url : {"http://127.0.0.1:8080", "http://localhost", "https://LOCALHOST.:443/", "http://[::1]:8080",
                          "http://0.0.0.0:8080", "http://127.3.4.5", "http://user@localhost/x", "http://a.localhost"}) {
    EXPECT_TRUE(app::IsLoopbackBaseUrl(url)) << url;
  }
  for (const char* url : {"https://ningju.changning.gov.cn", "http://10.0.0.5:8080", "https://127.example.org",
                          "http://[2001:db8::1]/", "https://localhost-proxy.example"}) {
    EXPECT_FALSE(app::IsLoopbackBaseUrl(url)) << url;
  }
}

TEST_F(AppTest, HealthzAnswers) {
  HttpResult r = Client().Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
}

TEST_F(AppTest, HomePageSpeaksChineseFirstAndEnglishOnRequest) {
  HttpResult zh = Client().Get("/");
  EXPECT_EQ(zh.status, 200);
  EXPECT_THAT(zh.body, HasSubstr("<html lang=\"zh-CN\">"));
  EXPECT_THAT(zh.body, HasSubstr("长宁区"));
  EXPECT_THAT(zh.body, HasSubstr("居民区"));
  EXPECT_EQ(zh.Header("x-content-type-options"), "nosniff");
  EXPECT_THAT(zh.Header("content-security-policy"), HasSubstr("default-src 'self'"));
  HttpResult en = Client().Get("/", {{"Accept-Language", "en-US,en;q=0.9"}});
  EXPECT_THAT(en.body, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en.body, HasSubstr("Neighborhoods"));
  // The switch: a cookie chosen by the form wins over the header.
  HttpClient c = Client();
  c.Get("/");
  HttpResult switched = c.PostForm("/lang", {{"lang", "en"}});
  EXPECT_EQ(switched.status, 303);
  EXPECT_THAT(c.Get("/").body, HasSubstr("<html lang=\"en\">"));
}

TEST_F(AppTest, ApiListsTheTenSubdistrictsWithCursors) {
  std::set<std::string> names;
  std::string cursor;
  int pages = 0;
  do {
    HttpResult r = Client().Get("/api/v1/areas?kind=subdistrict&limit=4" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    json page = json::parse(r.body);
    for (const auto& item : page["items"]) names.insert(item["name"].get<std::string>());
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names.size(), 10u);
  EXPECT_TRUE(names.count("华阳路街道"));
  EXPECT_TRUE(names.count("新泾镇"));
  HttpResult all = Client().Get("/api/v1/areas?kind=neighborhood&limit=200");
  EXPECT_EQ(json::parse(all.body)["items"].size(), 185u);
}

TEST_F(AppTest, ApiChildrenAndFigures) {
  int64_t sd = FirstOfKind("subdistrict");
  HttpResult r = Client().Get("/api/v1/areas/" + std::to_string(sd) + "/children?limit=200");
  ASSERT_EQ(r.status, 200);
  json children = json::parse(r.body)["items"];
  EXPECT_EQ(children.size(), 21u);  // 华阳路街道 has 21 neighborhoods
  for (const auto& c : children) EXPECT_EQ(c["kind"], "neighborhood");
  HttpResult one = Client().Get("/api/v1/areas/" + std::to_string(sd));
  json area = json::parse(one.body);
  EXPECT_EQ(area["figures"]["neighborhoods"], 21);
  EXPECT_EQ(area["figures"]["buildings"], 42);
  EXPECT_EQ(area["figures"]["units"], 42 * 6);
}

TEST_F(AppTest, ApiErrorsUseOneEnvelope) {
  HttpResult missing = Client().Get("/api/v1/areas/999999");
  EXPECT_EQ(missing.status, 404);
  json e = json::parse(missing.body);
  EXPECT_EQ(e["error"]["code"], "not_found");
  EXPECT_TRUE(e["error"].contains("field"));
  HttpResult bad_id = Client().Get("/api/v1/areas/abc");
  EXPECT_EQ(bad_id.status, 400);
  EXPECT_EQ(json::parse(bad_id.body)["error"]["field"], "id");
  HttpResult bad_kind = Client().Get("/api/v1/areas?kind=planet");
  EXPECT_EQ(bad_kind.status, 400);
  EXPECT_EQ(json::parse(bad_kind.body)["error"]["field"], "kind");
  HttpResult bad_cursor = Client().Get("/api/v1/areas?kind=subdistrict&cursor=zzz");
  EXPECT_EQ(bad_cursor.status, 400);
  HttpResult bad_limit = Client().Get("/api/v1/areas?kind=subdistrict&limit=100000");
  EXPECT_EQ(bad_limit.status, 400);
  HttpResult me = Client().Get("/api/v1/me");
  EXPECT_EQ(me.status, 401);
  EXPECT_EQ(json::parse(me.body)["error"]["code"], "unauthenticated");
}

TEST_F(AppTest, SignInNeedsTheCsrfTokenAndOpensASession) {
  HttpClient c = Client();
  HttpResult form = c.Get("/sign-in");
  EXPECT_EQ(form.status, 200);
  ASSERT_FALSE(c.csrf().empty());
  HttpResult forged = c.PostForm("/sign-in", {{"login", "admin"}, {"password", app::kDemoPassword}}, false);
  EXPECT_EQ(forged.status, 403);
  EXPECT_FALSE(c.cookies().count("nj_session"));
  HttpResult wrong = c.PostForm("/sign-in", {{"login", "admin"}, {"password", "wrong-password"}});
  EXPECT_EQ(wrong.status, 401);
  HttpResult ok =
      c.PostForm("/sign-in", {{"login", "admin"}, {"password", app::kDemoPassword}, {"next", "//evil.example"}});
  EXPECT_EQ(ok.status, 303);
  EXPECT_EQ(ok.Header("location"), "/");
  std::string cookie_line;
  for (auto [it, end] = ok.headers.equal_range("set-cookie"); it != end; ++it) {
    if (it->second.rfind("nj_session=", 0) == 0) cookie_line = it->second;
  }
  EXPECT_THAT(cookie_line, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie_line, HasSubstr("SameSite=Lax"));
  HttpResult account = c.Get("/account");
  EXPECT_EQ(account.status, 200);
  EXPECT_THAT(account.body, HasSubstr("区管理员"));
  HttpResult me = c.Get("/api/v1/me");
  EXPECT_EQ(json::parse(me.body)["grants"][0]["role"], "district_admin");
  c.PostForm("/sign-out", {});
  EXPECT_EQ(c.Get("/api/v1/me").status, 401);
}

TEST_F(AppTest, SignUpValidatesAndSignsIn) {
  HttpClient c = Client();
  c.Get("/sign-up");
  HttpResult bad = c.PostForm("/sign-up", {{"login", "x"}, {"display_name", "新居民"}, {"password", "password-1"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("role=\"alert\""));
  HttpResult ok =
      c.PostForm("/sign-up", {{"login", "13900001111"}, {"display_name", "新居民"}, {"password", "password-1"}});
  EXPECT_EQ(ok.status, 303);
  EXPECT_THAT(c.Get("/api/v1/me").body, HasSubstr("新居民"));
  HttpClient again = Client();
  again.Get("/sign-up");
  EXPECT_EQ(
      again.PostForm("/sign-up", {{"login", "13900001111"}, {"display_name", "x"}, {"password", "password-2"}}).status,
      409);
}

TEST_F(AppTest, BadInputIsRefusedWithWhatAndWhere) {
  HttpClient c = Client();
  c.Get("/sign-in");
  // Invalid UTF-8 in a form field.
  HttpResult utf8 =
      c.Post("/sign-in", "login=%FF%FE&password=x&_csrf=" + c.csrf(), "application/x-www-form-urlencoded");
  EXPECT_EQ(utf8.status, 400);
  EXPECT_THAT(utf8.body, HasSubstr("UTF-8"));
  // A malformed form body.
  HttpResult malformed = c.Post("/sign-in", "login=%ZZ", "application/x-www-form-urlencoded");
  EXPECT_EQ(malformed.status, 400);
  // An oversized body (the limit is 16 KiB here).
  HttpResult big = c.Post("/sign-in", std::string(64 * 1024, 'a'), "application/x-www-form-urlencoded");
  EXPECT_EQ(big.status, 413);
  // `..` in a static path.
  std::string traversal =
      c.Raw("GET /static/..%2f..%2fCMakeLists.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(traversal, Not(HasSubstr("cmake_minimum_required")));
  EXPECT_THAT(traversal.substr(0, 12), ::testing::AnyOf(HasSubstr("400"), HasSubstr("404")));
  // Unknown route and wrong method.
  EXPECT_EQ(c.Get("/no/such/page").status, 404);
  EXPECT_EQ(c.Send("DELETE", "/api/v1/areas", "", {}).status, 405);
}

TEST_F(AppTest, StaffEditThroughTheApiAndEveryChangeIsAudited) {
  int64_t nb = FirstOfKind("neighborhood");
  std::string staff = TokenFor("nb-huayang");
  std::string resident = TokenFor("resident1");
  HttpClient c = Client();
  auto patch = [&](const std::string& token, const std::string& body) {
    return c.Send("PATCH", "/api/v1/areas/" + std::to_string(nb), body,
                  {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  HttpResult denied = patch(resident, R"({"address":"x"})");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(json::parse(denied.body)["error"]["code"], "permission_denied");
  HttpResult unknown = patch(staff, R"({"colour":"red"})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(json::parse(unknown.body)["error"]["field"], "colour");
  HttpResult malformed = patch(staff, R"({"name": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_THAT(json::parse(malformed.body)["error"]["message"].get<std::string>(), HasSubstr("byte"));
  HttpResult bad_class = patch(staff, R"({"subkind":"castle"})");
  EXPECT_EQ(bad_class.status, 400);
  HttpResult ok = patch(staff, R"({"address":"安化路 492 号","subkind":"old_lane"})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["subkind"], "old_lane");
  // No cookie-less write without a token: anonymous writes are refused.
  EXPECT_EQ(c.Send("PATCH", "/api/v1/areas/" + std::to_string(nb), R"({"address":"y"})",
                   {{"Content-Type", "application/json"}})
                .status,
            401);
  {  // given back before VerifyAudit takes one (no nested Acquire)
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto audit = record::ListAudit(**conn, record::Ref("area", nb), 10);
    ASSERT_OK(audit);
    ASSERT_EQ(audit->size(), 1u);  // the refused attempts wrote nothing
    EXPECT_EQ((*audit)[0].action, "area.update");
    EXPECT_THAT((*audit)[0].summary, HasSubstr("安化路 492 号"));
  }
  auto verified = record::VerifyAudit(app_->db());
  ASSERT_OK(verified);
  EXPECT_TRUE(verified->problems.empty());
}

TEST_F(AppTest, TheUnitTableIsForRosterKeepersAndAnonymousVisitorsSeeFigures) {
  // The demo's balloting building: its owners are on the roster (other buildings of the small demo have none).
  int64_t building = 0;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto row = (*conn)->QueryOne("SELECT area_id FROM ballots ORDER BY id LIMIT 1");
    ASSERT_OK(row);
    building = row->Int(0);
  }
  // Anyone: the numbers (to pick an apartment when reporting), no floor areas, no owners.
  HttpResult pub = Client().Get("/api/v1/areas/" + std::to_string(building) + "/units");
  ASSERT_EQ(pub.status, 200);
  json units = json::parse(pub.body)["items"];
  ASSERT_FALSE(units.empty());
  for (const auto& u : units) {
    EXPECT_TRUE(u["number"].is_string());
    EXPECT_FALSE(u.contains("owners")) << u.dump();
    EXPECT_FALSE(u.contains("area_m2")) << u.dump();
  }
  HttpResult resident = Client().Get("/api/v1/areas/" + std::to_string(building) + "/units",
                                     {{"Authorization", "Bearer " + TokenFor("resident1")}});
  ASSERT_EQ(resident.status, 200);
  EXPECT_FALSE(json::parse(resident.body)["items"][0].contains("owners"));
  // Staff who keep the roster: the table, names in full.
  HttpResult staff = Client().Get("/api/v1/areas/" + std::to_string(building) + "/units",
                                  {{"Authorization", "Bearer " + TokenFor("sd-huayang")}});
  std::string staff_owner;
  const json staff_units = json::parse(staff.body);  // kept alive: a range-for over parse(...)["items"] dangles
  for (const auto& u : staff_units["items"]) {
    EXPECT_TRUE(u.contains("area_m2"));
    if (!u["owners"].empty()) staff_owner = u["owners"][0].get<std::string>();
  }
  ASSERT_FALSE(staff_owner.empty()) << staff.body;
  EXPECT_THAT(staff_owner, Not(HasSubstr("*")));
  // The page: the building's figures for an anonymous visitor, no unit-by-unit table, no owner, masked or not.
  HttpResult page = Client().Get("/areas/" + std::to_string(building));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("class=\"figures\""));
  EXPECT_THAT(page.body, Not(HasSubstr("units-heading")));  // the table's heading comes only with the table
  auto conn = app_->db().Acquire();
  ASSERT_OK(conn);
  auto owners = (*conn)->Execute(
      "SELECT o.name, o.phone FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id "
      "JOIN units u ON u.id = uo.unit_id WHERE u.building_id = ?",
      {building});
  ASSERT_OK(owners);
  ASSERT_FALSE(owners->rows.empty());
  for (const auto& row : owners->rows) {
    EXPECT_THAT(page.body, Not(HasSubstr(row.Text(1))));              // no phone
    EXPECT_THAT(page.body, Not(HasSubstr(MaskName(row.Text(0)))));    // no masked name
    EXPECT_THAT(page.body, Not(HasSubstr(">" + row.Text(0) + "<")));  // no full name
  }
  HttpClient keeper = SignedIn("sd-huayang");
  HttpResult staff_page = keeper.Get("/areas/" + std::to_string(building));
  EXPECT_EQ(staff_page.status, 200);
  EXPECT_THAT(staff_page.body, HasSubstr("units-heading"));
  EXPECT_THAT(staff_page.body, HasSubstr(staff_owner));
}

TEST_F(AppTest, TreePagesAndTheDoorSheet) {
  int64_t nb = FirstOfKind("neighborhood");
  HttpResult area = Client().Get("/areas/" + std::to_string(nb));
  EXPECT_EQ(area.status, 200);
  EXPECT_THAT(area.body, HasSubstr("华阳路街道"));     // breadcrumb
  EXPECT_THAT(area.body, Not(HasSubstr("一街一品")));  // an empty value shows no label
  int64_t building =
      json::parse(Client().Get("/api/v1/areas/" + std::to_string(nb) + "/children").body)["items"][0]["id"];
  HttpResult sheet = Client().Get("/areas/" + std::to_string(building) + "/door-sheet");
  EXPECT_EQ(sheet.status, 200);
  EXPECT_THAT(sheet.body, HasSubstr("<svg"));
  EXPECT_THAT(sheet.body, HasSubstr("/buildings/" + std::to_string(building)));
  EXPECT_EQ(Client().Get("/buildings/" + std::to_string(building)).status, 200);
  EXPECT_EQ(Client().Get("/buildings/" + std::to_string(nb)).status, 404);
}

// Uploads `csv` to a neighborhood's roster form as multipart/form-data.
HttpResult UploadRoster(HttpClient& c, int64_t nb, const std::string& csv, const std::string& mode) {
  c.Get("/areas/" + std::to_string(nb) + "/roster");
  const std::string b = "----ningju-test-boundary";
  std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + c.csrf() + "\r\n" +
                     "--" + b + "\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\n" + mode + "\r\n" + "--" + b +
                     "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.csv\"\r\n" +
                     "Content-Type: text/csv\r\n\r\n" + csv + "\r\n--" + b + "--\r\n";
  return c.Post("/areas/" + std::to_string(nb) + "/roster", body, "multipart/form-data; boundary=" + b);
}

TEST_F(AppTest, RosterUploadDryRunImportAndExport) {
  // The last neighborhood of 新泾镇: its staff account is not nb-huayang, so use the subdistrict's.
  HttpResult list = Client().Get("/api/v1/areas?kind=neighborhood&limit=200");
  json items = json::parse(list.body)["items"];
  int64_t nb = items.back()["id"].get<int64_t>();
  HttpClient staff = SignedIn("sd-xinjing");
  auto units = [&]() {
    auto conn = app_->db().Acquire();
    auto row = (*conn)->QueryOne(
        "SELECT COUNT(*) FROM units u JOIN area_paths p ON p.descendant_id = u.entrance_id WHERE p.ancestor_id = ?",
        {nb});
    return row.ok() ? row->Int(0) : -1;
  };
  const int64_t before = units();

  const std::string bad =
      "楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售\n"
      "9号楼,1,101,1,1.234,张伟,13812345678,否\n"
      "9号楼,1,102,1,80.00,,13812345679,否\n";
  HttpResult rejected = UploadRoster(staff, nb, bad, "apply");
  EXPECT_EQ(rejected.status, 422) << rejected.body;
  EXPECT_THAT(rejected.body, HasSubstr("1.234"));
  EXPECT_EQ(units(), before);  // nothing written while any row is bad

  const std::string good =
      "楼栋,门洞,室号,楼层,建筑面积,业主姓名,业主电话,开发商未售\n"
      "9号楼,1,101,1,89.50,张伟,13812345678,否\n"
      "9号楼,1,102,1,75.20,张伟,13812345678,否\n"
      "9号楼,1,201,2,75.20,,,是\n";
  HttpResult dry = UploadRoster(staff, nb, good, "dry_run");
  EXPECT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(units(), before);
  HttpResult applied = UploadRoster(staff, nb, good, "apply");
  EXPECT_EQ(applied.status, 200) << applied.body;
  EXPECT_EQ(units(), before + 3);

  HttpResult masked = staff.Get("/areas/" + std::to_string(nb) + "/roster.csv");
  EXPECT_EQ(masked.status, 200);
  EXPECT_THAT(masked.body, HasSubstr("138****5678"));
  EXPECT_THAT(masked.body, Not(HasSubstr("13812345678")));
  HttpResult full = staff.Get("/areas/" + std::to_string(nb) + "/roster.csv?unmasked=1");
  EXPECT_THAT(full.body, HasSubstr("13812345678"));
  HttpResult xlsx = staff.Get("/areas/" + std::to_string(nb) + "/roster.xlsx");
  EXPECT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  // Another subdistrict's staff and residents may neither read nor write this roster.
  HttpClient other = SignedIn("sd-huayang");
  EXPECT_EQ(other.Get("/areas/" + std::to_string(nb) + "/roster.csv").status, 403);
  EXPECT_EQ(UploadRoster(other, nb, good, "apply").status, 403);
  EXPECT_EQ(Client().Get("/areas/" + std::to_string(nb) + "/roster.csv").status, 401);
}

TEST_F(AppTest, OpenApiDocumentMatchesTheRouter) {
  HttpResult r = Client().Get("/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  std::set<std::string> documented, routed;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string upper = method;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(upper + " " + path);
    }
  }
  for (const auto& route : app_->router().Routes()) {
    if (route.pattern.rfind("/api/v1/", 0) == 0) routed.insert(route.method + " " + route.pattern);
  }
  EXPECT_EQ(documented, routed);
}

}  // namespace
}  // namespace ningju::testing
