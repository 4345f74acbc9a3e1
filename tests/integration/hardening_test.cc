// Against strangers (fixture: app_fixture.h): a sign-in's `next` never leads off the site; a JSON number out of
// range is a 400 on every JSON route; an internal error reads as one general sentence with a request id that the log
// carries with the real text; the access log holds no token and no phone number; a stranger's roster upload is
// refused before a byte of it is parsed, and a bomb by the limit it breaks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "app_fixture.h"
#include "testing/source_path.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

// The access log of the suite's server, captured from spdlog's default logger.
class LogCapture {
 public:
  void Install() {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  void Restore() {
    if (previous_) spdlog::set_default_logger(previous_);
  }
  std::string Text() {
    spdlog::default_logger()->flush();
    return stream_.str();
  }
  // The line that carries `request_id`, waiting a moment: the server logs after it has sent the response.
  std::string LineFor(const std::string& request_id) {
    for (int i = 0; i < 200; ++i) {
      std::istringstream in(Text());
      for (std::string line; std::getline(in, line);) {
        if (line.find(request_id) != std::string::npos) return line;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

class HardeningTest : public AppTest {
 protected:
  static void SetUpTestSuite() {
    log_.Install();
    configure_ = [](app::Config& config) { config.access_log = true; };
    AppTest::SetUpTestSuite();
    configure_ = nullptr;
  }
  static void TearDownTestSuite() {
    AppTest::TearDownTestSuite();
    log_.Restore();
  }

  static std::string Fixture(const std::string& name) {
    std::ifstream in(SourcePath("tests/roster/" + name), std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // A neighborhood of 新泾镇 and a client signed in as its subdistrict's staff (who may manage its roster).
  int64_t Neighborhood() {
    HttpResult list = Client().Get("/api/v1/areas?kind=neighborhood&limit=200");
    return json::parse(list.body)["items"].back()["id"].get<int64_t>();
  }

  static HttpResult UploadXlsx(HttpClient& c, int64_t nb, const std::string& bytes, const std::string& csrf) {
    const std::string b = "----ningju-hardening";
    std::string body = "--" + b + "\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + csrf + "\r\n" + "--" +
                       b + "\r\nContent-Disposition: form-data; name=\"mode\"\r\n\r\ndry_run\r\n" + "--" + b +
                       "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"roster.xlsx\"\r\n" +
                       "Content-Type: application/octet-stream\r\n\r\n" + bytes + "\r\n--" + b + "--\r\n";
    return c.Post("/areas/" + std::to_string(nb) + "/roster", body, "multipart/form-data; boundary=" + b,
                  {{"Accept-Language", "en"}});
  }

  static inline LogCapture log_;
};

TEST_F(HardeningTest, SignInNextNeverLeadsOffTheSite) {
  for (const std::string& next :
       std::vector<std::string>{"/\r/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example",
                                "/%0d/evil.example", "/%2F/evil.example", "/%5Cevil.example", "https://evil.example",
                                "/\xEF\xBC\x8F"
                                "evil.example"}) {
    HttpClient c = Client();
    c.Get("/sign-in");
    HttpResult r = c.PostForm("/sign-in", {{"login", "resident1"}, {"password", app::kDemoPassword}, {"next", next}});
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_EQ(r.Header("location"), "/") << ::testing::PrintToString(next);
  }
  HttpClient c = Client();
  c.Get("/sign-in");
  HttpResult ok =
      c.PostForm("/sign-in", {{"login", "resident1"}, {"password", app::kDemoPassword}, {"next", "/cases?mine=1"}});
  EXPECT_EQ(ok.Header("location"), "/cases?mine=1");
  // The form carries only a safe value forward.
  HttpResult page = Client().Get("/sign-in?next=%2F%0D%2Fevil.example");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("evil.example")));
}

TEST_F(HardeningTest, JsonNumbersOutOfRangeAre400OnEveryJsonRoute) {
  int checked = 0;
  for (const http::RouteInfo& route : app_->router().Routes()) {
    if (route.pattern.rfind("/api/v1/", 0) != 0 || route.method == "GET") continue;
    // A token of its own for each route: some routes revoke tokens (a password change, DELETE of a token).
    const std::string token = TokenFor("resident1");
    const std::string target = std::regex_replace(route.pattern, std::regex("\\{[a-z_]+\\}"), "1");
    for (const char* body : {R"({"area_id": 1e999})", R"({"title": -1e999})", R"({"id": 18446744073709551615})"}) {
      HttpResult r = Client().Send(route.method, target, body,
                                   {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
      EXPECT_NE(r.status, 500) << route.method << " " << target << " " << body << ": " << r.body;
      EXPECT_THAT(r.body, Not(HasSubstr("json.exception"))) << route.method << " " << target;
    }
    ++checked;
  }
  EXPECT_GT(checked, 20);
  // Three routes that read the body of a caller they allow: the 400 names the problem. (A resident's meeting is
  // refused before its body is read, so staff send that one.)
  const std::string nb = std::to_string(Neighborhood());
  for (const auto& [method, target, login] :
       std::vector<std::tuple<std::string, std::string, std::string>>{{"PATCH", "/api/v1/areas/" + nb, "resident1"},
                                                                      {"POST", "/api/v1/cases", "resident1"},
                                                                      {"POST", "/api/v1/meetings", "nb-huayang"}}) {
    const std::string token = TokenFor(login);
    HttpResult r = Client().Send(method, target, R"({"area_id": 1e999})",
                                 {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}});
    EXPECT_EQ(r.status, 400) << method << " " << target << ": " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["message"], "a number in the JSON body is out of range") << target;
  }
}

TEST_F(HardeningTest, EveryResponseHasARequestIdAndTheErrorEnvelopeCarriesIt) {
  HttpResult r = Client().Get("/api/v1/areas/987654");
  EXPECT_EQ(r.status, 404);
  const std::string id = r.Header("x-request-id");
  EXPECT_FALSE(id.empty());
  EXPECT_EQ(json::parse(r.body)["error"]["request_id"], id);
  EXPECT_EQ(json::parse(r.body)["error"]["message"], "no area 987654");  // a service's own message stays
  EXPECT_THAT(log_.LineFor(id), HasSubstr("/api/v1/areas/987654"));
  HttpResult xml = Client().Get("/open311/v2/requests/987654.xml");
  EXPECT_EQ(xml.status, 404);
  EXPECT_THAT(xml.body, HasSubstr("<request_id>" + xml.Header("x-request-id") + "</request_id>"));
  EXPECT_NE(Client().Get("/").Header("x-request-id"), "");
}

TEST_F(HardeningTest, TheAccessLogHoldsNoTokenAndNoPhoneNumber) {
  const std::string token = TokenFor("resident1");
  HttpResult r = Client().Get("/open311/v2/requests.json?api_key=" + token + "&q=13812345678&access_token=" + token);
  EXPECT_EQ(r.status, 200) << r.body;
  const std::string line = log_.LineFor(r.Header("x-request-id"));
  EXPECT_THAT(line, HasSubstr("/open311/v2/requests.json?api_key=[redacted]&q=[phone]&access_token=[redacted]"));

  // Open311's api_key may come in the POST body (as GeoReport v2 says), which is never logged.
  const int64_t nb = Neighborhood();
  HttpResult children = Client().Get("/api/v1/areas/" + std::to_string(nb) + "/children");
  const int64_t building = json::parse(children.body)["items"][0]["id"].get<int64_t>();
  HttpResult posted =
      Client().Post("/open311/v2/requests.json",
                    "api_key=" + UrlEncode(token) + "&service_code=sanitation&address_id=" + std::to_string(building) +
                        "&description=" + UrlEncode("楼道堆物，电话13912345678"),
                    "application/x-www-form-urlencoded");
  EXPECT_EQ(posted.status, 201) << posted.body;
  const std::string post_line = log_.LineFor(posted.Header("x-request-id"));
  EXPECT_THAT(post_line, HasSubstr("POST /open311/v2/requests.json"));
  const std::string all = log_.Text();
  EXPECT_THAT(all, Not(HasSubstr(token)));
  EXPECT_THAT(all, Not(HasSubstr("13812345678")));
  EXPECT_THAT(all, Not(HasSubstr("13912345678")));
}

TEST_F(HardeningTest, AStrangersRosterUploadIsRefusedBeforeItIsParsed) {
  const int64_t nb = Neighborhood();
  const std::string target = "/areas/" + std::to_string(nb) + "/roster";
  // A body that is not even multipart: parsing it would be a 400; the permission answers first.
  const std::string garbage = "this is not multipart at all";
  HttpResult anonymous = Client().Post(target, garbage, "multipart/form-data; boundary=xyz");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  HttpClient resident = SignedIn("resident1");
  HttpResult refused = resident.Post(target, garbage, "multipart/form-data; boundary=xyz");
  EXPECT_EQ(refused.status, 403) << refused.body;
  // A zip bomb from a stranger: 401 as well, whatever it holds.
  HttpClient stranger = Client();
  stranger.Get("/sign-in");
  EXPECT_EQ(UploadXlsx(stranger, nb, Fixture("cells_bomb.xlsx"), stranger.csrf()).status, 401);

  // Staff who may import get the file parsed, and the bomb refused by the limit it breaks.
  HttpClient staff = SignedIn("sd-xinjing");
  staff.Get(target);
  HttpResult bomb = UploadXlsx(staff, nb, Fixture("cells_bomb.xlsx"), staff.csrf());
  EXPECT_EQ(bomb.status, 413) << bomb.body;
  EXPECT_THAT(bomb.body, HasSubstr("1500000"));  // the limit, in the staff member's language
  // The CSRF check still holds for those who may import.
  HttpResult forged = UploadXlsx(staff, nb, Fixture("cells_bomb.xlsx"), "forged");
  EXPECT_EQ(forged.status, 403) << forged.body;
}

// A database that fails under a route (its areas table renamed away): every envelope reads the general sentence
// with the request id, and the log line of that id carries the real text.
class BrokenDatabaseTest : public HardeningTest {
 protected:
  static void SetUpTestSuite() {
    HardeningTest::SetUpTestSuite();
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute("ALTER TABLE areas RENAME TO areas_gone"));
  }
};

TEST_F(BrokenDatabaseTest, InternalErrorsReadAsOneGeneralSentenceWithTheRequestId) {
  auto expect_general = [&](const HttpResult& r, const std::string& text, const std::string& what) {
    EXPECT_EQ(r.status, 500) << what << ": " << r.body;
    const std::string id = r.Header("x-request-id");
    ASSERT_FALSE(id.empty()) << what;
    EXPECT_THAT(r.body, HasSubstr(id)) << what;
    EXPECT_THAT(text, HasSubstr("Something went wrong inside the system")) << what;
    for (const char* internal : {"sqlite", "postgres", "SELECT", "no such table", "does not exist"}) {
      EXPECT_THAT(r.body, Not(HasSubstr(internal))) << what;
    }
    const std::string line = log_.LineFor(id);
    EXPECT_THAT(line, HasSubstr("internal")) << what;
    EXPECT_THAT(line, HasSubstr("areas")) << what << ": " << line;
  };
  HttpResult api = Client().Get("/api/v1/areas/1");
  expect_general(api, json::parse(api.body)["error"]["message"].get<std::string>(), "json");
  EXPECT_EQ(json::parse(api.body)["error"]["request_id"], api.Header("x-request-id"));
  HttpResult open311 = Client().Get("/open311/v2/requests.json");
  expect_general(open311, json::parse(open311.body)[0]["description"].get<std::string>(), "open311 json");
  HttpResult xml = Client().Get("/open311/v2/requests.xml");
  expect_general(xml, xml.body, "open311 xml");
  HttpResult page = Client().Get("/areas/1", {{"Accept-Language", "en"}});
  expect_general(page, page.body, "page");
}

}  // namespace
}  // namespace ningju::testing
