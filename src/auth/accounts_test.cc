#include "auth/accounts.h"

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
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(auto stored, conn->QueryOne("SELECT token_hash FROM sessions"));
  EXPECT_NE(stored.Text(0), r.session_token);
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

TEST_F(AccountsTest, RepeatedWrongPasswordsLockTheAccount) {
  MakeUser("zhao");
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(accounts_->SignIn("zhao", "wrong-" + std::to_string(i), "10.0.0." + std::to_string(i), "ua"),
                StatusIs(StatusCode::kUnauthenticated));
  }
  // Locked: even the right password is refused until the lockout ends.
  EXPECT_THAT(accounts_->SignIn("zhao", "password-123", "10.0.1.1", "ua"), StatusIs(StatusCode::kResourceExhausted));
  clock_.Advance(std::chrono::seconds(accounts_->options().lockout_seconds + 1));
  EXPECT_OK(accounts_->SignIn("zhao", "password-123", "10.0.1.1", "ua"));
}

TEST_F(AccountsTest, OneAddressIsRateLimited) {
  for (int i = 0; i < accounts_->options().max_failures_per_address; ++i) {
    EXPECT_THAT(accounts_->SignIn("user" + std::to_string(i), "x-password", "6.6.6.6", "ua"),
                StatusIs(StatusCode::kUnauthenticated));
  }
  EXPECT_THAT(accounts_->SignIn("anyone", "x-password", "6.6.6.6", "ua"), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(accounts_->SignIn("anyone", "x-password", "7.7.7.7", "ua"), StatusIs(StatusCode::kUnauthenticated));
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
  EXPECT_EQ(count("SELECT COUNT(*) FROM sign_in_attempts"), 1);
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

TEST_F(AccountsTest, ApiTokensAuthenticate) {
  User u = MakeUser("sun");
  ASSERT_OK_AND_ASSIGN(std::string token, accounts_->CreateApiToken(u.id, "数据看板"));
  ASSERT_OK_AND_ASSIGN(Principal p, accounts_->AuthenticateToken(token));
  EXPECT_EQ(p.user_id, u.id);
  EXPECT_EQ(p.via, "token");
  EXPECT_THAT(accounts_->AuthenticateToken(token + "x"), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(AccountsTest, RolesAreScopedToTheTree) {
  User admin = MakeUser("admin");
  User staff = MakeUser("staff");
  ASSERT_OK(accounts_->GrantRole(SystemPrincipal("cli"), admin.id, Role::kDistrictAdmin, 1));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Acquire());
  ASSERT_OK_AND_ASSIGN(SignInResult s, accounts_->SignIn("admin", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(Principal admin_p, accounts_->Authenticate(s.session_token));
  ASSERT_OK_AND_ASSIGN(int64_t grant, accounts_->GrantRole(admin_p, staff.id, Role::kSubdistrictStaff, 2));
  EXPECT_THAT(accounts_->GrantRole(admin_p, staff.id, Role::kSubdistrictStaff, 2),
              StatusIs(StatusCode::kAlreadyExists));

  ASSERT_OK_AND_ASSIGN(SignInResult ss, accounts_->SignIn("staff", "password-123", "r", "ua"));
  ASSERT_OK_AND_ASSIGN(Principal staff_p, accounts_->Authenticate(ss.session_token));
  EXPECT_OK(Authorize(*conn, staff_p, Permission::kEditArea, 2));   // its subdistrict
  EXPECT_OK(Authorize(*conn, staff_p, Permission::kEditArea, 3));   // a neighborhood below it
  EXPECT_THAT(Authorize(*conn, staff_p, Permission::kEditArea, 4),  // another subdistrict
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(*conn, staff_p, Permission::kGrantRoles, 3), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(*conn, Principal{}, Permission::kEditArea, 3), StatusIs(StatusCode::kUnauthenticated));
  // Staff cannot grant; only an admin can, and can revoke.
  EXPECT_THAT(accounts_->GrantRole(staff_p, staff.id, Role::kDistrictAdmin, 1),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(accounts_->RevokeRole(admin_p, grant));
  ASSERT_OK_AND_ASSIGN(Principal after, accounts_->Authenticate(ss.session_token));
  EXPECT_THAT(Authorize(*conn, after, Permission::kEditArea, 3), StatusIs(StatusCode::kPermissionDenied));
  // Every grant and revocation is audited.
  ASSERT_OK_AND_ASSIGN(auto audit, record::ListAudit(*conn, record::Ref("user", staff.id), 10));
  std::vector<std::string> actions;
  for (const auto& r : audit) {
    if (r.action.rfind("role.", 0) == 0) actions.push_back(r.action);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"role.grant", "role.revoke"}));
}

}  // namespace
}  // namespace ningju::auth
