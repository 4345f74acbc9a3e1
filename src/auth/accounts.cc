#include "auth/accounts.h"

#include <algorithm>
#include <cctype>

#include "common/utf8.h"
#include "record/record.h"

namespace ningju::auth {
namespace {

constexpr char kUserColumns[] = "id, username, phone, display_name, locale, disabled";

User ReadUser(const storage::Row& row) {
  User u;
  u.id = row.Int(0);
  u.username = row.OptText(1);
  u.phone = row.OptText(2);
  u.display_name = row.Text(3);
  u.locale = row.Text(4);
  u.disabled = row.Bool(5);
  return u;
}

// A hash computed once so that a sign-in for an unknown login costs as much as one for a known login: the time
// taken must not tell which logins exist.
const std::string& DummyHash(PasswordCost cost) {
  static const std::string hash = HashPassword("ningju-dummy-password", cost).value_or("");
  return hash;
}

}  // namespace

bool IsPhoneNumber(const std::string& login) {
  return login.size() == 11 && login[0] == '1' &&
         std::all_of(login.begin(), login.end(), [](unsigned char c) { return std::isdigit(c); });
}

Status ValidateLogin(const std::string& login) {
  if (IsPhoneNumber(login)) return OkStatus();
  if (login.size() < 3 || login.size() > 32) {
    return InvalidArgumentError("a username has 3 to 32 characters, or use an 11-digit mobile number", "login");
  }
  if (std::isdigit(static_cast<unsigned char>(login[0]))) {
    return InvalidArgumentError("a username starts with a letter (a mobile number has 11 digits)", "login");
  }
  for (unsigned char c : login) {
    if (!(std::islower(c) || std::isdigit(c) || c == '_' || c == '.' || c == '-')) {
      return InvalidArgumentError("a username uses only a-z, 0-9, '_', '.', '-'", "login");
    }
  }
  return OkStatus();
}

Status ValidatePassword(const std::string& password) {
  RETURN_IF_ERROR(utf8::Validate(password, "password"));
  size_t n = utf8::CodePointCount(password);
  if (n < 8) return InvalidArgumentError("a password has at least 8 characters", "password");
  if (password.size() > 256) return InvalidArgumentError("a password has at most 256 bytes", "password");
  return OkStatus();
}

StatusOr<User> AccountService::SignUp(const NewAccount& account, const std::string& actor_label) {
  RETURN_IF_ERROR(ValidateLogin(account.login));
  RETURN_IF_ERROR(ValidatePassword(account.password));
  RETURN_IF_ERROR(utf8::Validate(account.display_name, "display_name"));
  const size_t name_len = utf8::CodePointCount(account.display_name);
  if (name_len < 1 || name_len > 40) {
    return InvalidArgumentError("a display name has 1 to 40 characters", "display_name");
  }
  ASSIGN_OR_RETURN(std::string hash, HashPassword(account.password, options_.password_cost));
  const bool phone = IsPhoneNumber(account.login);
  User user;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    auto inserted =
        tx.QueryOne(std::string("INSERT INTO users (username, phone, display_name, password_hash, created_at) "
                                "VALUES (?, ?, ?, ?, ?) RETURNING ") +
                        kUserColumns,
                    {phone ? storage::Param(nullptr) : storage::Param(account.login),
                     phone ? storage::Param(account.login) : storage::Param(nullptr), account.display_name, hash,
                     ToUnix(clock_.Now())});
    if (inserted.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError("this login is already taken", "login");
    }
    RETURN_IF_ERROR(inserted);
    user = ReadUser(*inserted);
    return record::Audit(tx, clock_.Now(), record::Actor::System(actor_label), "user.sign_up",
                         record::Ref("user", user.id), {{"after", {{"display_name", user.display_name}}}});
  }));
  return user;
}

StatusOr<SignInResult> AccountService::SignIn(const std::string& login, const std::string& password,
                                              const std::string& remote, const std::string& user_agent) {
  const int64_t now = ToUnix(clock_.Now());
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Row recent,
                   conn->QueryOne("SELECT COUNT(*) FROM sign_in_attempts WHERE remote = ? AND at > ?",
                                  {remote, now - options_.failure_window_seconds}));
  if (recent.Int(0) >= options_.max_failures_per_address) {
    return ResourceExhaustedError("too many failed sign-ins from this address; try again later");
  }
  ASSIGN_OR_RETURN(auto row, conn->QueryOptional("SELECT id, password_hash, locked_until, disabled FROM users "
                                                 "WHERE username = ? OR phone = ?",
                                                 {login, login}));
  const bool known = row.has_value();
  const std::string& hash = known ? row->Text(1) : DummyHash(options_.password_cost);
  const bool match = VerifyPassword(password, hash) && known;
  if (known && row->Int(2) > now) {
    return ResourceExhaustedError("this account is locked after repeated wrong passwords; try again later");
  }
  if (!match || (known && row->Bool(3))) {
    RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
      RETURN_IF_ERROR(tx.Execute("INSERT INTO sign_in_attempts (remote, login, at) VALUES (?, ?, ?)",
                                 {remote, login.substr(0, 64), now}));
      if (known) {
        RETURN_IF_ERROR(
            tx.Execute("UPDATE users SET failed_sign_ins = failed_sign_ins + 1, "
                       "locked_until = CASE WHEN failed_sign_ins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?",
                       {int64_t{options_.max_failures_per_account}, now + options_.lockout_seconds, row->Int(0)}));
      }
      return OkStatus();
    }));
    return UnauthenticatedError("wrong login or password");
  }
  const int64_t user_id = row->Int(0);
  SignInResult result;
  result.session_token = RandomToken();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("UPDATE users SET failed_sign_ins = 0, locked_until = 0 WHERE id = ?", {user_id}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   {Sha256Hex(result.session_token), user_id, now, now, now + options_.session_absolute_seconds,
                    user_agent.substr(0, 200)}));
    ASSIGN_OR_RETURN(storage::Row u,
                     tx.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {user_id}));
    result.user = ReadUser(u);
    return record::Audit(tx, clock_.Now(), record::Actor::User(user_id), "user.sign_in", record::Ref("user", user_id),
                         {{"remote", remote}});
  }));
  return result;
}

Status AccountService::SignOut(const std::string& session_token) {
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto session, tx.QueryOptional("DELETE FROM sessions WHERE token_hash = ? RETURNING user_id",
                                                    {Sha256Hex(session_token)}));
    if (!session) return OkStatus();
    return record::Audit(tx, clock_.Now(), record::Actor::User(session->Int(0)), "user.sign_out",
                         record::Ref("user", session->Int(0)), nlohmann::json::object());
  });
}

StatusOr<Principal> AccountService::LoadPrincipal(storage::Connection& conn, int64_t user_id, std::string via) {
  ASSIGN_OR_RETURN(storage::Row u,
                   conn.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {user_id}));
  User user = ReadUser(u);
  if (user.disabled) return UnauthenticatedError("this account is disabled");
  Principal p;
  p.user_id = user.id;
  p.display_name = user.display_name;
  p.locale = user.locale;
  p.via = std::move(via);
  ASSIGN_OR_RETURN(p.grants, LoadGrants(conn, user.id));
  return p;
}

StatusOr<Principal> AccountService::Authenticate(const std::string& session_token) {
  if (session_token.empty() || session_token.size() > 100) return UnauthenticatedError("no session");
  const int64_t now = ToUnix(clock_.Now());
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto session,
                   conn->QueryOptional("SELECT user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = ?",
                                       {Sha256Hex(session_token)}));
  if (!session) return UnauthenticatedError("no such session");
  if (session->Int(2) <= now || session->Int(1) + options_.session_idle_seconds <= now) {
    RETURN_IF_ERROR(conn->Execute("DELETE FROM sessions WHERE token_hash = ?", {Sha256Hex(session_token)}));
    return UnauthenticatedError("the session has expired; sign in again");
  }
  // Renewing at most once a minute keeps reads from turning into writes on every request.
  if (now - session->Int(1) >= 60) {
    RETURN_IF_ERROR(
        conn->Execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", {now, Sha256Hex(session_token)}));
  }
  return LoadPrincipal(*conn, session->Int(0), "session");
}

StatusOr<Principal> AccountService::AuthenticateToken(const std::string& api_token) {
  if (api_token.empty() || api_token.size() > 100) return UnauthenticatedError("malformed token");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto token,
                   conn->QueryOptional("SELECT id, user_id FROM api_tokens WHERE token_hash = ? AND revoked_at = 0",
                                       {Sha256Hex(api_token)}));
  if (!token) return UnauthenticatedError("unknown or revoked token");
  const int64_t now = ToUnix(clock_.Now());
  RETURN_IF_ERROR(conn->Execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?",
                                {now, token->Int(0), now - 60}));
  return LoadPrincipal(*conn, token->Int(1), "token");
}

Status AccountService::ChangePassword(int64_t user_id, const std::string& current, const std::string& replacement,
                                      const std::string& keep_session_token) {
  RETURN_IF_ERROR(ValidatePassword(replacement));
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(storage::Row row, conn->QueryOne("SELECT password_hash FROM users WHERE id = ?", {user_id}));
    if (!VerifyPassword(current, row.Text(0))) {
      return InvalidArgumentError("the current password is wrong", "current_password");
    }
  }
  ASSIGN_OR_RETURN(std::string hash, HashPassword(replacement, options_.password_cost));
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("UPDATE users SET password_hash = ? WHERE id = ?", {hash, user_id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
                               {user_id, Sha256Hex(keep_session_token)}));
    return record::Audit(tx, clock_.Now(), record::Actor::User(user_id), "user.change_password",
                         record::Ref("user", user_id), nlohmann::json::object());
  });
}

StatusOr<int64_t> AccountService::Prune() {
  const int64_t now = ToUnix(clock_.Now());
  int64_t deleted = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Result attempts,
                     tx.Execute("DELETE FROM sign_in_attempts WHERE at <= ?", {now - options_.failure_window_seconds}));
    ASSIGN_OR_RETURN(storage::Result sessions,
                     tx.Execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                                {now, now - options_.session_idle_seconds}));
    deleted = attempts.rows_affected + sessions.rows_affected;
    if (deleted == 0) return OkStatus();
    return record::Audit(tx, clock_.Now(), record::Actor::System("system"), "auth.prune", "",
                         {{"sign_in_attempts", attempts.rows_affected}, {"sessions", sessions.rows_affected}});
  }));
  return deleted;
}

StatusOr<std::string> AccountService::CreateApiToken(int64_t user_id, const std::string& name) {
  RETURN_IF_ERROR(utf8::Validate(name, "name"));
  if (name.empty() || utf8::CodePointCount(name) > 60) {
    return InvalidArgumentError("a token name has 1 to 60 characters", "name");
  }
  std::string token = "nj_" + RandomToken();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row row,
                     tx.QueryOne("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) "
                                 "RETURNING id",
                                 {user_id, name, Sha256Hex(token), ToUnix(clock_.Now())}));
    return record::Audit(tx, clock_.Now(), record::Actor::User(user_id), "api_token.create",
                         record::Ref("api_token", row.Int(0)), {{"name", name}});
  }));
  return token;
}

StatusOr<User> AccountService::FindByLogin(const std::string& login) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row, conn->QueryOptional(
                                 std::string("SELECT ") + kUserColumns + " FROM users WHERE username = ? OR phone = ?",
                                 {login, login}));
  if (!row) return NotFoundError(Msg("no user with login {}", login));
  return ReadUser(*row);
}

StatusOr<User> AccountService::FindById(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row,
                   conn->QueryOptional(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no user {}", id));
  return ReadUser(*row);
}

StatusOr<int64_t> AccountService::GrantRole(const Principal& by, int64_t user_id, Role role, int64_t area_id) {
  int64_t grant_id = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    const Instant now = clock_.Now();
    RETURN_IF_ERROR(Authorize(tx, by, Permission::kGrantRoles, area_id));
    ASSIGN_OR_RETURN(auto user, tx.QueryOptional("SELECT id FROM users WHERE id = ?", {user_id}));
    if (!user) return NotFoundError(Msg("no user {}", user_id));
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {area_id}));
    if (!area) return NotFoundError(Msg("no area {}", area_id));
    auto row = tx.QueryOne(
        "INSERT INTO role_grants (user_id, role, area_id, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id",
        {user_id, std::string(RoleName(role)), area_id,
         by.user_id > 0 ? storage::Param(by.user_id) : storage::Param(nullptr), ToUnix(now)});
    if (row.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError("the user already holds this role on this area");
    }
    RETURN_IF_ERROR(row);
    grant_id = row->Int(0);
    record::Actor actor = ActorOf(by);
    return record::Audit(tx, now, actor, "role.grant", record::Ref("user", user_id),
                         {{"after", {{"role", RoleName(role)}, {"area_id", area_id}, {"grant_id", grant_id}}}});
  }));
  return grant_id;
}

Status AccountService::RevokeRole(const Principal& by, int64_t grant_id) {
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(
        auto grant,
        tx.QueryOptional("SELECT user_id, role, area_id FROM role_grants WHERE id = ? AND revoked_at = 0", {grant_id}));
    if (!grant) return NotFoundError(Msg("no active grant {}", grant_id));
    RETURN_IF_ERROR(Authorize(tx, by, Permission::kGrantRoles, grant->Int(2)));
    const Instant now = clock_.Now();
    // Conditional on the read: of two revocations at once, one revokes and the other finds no active grant.
    ASSIGN_OR_RETURN(storage::Result r, tx.Execute("UPDATE role_grants SET revoked_at = ? WHERE id = ? AND "
                                                   "revoked_at = 0",
                                                   {ToUnix(now), grant_id}));
    if (r.rows_affected != 1) return NotFoundError(Msg("no active grant {}", grant_id));
    record::Actor actor = ActorOf(by);
    return record::Audit(tx, now, actor, "role.revoke", record::Ref("user", grant->Int(0)),
                         {{"before", {{"role", grant->Text(1)}, {"area_id", grant->Int(2)}, {"grant_id", grant_id}}}});
  });
}

StatusOr<std::vector<AccountService::GrantView>> AccountService::ListGrants(const Principal& by, int64_t area_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  RETURN_IF_ERROR(Authorize(*conn, by, Permission::kGrantRoles, area_id));
  ASSIGN_OR_RETURN(storage::Result result,
                   conn->Execute("SELECT g.id, g.user_id, u.display_name, g.role, g.area_id, a.name "
                                 "FROM role_grants g JOIN users u ON u.id = g.user_id JOIN areas a ON a.id = g.area_id "
                                 "JOIN area_paths p ON p.descendant_id = g.area_id AND p.ancestor_id = ? "
                                 "WHERE g.revoked_at = 0 ORDER BY a.sort_key, g.area_id, g.role, g.id LIMIT 1000",
                                 {area_id}));
  std::vector<GrantView> out;
  for (const auto& row : result.rows) {
    out.push_back({row.Int(0), row.Int(1), row.Text(2), ParseRole(row.Text(3)).value_or(Role::kResident), row.Int(4),
                   row.Text(5)});
  }
  return out;
}

}  // namespace ningju::auth
