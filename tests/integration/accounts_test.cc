// Accounts over HTTP (fixture: app_fixture.h): concurrent wrong sign-ins against a pool smaller than the workers,
// the same answer for unknown and known logins, the known-device rule, the sign-up limit, and API tokens (list,
// revoke, read-only scope). A suite of its own: its failed sign-ins must not slow down other suites' sign-ins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app_fixture.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

constexpr int kPool = 4;

class AccountsHttpTest : public AppTest {
 public:
  static void SetUpTestSuite() {
    configure_ = [](app::Config& c) {
      c.db_pool_size = kPool;
      c.worker_threads = 2 * kPool;
      c.trust_proxy = true;  // X-Forwarded-For names the client, so a test can speak from several addresses
    };
    AppTest::SetUpTestSuite();
    configure_ = nullptr;
  }

 protected:
  static std::vector<std::pair<std::string, std::string>> From(const std::string& address) {
    return {{"X-Forwarded-For", address}};
  }
  // A wrong (or right) sign-in through the form from `address`.
  static HttpResult SignInFrom(HttpClient& c, const std::string& login, const std::string& password,
                               const std::string& address) {
    if (c.csrf().empty()) c.Get("/sign-in", From(address));
    return c.Post("/sign-in", "login=" + login + "&password=" + password + "&next=%2F&_csrf=" + c.csrf(),
                  "application/x-www-form-urlencoded", From(address));
  }
};

TEST_F(AccountsHttpTest, ConcurrentWrongSignInsAreAllAnsweredWithoutWaitingForThePool) {
  // Twice as many clients as pool connections, all signing in wrongly at once. Before, each sign-in held a
  // connection while asking for a second: every request waited for the 30 s acquire timeout and some got 503.
  constexpr int kClients = 2 * kPool;
  constexpr int kEach = 4;
  std::vector<std::vector<int>> statuses(kClients);
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      HttpClient c = Client();
      for (int i = 0; i < kEach; ++i) {
        const std::string login = t % 2 == 0 ? "admin" : "nobody" + std::to_string(t);
        statuses[t].push_back(SignInFrom(c, login, "wrong-password", "10.2.0." + std::to_string(t)).status);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& per_client : statuses) {
    ASSERT_EQ(per_client.size(), static_cast<size_t>(kEach));
    for (int status : per_client) EXPECT_TRUE(status == 401 || status == 429) << status;
  }
  const storage::PoolStats stats = app_->db().pool_stats();
  EXPECT_EQ(stats.nested, 0);
  EXPECT_EQ(stats.timeouts, 0);
}

TEST_F(AccountsHttpTest, UnknownAndKnownLoginsGetTheSamePage) {
  HttpClient c = Client();
  c.Get("/sign-in", From("10.3.0.1"));
  // Logins of one length, so that the echoed form field is the only difference to take out.
  HttpResult known = SignInFrom(c, "admin", "wrong-password", "10.3.0.1");
  HttpResult unknown = SignInFrom(c, "adnim", "wrong-password", "10.3.0.1");
  EXPECT_EQ(known.status, 401);
  EXPECT_EQ(unknown.status, known.status);
  std::string known_body = known.body;
  std::string unknown_body = unknown.body;
  const size_t at = known_body.find("value=\"admin\"");
  ASSERT_NE(at, std::string::npos);
  known_body.replace(at, 13, "value=\"adnim\"");
  EXPECT_EQ(known_body, unknown_body);
  EXPECT_EQ(known.Header("set-cookie"), unknown.Header("set-cookie"));
}

TEST_F(AccountsHttpTest, AStrangersWrongPasswordsDoNotKeepTheOwnerOut) {
  HttpClient owner = Client();
  ASSERT_EQ(SignInFrom(owner, "admin", app::kDemoPassword, "10.4.0.1").status, 303);
  ASSERT_TRUE(owner.cookies().count("nj_device"));
  owner.PostForm("/sign-out", {});
  // 50 wrong passwords for the owner's login from the owner's own (shared) address.
  HttpClient stranger = Client();
  int refused = 0;
  for (int i = 0; i < 50; ++i) {
    const int status = SignInFrom(stranger, "admin", "guess-" + std::to_string(i), "10.4.0.1").status;
    EXPECT_TRUE(status == 401 || status == 429) << status;
    if (status == 429) ++refused;
  }
  EXPECT_GT(refused, 0);
  // The right password without the known-device cookie must wait, from there ...
  EXPECT_EQ(SignInFrom(stranger, "admin", app::kDemoPassword, "10.4.0.1").status, 429);
  // ... but the owner's browser signs in at once.
  owner.Get("/sign-in", From("10.4.0.1"));
  EXPECT_EQ(SignInFrom(owner, "admin", app::kDemoPassword, "10.4.0.1").status, 303);
}

TEST_F(AccountsHttpTest, SignUpsOverTheLimitOfAnAddressAre429) {
  for (int i = 0; i < 10; ++i) {
    HttpClient c = Client();
    c.Get("/sign-up", From("10.5.0.1"));
    HttpResult r =
        c.Post("/sign-up",
               "login=limit" + std::to_string(i) + "&display_name=%E6%96%B0&password=password-123&_csrf=" + c.csrf(),
               "application/x-www-form-urlencoded", From("10.5.0.1"));
    ASSERT_EQ(r.status, 303) << i << r.body;
  }
  HttpClient c = Client();
  c.Get("/sign-up", From("10.5.0.1"));
  HttpResult over =
      c.Post("/sign-up", "login=limit.over&display_name=%E6%96%B0&password=password-123&_csrf=" + c.csrf(),
             "application/x-www-form-urlencoded", From("10.5.0.1"));
  EXPECT_EQ(over.status, 429);
  EXPECT_THAT(over.body, HasSubstr("role=\"alert\""));
}

TEST_F(AccountsHttpTest, TokensAreListedRevokedAndScoped) {
  const std::string write = TokenFor("admin");
  const auto bearer = [](const std::string& t) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + t},
                                                            {"Content-Type", "application/json"}};
  };
  HttpClient c = Client();
  HttpResult made = c.Send("POST", "/api/v1/account/tokens", R"({"name": "报表", "scope": "read", "expires_days": 7})",
                           bearer(write));
  ASSERT_EQ(made.status, 201) << made.body;
  const json made_json = json::parse(made.body);
  const std::string read = made_json["token"].get<std::string>();
  EXPECT_EQ(made_json["scope"], "read");
  EXPECT_EQ(made_json["name"], "报表");

  // The read-only token reads, and is refused every write, on every route.
  EXPECT_EQ(c.Get("/api/v1/me", bearer(read)).status, 200);
  HttpResult list = c.Get("/api/v1/account/tokens", bearer(read));
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, Not(HasSubstr(read)));  // never the value
  const json items = json::parse(list.body)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(c.Send("POST", "/api/v1/account/tokens", R"({"name": "x"})", bearer(read)).status, 403);
  EXPECT_EQ(
      c.Send("DELETE", "/api/v1/account/tokens/" + std::to_string(items[1]["id"].get<int64_t>()), "", bearer(read))
          .status,
      403);
  HttpResult area_write = c.Send("PATCH", "/api/v1/areas/1", R"({"name": "x"})", bearer(read));
  EXPECT_EQ(area_write.status, 403);
  EXPECT_THAT(area_write.body, HasSubstr("read-only"));

  // The write token revokes the read one, which then is refused.
  const int64_t read_id = made_json["id"].get<int64_t>();
  EXPECT_EQ(c.Send("DELETE", "/api/v1/account/tokens/" + std::to_string(read_id), "", bearer(write)).status, 204);
  EXPECT_EQ(c.Get("/api/v1/me", bearer(read)).status, 401);
  EXPECT_EQ(c.Send("DELETE", "/api/v1/account/tokens/" + std::to_string(read_id), "", bearer(write)).status, 404);

  // The account page lists them and revokes with its CSRF token.
  HttpClient web = Client();
  ASSERT_EQ(SignInFrom(web, "admin", app::kDemoPassword, "10.6.0.1").status, 303);
  HttpResult page = web.Get("/account");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("报表"));
  const int64_t write_id =
      items[1]["id"].get<int64_t>() == read_id ? items[0]["id"].get<int64_t>() : items[1]["id"].get<int64_t>();
  const std::string action = "/account/tokens/" + std::to_string(write_id) + "/revoke";
  EXPECT_THAT(page.body, HasSubstr("action=\"" + action + "\""));
  EXPECT_EQ(web.PostForm(action, {}, false).status, 403);  // without the CSRF token
  EXPECT_EQ(web.PostForm(action, {}).status, 200);
  EXPECT_EQ(c.Get("/api/v1/me", bearer(write)).status, 401);
}

}  // namespace
}  // namespace ningju::testing
