// The whole server on an ephemeral loopback port, with the small demo district: the fixture every integration test
// (tests/integration/*_test.cc) derives from. SetUpTestSuite creates a fresh database (SQLite, or PostgreSQL under
// NINGJU_TEST_BACKEND=postgres), seeds the small demo (seed 7), listens on port 0 and serves on a thread.
#ifndef NINGJU_TESTS_INTEGRATION_APP_FIXTURE_H_
#define NINGJU_TESTS_INTEGRATION_APP_FIXTURE_H_

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/app.h"
#include "app/demo.h"
#include "http_client.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::testing {

class AppTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto url = NewTestDatabaseUrl();
    ASSERT_OK(url);
    app::Config config;
    config.database = *url;
    config.port = 0;
    config.password_cost = "test";
    config.access_log = false;
    config.max_body_kb = 16;
    config.worker_threads = 2;
    config.db_nested_acquire = "fail";  // a route that nests Acquire fails its test (STYLE.md item 18)
    config.io_threads = 1;
    config.web_root = std::getenv("NINGJU_SOURCE_DIR") ? std::getenv("NINGJU_SOURCE_DIR") : NINGJU_SOURCE_DIR_FALLBACK;
    if (configure_) configure_(config);
    auto created = app::App::Create(config, clock_);
    ASSERT_OK(created);
    app_ = std::move(created).value().release();
    auto demo = app::CreateDemo(app_->db(), clock_, 7, app::DemoScale::kSmall, auth::PasswordCost::kTest);
    ASSERT_OK(demo);
    // The demo indexed for search, as `ningju serve` does at start for a new demo (App::Init).
    for (int64_t applied = 1; applied > 0;) {
      auto r = app_->search().Refresh();
      ASSERT_OK(r);
      applied = *r;
    }
    ASSERT_OK(app_->Listen());
    thread_ = new std::thread([] { app_->Run(false); });
  }
  static void TearDownTestSuite() {
    if (app_) app_->Stop();
    if (thread_) thread_->join();
    delete thread_;
    delete app_;
  }

  HttpClient Client() { return HttpClient(app_->port()); }

  // Signs in through the form and returns the client holding the session cookie.
  HttpClient SignedIn(const std::string& login) {
    HttpClient c = Client();
    c.Get("/sign-in");
    HttpResult r = c.PostForm("/sign-in", {{"login", login}, {"password", app::kDemoPassword}, {"next", "/"}});
    EXPECT_EQ(r.status, 303) << r.body;
    EXPECT_TRUE(c.cookies().count("nj_session"));
    return c;
  }

  // An API token for a demo account.
  std::string TokenFor(const std::string& login) {
    auto user = app_->accounts().FindByLogin(login);
    EXPECT_OK(user);
    auto token = app_->accounts().CreateApiToken(user->id, "test");
    EXPECT_OK(token);
    return token.value_or("");
  }

  int64_t FirstOfKind(const std::string& kind) {
    HttpResult r = Client().Get("/api/v1/areas?kind=" + kind + "&limit=1");
    EXPECT_EQ(r.status, 200);
    return nlohmann::json::parse(r.body)["items"][0]["id"].get<int64_t>();
  }

  // TokenFor, made once per test and login.
  std::string Token(const std::string& login) {
    auto it = tokens_.find(login);
    if (it != tokens_.end()) return it->second;
    return tokens_[login] = TokenFor(login);
  }

  // A JSON API call with `token` (none when empty) and `body` (for other methods than GET; "{}" when null).
  HttpResult Api(const std::string& method, const std::string& path, const std::string& token,
                 const nlohmann::json& body = nullptr,
                 const std::vector<std::pair<std::string, std::string>>& extra_headers = {}) {
    std::vector<std::pair<std::string, std::string>> headers = extra_headers;
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    if (method == "GET") return Client().Get(path, headers);
    headers.push_back({"Content-Type", "application/json"});
    return Client().Send(method, path, body.is_null() ? "{}" : body.dump(), headers);
  }

  // The first neighborhood of 华阳路街道 (where resident1 lives and nb-huayang works) and its first building.
  std::pair<int64_t, int64_t> HomeArea() {
    const int64_t nb = FirstOfKind("neighborhood");
    HttpResult r = Client().Get("/api/v1/areas/" + std::to_string(nb) + "/children");
    EXPECT_EQ(r.status, 200);
    return {nb, nlohmann::json::parse(r.body)["items"][0]["id"].get<int64_t>()};
  }

  // The demo elevator project's building (resident1's, whose owners are owner1, owner2...) and its neighborhood
  // (staff login nb-huayang).
  std::pair<int64_t, int64_t> DemoBuilding() {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    if (!conn.ok()) return {0, 0};
    auto row = (*conn)->QueryOne("SELECT building_id, neighborhood_id FROM elevator_projects ORDER BY id LIMIT 1");
    EXPECT_OK(row);
    if (!row.ok()) return {0, 0};
    return {row->Int(0), row->Int(1)};
  }

  std::map<std::string, std::string> tokens_;  // by Token()

  // A suite that needs other settings sets this in its own SetUpTestSuite before calling AppTest's (and clears it).
  static inline std::function<void(app::Config&)> configure_;
  static inline FakeClock clock_{FromUnix(1'780'000'000)};
  static inline app::App* app_ = nullptr;
  static inline std::thread* thread_ = nullptr;
};

}  // namespace ningju::testing

#endif  // NINGJU_TESTS_INTEGRATION_APP_FIXTURE_H_
