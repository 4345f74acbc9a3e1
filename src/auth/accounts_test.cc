#include "auth/accounts.h"

#include <gmock/gmock.h>

#include <thread>
#include <vector>

#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju::auth {
namespace {

using ::ningju::testing::StatusIs;

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, ::ningju::testing::OpenTestDatabase());
    AccountOptions options;
    options.password_cost = PasswordCost::kTest;
    accounts_ = std::make_unique<AccountService>(*db_, clock_, options);
    // A district with one subdistrict and one neighborhood, with their closure rows.
    ASSERT_OK(db_->InTransaction([](storage::Connection& tx) -> Status {
      const char* areas[][4] = {{"1", "", "district", "长宁区"},
                                {"2", "1", "subdistrict", "华阳路街道"},
                                {"3", "2", "neighborhood", "大西别墅居民区"},
                                {"4", "1", "subdistrict", "江苏路街道"}};
      for (auto& a : areas) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO areas (id, parent_id, kind, code, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, 0)",
            {int64_t{std::stoi(a[0])}, *a[1] ? storage::Param(int64_t{std::stoi(a[1])}) : storage::Param(nullptr),
             std::string(a[2]), std::string("c") + a[0], std::string(a[3])}));
      }
      int64_t paths[][3] = {{1, 1, 0}, {2, 2, 0}, {3, 3, 0}, {4, 4, 0}, {1, 2, 1}, {1, 3, 2}, {2, 3, 1}, {1, 4, 1}};
      for (auto& p : paths) {
        RETURN_IF_ERROR(tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) VALUES (?, ?, ?)",
                                   {p[0], p[1], p[2]}));
      }
      return OkStatus();
    }));
  }

  User MakeUser(const std::string& login) {
    auto user = accounts_->SignUp({login, "测试用户", "password-123"}, "test");
    EXPECT_OK(user);
    return user.value_or(User{});
  }

  FakeClock clock_{FromUnix(1'780'000'000)};
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<AccountService> accounts_;
};

TEST_F(AccountsTest, SignUpValidatesEveryField) {
  EXPECT_THAT(accounts_->SignUp({"ab", "张三", "password-123"}, "t"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(accounts_->SignUp({"1380013800", "张三", "password-123"}, "t"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(accounts_->SignUp({"zhang", "张三", "short"}, "t"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(accounts_->SignUp({"zhang", "", "password-123"}, "t"), StatusIs(StatusCode::kInvalidArgument));
  auto bad = accounts_->SignUp({"zhang", "张\xff", "password-123"}, "t");
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(bad.status().field(), "display_name");
  ASSERT_OK_AND_ASSIGN(User phone_user, accounts_->SignUp({"13800138000", "张三", "password-123"}, "t"));
  EXPECT_EQ(phone_user.phone, "13800138000");
  EXPECT_EQ(phone_user.username, std::nullopt);
  auto dup = accounts_->SignUp({"13800138000", "李四", "password-456"}, "t");
  EXPECT_THAT(dup, StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(dup.status().field(), "login");
}

TEST_F(AccountsTest, SignInOpensASessionAndSignOutEndsIt) {
  User u = MakeUser("wang");
  EXPECT_THAT(accounts_->SignIn("wang", "wrong-password", "1.2.3.4", "ua"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(accounts_->SignIn("nobody", "password-123", "1.2.3.4", "ua"), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(SignInResult r, accounts_->SignIn("wang", "password-123", "1.2.3.4", "ua"));
  EXPECT_EQ(r.user.id, u.id);
  ASSERT_OK_AND_ASSIGN(Principal p, accounts_->Authenticate(r.session_token));
  EXPECT_EQ(p.user_id, u.id);
  EXPECT_EQ(p.via, "session");
  // The database keeps only the hash of the token.
  {
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
    ASSERT_OK_AND_ASSIGN(auto stored, conn->QueryOne("SELECT token_hash FROM sessions"));
    EXPECT_NE(stored.Text(0), r.session_token);
  }  // given back before the service takes one (no nested Acquire)
  EXPECT_OK(accounts_->SignOut(r.session_token));
  EXPECT_THAT(accounts_->Authenticate(r.session_token), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, SessionsExpireWhenIdleAndAbsolutely) {
  MakeUser("lili");
  ASSERT_OK_AND_ASSIGN(SignInResult idle, accounts_->SignIn("lili", "password-123", "r", "ua"));
  clock_.Advance(std::chrono::seconds(accounts_->options().session_idle_seconds + 1));
  EXPECT_THAT(accounts_->Authenticate(idle.session_token), StatusIs(StatusCode::kUnauthenticated));

  ASSERT_OK_AND_ASSIGN(SignInResult busy, accounts_->SignIn("lili", "password-123", "r", "ua"));
  // Used every day, it still ends at the absolute limit.
  for (int day = 0; day < 29; ++day) {
    clock_.Advance(std::chrono::hours(24));
    ASSERT_OK(accounts_->Authenticate(busy.session_token));
  }
  clock_.Advance(std::chrono::hours(25));
  EXPECT_THAT(accounts_->Authenticate(busy.session_token), StatusIs(StatusCode::kUnauthenticated));
}

// Every answer of a sequence of sign-ins, as the caller sees it.
std::vector<std::string> Answers(AccountService& accounts, const std::string& login, const std::string& remote, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto r = accounts.SignIn(login, "wrong-password-" + std::to_string(i), remote, "ua");
    out.push_back(r.ok() ? "ok" : r.status().ToString());
  }
  return out;
}

TEST_F(AccountsTest, UnknownAndKnownLoginsAreAnsweredAlike) {
  MakeUser("zhou");
  const std::vector<std::string> known = Answers(*accounts_, "zhou", "10.0.0.1", 8);
  const std::vector<std::string> unknown = Answers(*accounts_, "nobody", "10.0.0.2", 8);
  EXPECT_EQ(known, unknown);
  EXPECT_EQ(known.front(), unknown.front());
  EXPECT_THAT(known.front(), ::testing::HasSubstr("wrong login or password"));
  EXPECT_THAT(known.back(), ::testing::HasSubstr("too many failed attempts"));  // both wait alike too
  // And the same rows were written for each.
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(storage::Result rows,
                       conn->Execute("SELECT COUNT(*) FROM auth_throttle WHERE kind = 'sign_in' GROUP BY subject"));
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[0].Int(0), rows.rows[1].Int(0));
}

TEST_F(AccountsTest, TheWaitGrowsWithEachFailureAndNoAccountLocks) {
  MakeUser("zhao");
  const int free = accounts_->options().free_failures_per_pair;
  for (int i = 0; i < free; ++i) {
    EXPECT_THAT(accounts_->SignIn("zhao", "wrong", "10.0.0.1", "ua"), StatusIs(StatusCode::kUnauthenticated));
  }
  // From here each failure doubles the wait after it: 2, 4, 8 seconds.
  for (int wait : {2, 4, 8}) {
    auto refused = accounts_->SignIn("zhao", "password-123", "10.0.0.1", "ua");  // even the right one, from here
    EXPECT_THAT(refused, StatusIs(StatusCode::kResourceExhausted));
    EXPECT_EQ(refused.status().message(), Msg("too many failed attempts; try again in {} seconds", wait).text());
    clock_.Advance(std::chrono::seconds(wait - 1));
    EXPECT_THAT(accounts_->SignIn("zhao", "wrong", "10.0.0.1", "ua"), StatusIs(StatusCode::kResourceExhausted));
    clock_.Advance(std::chrono::seconds(1));
    EXPECT_THAT(accounts_->SignIn("zhao", "wrong", "10.0.0.1", "ua"), StatusIs(StatusCode::kUnauthenticated));
  }
  // The account itself is not locked: the owner from another address signs in at once.
  EXPECT_OK(accounts_->SignIn("zhao", "password-123", "10.0.9.9", "ua"));
  // And after the wait, the right password from here works and clears this pair's count.
  clock_.Advance(std::chrono::seconds(16));
  EXPECT_OK(accounts_->SignIn("zhao", "password-123", "10.0.0.1", "ua"));
  EXPECT_THAT(accounts_->SignIn("zhao", "wrong", "10.0.0.1", "ua"), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, AStrangerCannotKeepTheOwnerOutOfAKnownDevice) {
  MakeUser("qian");
  ASSERT_OK_AND_ASSIGN(SignInResult first, accounts_->SignIn("qian", "password-123", "1.1.1.1", "phone"));
  ASSERT_FALSE(first.known_device.empty());
  // A stranger behind the same shared address tries 50 passwords, a minute apart.
  int refused = 0;
  for (int i = 0; i < 50; ++i) {
    clock_.Advance(std::chrono::seconds(60));
    auto r = accounts_->SignIn("qian", "guess-" + std::to_string(i), "1.1.1.1", "bot");
    EXPECT_FALSE(r.ok());
    if (r.status().code() == StatusCode::kResourceExhausted) ++refused;
  }
  EXPECT_GT(refused, 0);  // the stranger was slowed down
  // Without the cookie, the address must wait too ...
  EXPECT_THAT(accounts_->SignIn("qian", "password-123", "1.1.1.1", "other"), StatusIs(StatusCode::kResourceExhausted));
  // ... but the owner's known device signs in at once, from that same address, and its cookie is renewed.
  ASSERT_OK_AND_ASSIGN(SignInResult again,
                       accounts_->SignIn("qian", "password-123", "1.1.1.1", "phone", first.known_device));
  EXPECT_EQ(again.known_device, first.known_device);
  // A forged cookie is no known device ...
  EXPECT_THAT(accounts_->SignIn("qian", "password-123", "1.1.1.1", "x", first.known_device + "0"),
              StatusIs(StatusCode::kResourceExhausted));
  // ... nor is one account's cookie another's: that account's sign-in gets a device of its own.
  MakeUser("li.si");
  ASSERT_OK_AND_ASSIGN(SignInResult other,
                       accounts_->SignIn("li.si", "password-123", "1.1.1.2", "x", first.known_device));
  EXPECT_NE(other.known_device.substr(0, other.known_device.find('.')),
            first.known_device.substr(0, first.known_device.find('.')));
}

TEST_F(AccountsTest, OneAddressIsSlowedDownForEveryLogin) {
  const int free = accounts_->options().free_failures_per_address;
  for (int i = 0; i < free; ++i) {
    EXPECT_THAT(accounts_->SignIn("user" + std::to_string(i), "x-password", "6.6.6.6", "ua"),
                StatusIs(StatusCode::kUnauthenticated));
  }
  EXPECT_THAT(accounts_->SignIn("anyone", "x-password", "6.6.6.6", "ua"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(accounts_->SignIn("anyone", "x-password", "7.7.7.7", "ua"), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, AddressesAndLoginsAreStoredAsKeyedHashes) {
  AccountOptions options = accounts_->options();
  options.secret = "server-secret";
  AccountService keyed(*db_, clock_, options);
  EXPECT_THAT(keyed.SignIn("nobody", "x-password", "203.0.113.7", "ua"), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(storage::Row row, conn->QueryOne("SELECT subject, source FROM auth_throttle"));
  EXPECT_EQ(row.Text(0), HmacHex("server-secret", "login:nobody"));
  EXPECT_EQ(row.Text(1), HmacHex("server-secret", "address:203.0.113.7"));
  EXPECT_NE(row.Text(1), Sha256Hex("203.0.113.7"));  // not reversible by hashing every address
}

TEST_F(AccountsTest, SignUpsArePerAddressLimited) {
  const int limit = accounts_->options().sign_ups_per_address_hour;
  for (int i = 0; i < limit; ++i) {
    ASSERT_OK(accounts_->SignUp({"new" + std::to_string(i), "新用户", "password-123"}, "web", "5.5.5.5"));
  }
  EXPECT_THAT(accounts_->SignUp({"one.more", "新用户", "password-123"}, "web", "5.5.5.5"),
              StatusIs(StatusCode::kResourceExhausted));
  EXPECT_OK(accounts_->SignUp({"elsewhere", "新用户", "password-123"}, "web", "5.5.5.6"));
  clock_.Advance(std::chrono::seconds(3601));
  EXPECT_OK(accounts_->SignUp({"one.more", "新用户", "password-123"}, "web", "5.5.5.5"));
}

TEST_F(AccountsTest, ConcurrentWrongSignInsNeverNestPoolConnections) {
  // The test database's pool has 4 connections and refuses a nested Acquire (testing/test_database.cc); twice as
  // many threads sign in wrongly at once. Before, SignIn held a connection while its failure transaction asked for a
  // second: with as many threads as connections, all of them waited for the acquire timeout.
  MakeUser("target");
  constexpr int kThreads = 8;
  constexpr int kEach = 6;
  std::vector<std::vector<StatusCode>> codes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r =
            accounts_->SignIn(t % 2 == 0 ? "target" : "nobody", "wrong-password", "10.1.0." + std::to_string(t), "ua");
        codes[t].push_back(r.status().code());
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& per_thread : codes) {
    for (StatusCode code : per_thread) {
      EXPECT_TRUE(code == StatusCode::kUnauthenticated || code == StatusCode::kResourceExhausted)
          << StatusCodeName(code);
    }
  }
  const storage::PoolStats stats = db_->pool_stats();
  EXPECT_EQ(stats.nested, 0);
  EXPECT_EQ(stats.timeouts, 0);
}

TEST_F(AccountsTest, PruneDeletesOnlyWhatNoRuleNeeds) {
  MakeUser("qian");
  auto count = [this](const char* sql) -> int64_t {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(sql);
    EXPECT_OK(row);
    return row.ok() ? row->Int(0) : -1;
  };
  ASSERT_OK_AND_ASSIGN(SignInResult stale, accounts_->SignIn("qian", "password-123", "r", "ua"));
  EXPECT_THAT(accounts_->SignIn("qian", "wrong-1", "8.8.8.8", "ua"), StatusIs(StatusCode::kUnauthenticated));
  // Nothing is old yet: nothing goes, and no audit record is written.
  const int64_t audits = count("SELECT COUNT(*) FROM audit_log");
  ASSERT_OK_AND_ASSIGN(int64_t none, accounts_->Prune());
  EXPECT_EQ(none, 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log"), audits);

  // Past the failure window and the idle limit: the attempt and the idle session go; a fresh session and a fresh
  // attempt stay (the attempt still counts toward the address's limit).
  clock_.Advance(std::chrono::seconds(accounts_->options().session_idle_seconds + 1));
  ASSERT_OK_AND_ASSIGN(SignInResult fresh, accounts_->SignIn("qian", "password-123", "r", "ua"));
  EXPECT_THAT(accounts_->SignIn("qian", "wrong-2", "8.8.8.8", "ua"), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(int64_t deleted, accounts_->Prune());
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM auth_throttle"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.prune'"), 1);
  EXPECT_OK(accounts_->Authenticate(fresh.session_token));
  EXPECT_THAT(accounts_->Authenticate(stale.session_token), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, ChangePasswordNeedsTheCurrentOneAndEndsOtherSessions) {
  User u = MakeUser("qian");
  ASSERT_OK_AND_ASSIGN(SignInResult phone, accounts_->SignIn("qian", "password-123", "r", "phone"));
  ASSERT_OK_AND_ASSIGN(SignInResult laptop, accounts_->SignIn("qian", "password-123", "r", "laptop"));
  EXPECT_THAT(accounts_->ChangePassword(u.id, "wrong-current", "new-password-1", laptop.session_token),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(accounts_->ChangePassword(u.id, "password-123", "new-password-1", laptop.session_token));
  EXPECT_OK(accounts_->Authenticate(laptop.session_token));
  EXPECT_THAT(accounts_->Authenticate(phone.session_token), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(accounts_->SignIn("qian", "password-123", "r", "ua"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_OK(accounts_->SignIn("qian", "new-password-1", "r", "ua"));
}

TEST_F(AccountsTest, TheCurrentPasswordCheckIsLimitedPerAccount) {
  User u = MakeUser("wuyi");
  ASSERT_OK_AND_ASSIGN(SignInResult s, accounts_->SignIn("wuyi", "password-123", "r", "ua"));
  for (int i = 0; i < accounts_->options().free_password_checks; ++i) {
    EXPECT_THAT(accounts_->ChangePassword(u.id, "guess-" + std::to_string(i), "new-password-1", s.session_token),
                StatusIs(StatusCode::kInvalidArgument));
  }
  // Now even the right one waits ...
  EXPECT_THAT(accounts_->ChangePassword(u.id, "password-123", "new-password-1", s.session_token),
              StatusIs(StatusCode::kResourceExhausted));
  // ... until the wait is over.
  clock_.Advance(std::chrono::seconds(accounts_->options().throttle_base_seconds));
  EXPECT_OK(accounts_->ChangePassword(u.id, "password-123", "new-password-1", s.session_token));
}

TEST_F(AccountsTest, APasswordChangeRevokesEveryToken) {
  User u = MakeUser("zheng");
  ASSERT_OK_AND_ASSIGN(SignInResult s, accounts_->SignIn("zheng", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(std::string a, accounts_->CreateApiToken(u.id, "看板"));
  ASSERT_OK_AND_ASSIGN(std::string b, accounts_->CreateApiToken(u.id, NewApiToken{"报表", "read", 30}));
  ASSERT_OK(accounts_->ChangePassword(u.id, "password-123", "new-password-1", s.session_token));
  EXPECT_THAT(accounts_->AuthenticateToken(a, "GET"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(accounts_->AuthenticateToken(b, "GET"), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(std::vector<ApiToken> listed, accounts_->ListApiTokens(u.id));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_NE(listed[0].revoked_at, 0);
  EXPECT_NE(listed[1].revoked_at, 0);
}

TEST_F(AccountsTest, ApiTokensAuthenticate) {
  User u = MakeUser("sun");
  ASSERT_OK_AND_ASSIGN(std::string token, accounts_->CreateApiToken(u.id, "数据看板"));
  ASSERT_OK_AND_ASSIGN(Principal p, accounts_->AuthenticateToken(token, "POST"));
  EXPECT_EQ(p.user_id, u.id);
  EXPECT_EQ(p.via, "token");
  EXPECT_FALSE(p.read_only());
  EXPECT_GT(p.token_id, 0);
  EXPECT_THAT(accounts_->AuthenticateToken(token + "x", "GET"), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, ApiTokensExpire) {
  User u = MakeUser("sun");
  ASSERT_OK_AND_ASSIGN(std::string standard, accounts_->CreateApiToken(u.id, "默认"));
  ASSERT_OK_AND_ASSIGN(std::string week, accounts_->CreateApiToken(u.id, NewApiToken{"一周", "write", 7}));
  clock_.Advance(std::chrono::hours(24 * 7));
  EXPECT_THAT(accounts_->AuthenticateToken(week, "GET"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_OK(accounts_->AuthenticateToken(standard, "GET"));
  clock_.Advance(std::chrono::hours(24 * (accounts_->options().token_default_days - 7)));
  EXPECT_THAT(accounts_->AuthenticateToken(standard, "GET"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(accounts_->CreateApiToken(u.id, NewApiToken{"太长", "write", 367}).status().field(), "expires_days");
  EXPECT_EQ(accounts_->CreateApiToken(u.id, NewApiToken{"坏", "admin", 0}).status().field(), "scope");
}

TEST_F(AccountsTest, AReadTokenMayOnlyRead) {
  User u = MakeUser("sun");
  ASSERT_OK_AND_ASSIGN(std::string token, accounts_->CreateApiToken(u.id, NewApiToken{"只读", "read", 0}));
  ASSERT_OK_AND_ASSIGN(Principal p, accounts_->AuthenticateToken(token, "GET"));
  EXPECT_TRUE(p.read_only());
  EXPECT_OK(accounts_->AuthenticateToken(token, "HEAD"));
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    EXPECT_THAT(accounts_->AuthenticateToken(token, method), StatusIs(StatusCode::kPermissionDenied)) << method;
  }
}

TEST_F(AccountsTest, TokensAreListedAndRevokedByTheirOwner) {
  User u = MakeUser("sun");
  User other = MakeUser("moon");
  ASSERT_OK_AND_ASSIGN(std::string old_token, accounts_->CreateApiToken(u.id, "旧"));
  clock_.Advance(std::chrono::seconds(10));
  ASSERT_OK_AND_ASSIGN(std::string new_token, accounts_->CreateApiToken(u.id, NewApiToken{"新", "read", 30}));
  ASSERT_OK_AND_ASSIGN(std::vector<ApiToken> listed, accounts_->ListApiTokens(u.id));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "新");  // newest first
  EXPECT_EQ(listed[0].scope, "read");
  EXPECT_EQ(listed[0].expires_at, ToUnix(clock_.Now()) + 30 * 86400);
  EXPECT_EQ(listed[1].name, "旧");
  ASSERT_OK_AND_ASSIGN(SignInResult s, accounts_->SignIn("moon", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(Principal moon, accounts_->Authenticate(s.session_token));
  // Another user's token reads as missing, and stays live.
  EXPECT_THAT(accounts_->RevokeApiToken(moon, listed[1].id), StatusIs(StatusCode::kNotFound));
  EXPECT_OK(accounts_->AuthenticateToken(old_token, "GET"));
  ASSERT_OK_AND_ASSIGN(Principal sun, accounts_->AuthenticateToken(new_token, "GET"));
  EXPECT_OK(accounts_->RevokeApiToken(sun, listed[1].id));
  EXPECT_THAT(accounts_->AuthenticateToken(old_token, "GET"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(accounts_->RevokeApiToken(sun, listed[1].id), StatusIs(StatusCode::kNotFound));  // only once
  EXPECT_OK(accounts_->RevokeApiToken(SystemPrincipal("cli"), listed[0].id));
  EXPECT_THAT(accounts_->AuthenticateToken(new_token, "GET"), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(storage::Row audits,
                       conn->QueryOne("SELECT COUNT(*) FROM audit_log WHERE action = 'api_token.revoke'"));
  EXPECT_EQ(audits.Int(0), 2);
  (void)other;
}

TEST_F(AccountsTest, RolesAreScopedToTheTree) {
  User admin = MakeUser("admin");
  User staff = MakeUser("staff");
  // A connection of its own per check: the services called in between take theirs (no nested Acquire).
  auto authorize = [this](const Principal& p, Permission permission, int64_t area) -> Status {
    ASSIGN_OR_RETURN(storage::PooledConnection conn, db_->Acquire());
    return Authorize(*conn, p, permission, area);
  };
  ASSERT_OK(accounts_->GrantRole(SystemPrincipal("cli"), admin.id, Role::kDistrictAdmin, 1));
  ASSERT_OK_AND_ASSIGN(SignInResult s, accounts_->SignIn("admin", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(Principal admin_p, accounts_->Authenticate(s.session_token));
  ASSERT_OK_AND_ASSIGN(int64_t grant, accounts_->GrantRole(admin_p, staff.id, Role::kSubdistrictStaff, 2));
  EXPECT_THAT(accounts_->GrantRole(admin_p, staff.id, Role::kSubdistrictStaff, 2),
              StatusIs(StatusCode::kAlreadyExists));

  ASSERT_OK_AND_ASSIGN(SignInResult ss, accounts_->SignIn("staff", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(Principal staff_p, accounts_->Authenticate(ss.session_token));
  EXPECT_OK(authorize(staff_p, Permission::kEditArea, 2));   // its subdistrict
  EXPECT_OK(authorize(staff_p, Permission::kEditArea, 3));   // a neighborhood below it
  EXPECT_THAT(authorize(staff_p, Permission::kEditArea, 4),  // another subdistrict
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(authorize(staff_p, Permission::kGrantRoles, 3), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(authorize(Principal{}, Permission::kEditArea, 3), StatusIs(StatusCode::kUnauthenticated));
  // Staff cannot grant; only an admin can, and can revoke.
  EXPECT_THAT(accounts_->GrantRole(staff_p, staff.id, Role::kDistrictAdmin, 1),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(accounts_->RevokeRole(admin_p, grant));
  ASSERT_OK_AND_ASSIGN(Principal after, accounts_->Authenticate(ss.session_token));
  EXPECT_THAT(authorize(after, Permission::kEditArea, 3), StatusIs(StatusCode::kPermissionDenied));
  // Every grant and revocation is audited.
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto audit, record::ListAudit(*conn, record::Ref("user", staff.id), 10));
  std::vector<std::string> actions;
  for (const auto& r : audit) {
    if (r.action.rfind("role.", 0) == 0) actions.push_back(r.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"role.grant", "role.revoke"}));
}

}  // namespace
}  // namespace ningju::auth
