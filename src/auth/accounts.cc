#include "auth/accounts.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "auth/policy.h"
#include "common/utf8.h"
#include "record/record.h"

namespace ningju::auth {
namespace {

constexpr char kUserColumns[] = "id, username, phone, display_name, locale, disabled, phone_state";

User ReadUser(const storage::Row& row) {
  User u;
  u.id = row.Int(0);
  u.username = row.OptText(1);
  u.phone = row.OptText(2);
  u.display_name = row.Text(3);
  u.locale = row.Text(4);
  u.disabled = row.Bool(5);
  u.phone_state = row.Text(6);
  return u;
}

// A hash computed once so that a sign-in for an unknown login costs as much as one for a known login: the time
// taken must not tell which logins exist.
const std::string& DummyHash(PasswordCost cost) {
  static const std::string hash = HashPassword("ningju-dummy-password", cost).value_or("");
  return hash;
}

// The wait that failures impose: none for the first `free` failures in the window, then `base` seconds after the
// latest failure, doubled for each further one, at most `max`. Returns the seconds still to wait at `now`.
int64_t WaitSeconds(int64_t failures, int64_t latest_at, int free, int base, int max, int64_t now) {
  if (free < 0 || failures < free) return 0;
  const int64_t doublings = std::min<int64_t>(failures - free, 30);
  const int64_t delay = std::min<int64_t>(static_cast<int64_t>(base) << doublings, max);
  return std::max<int64_t>(0, latest_at + delay - now);
}

// Failures of `kind` counted for (subject, source) and for source alone since `since`: count and latest time.
struct FailureCount {
  int64_t count = 0;
  int64_t latest = 0;
};
StatusOr<FailureCount> CountFailures(storage::Connection& conn, std::string_view kind, const std::string& subject,
                                     const std::optional<std::string>& source, int64_t since) {
  storage::Params params{std::string(kind)};
  std::string sql = "SELECT COUNT(*), MAX(at) FROM auth_throttle WHERE kind = ?";
  if (!subject.empty()) {
    sql += " AND subject = ?";
    params.emplace_back(subject);
  }
  if (source) {
    sql += " AND source = ?";
    params.emplace_back(*source);
  }
  sql += " AND at > ?";
  params.emplace_back(since);
  ASSIGN_OR_RETURN(storage::Row row, conn.QueryOne(sql, params));
  return FailureCount{row.Int(0), row.Int(1)};
}

Status TooManyFailures(int64_t wait) {
  return ResourceExhaustedError(Msg("too many failed attempts; try again in {} seconds", wait));
}

constexpr char kTokenColumns[] = "id, user_id, name, scope, created_at, expires_at, last_used_at, revoked_at";

ApiToken ReadToken(const storage::Row& row) {
  return {row.Int(0), row.Int(1), row.Text(2), row.Text(3), row.Int(4), row.Int(5), row.Int(6), row.Int(7)};
}

}  // namespace

std::string AccountService::Key(std::string_view purpose, std::string_view value) const {
  return HmacHex(options_.secret, std::string(purpose) + ":" + std::string(value));
}

std::string AccountService::DeviceCookie(int64_t user_id, const std::string& device_id) const {
  return device_id + "." + HmacHex(options_.secret, "known-device:" + std::to_string(user_id) + ":" + device_id);
}

std::optional<std::string> AccountService::DeviceOf(int64_t user_id, const std::string& cookie) const {
  const size_t dot = cookie.find('.');
  if (cookie.size() > 200 || dot == std::string::npos || dot == 0) return std::nullopt;
  const std::string device_id = cookie.substr(0, dot);
  if (!SafeEquals(cookie, DeviceCookie(user_id, device_id))) return std::nullopt;
  return device_id;
}

bool IsPhoneNumber(const std::string& login) {
  return login.size() == 11 && login[0] == '1' &&
         std::all_of(login.begin(), login.end(), [](unsigned char c) { return std::isdigit(c); });
}

Status RequireSettledPhone(storage::Connection& conn, const Principal& by) {
  if (!by.has_account()) return OkStatus();
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional("SELECT 1 FROM users WHERE id = ? AND phone_state = 'pending'", {by.user_id}));
  if (row) {
    return FailedPreconditionError(
        "verify your phone number first: enter the code sent to it by SMS on your account page (/account/phone)");
  }
  return OkStatus();
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

StatusOr<User> AccountService::SignUp(const NewAccount& account, const std::string& actor_label,
                                      const std::string& remote) {
  RETURN_IF_ERROR(ValidateLogin(account.login));
  RETURN_IF_ERROR(ValidatePassword(account.password));
  RETURN_IF_ERROR(utf8::Validate(account.display_name, "display_name"));
  const size_t name_len = utf8::CodePointCount(account.display_name);
  if (name_len < 1 || name_len > 40) {
    return InvalidArgumentError("a display name has 1 to 40 characters", "display_name");
  }
  const int64_t now = ToUnix(clock_.Now());
  const std::string source = Key("address", remote);
  const bool limited = !remote.empty() && options_.sign_ups_per_address_hour > 0;
  if (limited) {
    {
      ASSIGN_OR_RETURN(auto conn, db_.Acquire());
      ASSIGN_OR_RETURN(FailureCount made, CountFailures(*conn, "sign_up", "", source, now - 3600));
      if (made.count >= options_.sign_ups_per_address_hour) {
        return ResourceExhaustedError("too many accounts created from this address; try again later");
      }
    }
    // Every attempt counts, a taken login too, so that sign-up cannot be used to test logins without limit.
    RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
      return tx
          .Execute("INSERT INTO auth_throttle (kind, subject, source, at) VALUES ('sign_up', '', ?, ?)", {source, now})
          .status();
    }));
  }

  ASSIGN_OR_RETURN(std::string hash, HashPassword(account.password, options_.password_cost));
  const bool phone = IsPhoneNumber(account.login);
  User user;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    auto inserted =
        tx.QueryOne(std::string("INSERT INTO users (username, phone, display_name, password_hash, created_at, "
                                "phone_state) VALUES (?, ?, ?, ?, ?, ?) RETURNING ") +
                        kUserColumns,
                    {phone ? storage::Param(nullptr) : storage::Param(account.login),
                     phone ? storage::Param(account.login) : storage::Param(nullptr), account.display_name, hash,
                     ToUnix(clock_.Now()), std::string(phone && account.phone_needs_code ? "pending" : "unchecked")});
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
                                              const std::string& remote, const std::string& user_agent,
                                              const std::string& known_device) {
  const int64_t now = ToUnix(clock_.Now());
  const int64_t since = now - options_.failure_window_seconds;
  // Counted under the login as typed, whether or not it exists, so that unknown and known logins wait alike.
  const std::string subject = Key("login", login.substr(0, 64));
  const std::string address = Key("address", remote);
  std::optional<storage::Row> row;
  std::optional<std::string> device;
  {
    // Reads only; the connection goes back before the password is hashed and before the write below takes one.
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(row, conn->QueryOptional("SELECT id, password_hash, disabled FROM users "
                                              "WHERE username = ? OR phone = ?",
                                              {login, login}));
    if (row && !known_device.empty()) device = DeviceOf(row->Int(0), known_device);
    // A known device of this account counts on its own: neither its address's failures nor a stranger's failures
    // for this login from elsewhere hold it back.
    const std::string source = device ? "device:" + *device : address;
    ASSIGN_OR_RETURN(FailureCount pair, CountFailures(*conn, "sign_in", subject, source, since));
    int64_t wait = WaitSeconds(pair.count, pair.latest, options_.free_failures_per_pair, options_.throttle_base_seconds,
                               options_.throttle_max_seconds, now);
    if (!device) {
      ASSIGN_OR_RETURN(FailureCount from, CountFailures(*conn, "sign_in", "", address, since));
      wait = std::max(wait, WaitSeconds(from.count, from.latest, options_.free_failures_per_address,
                                        options_.throttle_base_seconds, options_.throttle_max_seconds, now));
    }
    if (wait > 0) return TooManyFailures(wait);
  }
  const bool known = row.has_value();
  const std::string& hash = known ? row->Text(1) : DummyHash(options_.password_cost);
  const bool match = VerifyPassword(password, hash) && known;
  if (!match || row->Bool(2)) {
    // The same rows for an unknown login as for a known one.
    RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
      return tx
          .Execute("INSERT INTO auth_throttle (kind, subject, source, at) VALUES ('sign_in', ?, ?, ?)",
                   {subject, device ? "device:" + *device : address, now})
          .status();
    }));
    return UnauthenticatedError("wrong login or password");
  }
  const int64_t user_id = row->Int(0);
  SignInResult result;
  result.session_token = RandomToken();
  result.known_device = DeviceCookie(user_id, device.value_or(RandomToken(16)));
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    // The pair starts afresh once the right password was given from it.
    RETURN_IF_ERROR(tx.Execute("DELETE FROM auth_throttle WHERE kind = 'sign_in' AND subject = ? AND source = ?",
                               {subject, device ? "device:" + *device : address}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, user_agent) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   {Sha256Hex(result.session_token), user_id, now, now, now + options_.session_absolute_seconds,
                    user_agent.substr(0, 200)}));
    ASSIGN_OR_RETURN(storage::Row u,
                     tx.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {user_id}));
    result.user = ReadUser(u);
    return record::Audit(tx, clock_.Now(), record::Actor::User(user_id), "user.sign_in", record::Ref("user", user_id),
                         {{"remote", remote}, {"known_device", device.has_value()}});
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

StatusOr<Principal> AccountService::LoadPrincipal(storage::Connection& conn, int64_t user_id) {
  ASSIGN_OR_RETURN(storage::Row u,
                   conn.QueryOne(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {user_id}));
  User user = ReadUser(u);
  if (user.disabled) return UnauthenticatedError("this account is disabled");
  ASSIGN_OR_RETURN(std::vector<Grant> grants, LoadGrants(conn, user.id));
  return Principal::User(user.id, user.display_name, std::move(grants), user.locale);
}

StatusOr<Principal> AccountService::PrincipalOf(int64_t user_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return LoadPrincipal(*conn, user_id);
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
  return LoadPrincipal(*conn, session->Int(0));
}

StatusOr<Principal> AccountService::AuthenticateToken(const std::string& api_token, std::string_view method) {
  if (api_token.empty() || api_token.size() > 100) return UnauthenticatedError("malformed token");
  const int64_t now = ToUnix(clock_.Now());
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto token, conn->QueryOptional("SELECT id, user_id, expires_at, scope FROM api_tokens "
                                                   "WHERE token_hash = ? AND revoked_at = 0",
                                                   {Sha256Hex(api_token)}));
  if (!token) return UnauthenticatedError("unknown or revoked token");
  if (token->Int(2) != 0 && token->Int(2) <= now) return UnauthenticatedError("the token has expired");
  const bool read_only = token->Text(3) == "read";
  if (read_only && method != "GET" && method != "HEAD") {
    return PermissionDeniedError("this token is read-only: it may only read (GET)");
  }
  RETURN_IF_ERROR(conn->Execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND last_used_at < ?",
                                {now, token->Int(0), now - 60}));
  ASSIGN_OR_RETURN(Principal user, LoadPrincipal(*conn, token->Int(1)));
  return Principal::Token(user.user_id, token->Int(0), read_only ? TokenScope::kRead : TokenScope::kReadWrite,
                          std::move(user.display_name), std::move(user.grants), std::move(user.locale));
}

Status AccountService::ChangePassword(int64_t user_id, const std::string& current, const std::string& replacement,
                                      const std::string& keep_session_token) {
  RETURN_IF_ERROR(ValidatePassword(replacement));
  const int64_t now = ToUnix(clock_.Now());
  const std::string subject = "user:" + std::to_string(user_id);
  std::string current_hash;
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(FailureCount failed,
                     CountFailures(*conn, "password", subject, std::nullopt, now - options_.failure_window_seconds));
    const int64_t wait = WaitSeconds(failed.count, failed.latest, options_.free_password_checks,
                                     options_.throttle_base_seconds, options_.throttle_max_seconds, now);
    if (wait > 0) return TooManyFailures(wait);
    ASSIGN_OR_RETURN(storage::Row row, conn->QueryOne("SELECT password_hash FROM users WHERE id = ?", {user_id}));
    current_hash = row.Text(0);
  }
  if (!VerifyPassword(current, current_hash)) {
    RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
      return tx
          .Execute("INSERT INTO auth_throttle (kind, subject, source, at) VALUES ('password', ?, '', ?)",
                   {subject, now})
          .status();
    }));
    return InvalidArgumentError("the current password is wrong", "current_password");
  }
  ASSIGN_OR_RETURN(std::string hash, HashPassword(replacement, options_.password_cost));
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("UPDATE users SET password_hash = ? WHERE id = ?", {hash, user_id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?",
                               {user_id, Sha256Hex(keep_session_token)}));
    // Whoever knew the old password may have made tokens with it.
    ASSIGN_OR_RETURN(
        storage::Result revoked,
        tx.Execute("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0", {now, user_id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM auth_throttle WHERE kind = 'password' AND subject = ?", {subject}));
    return record::Audit(tx, clock_.Now(), record::Actor::User(user_id), "user.change_password",
                         record::Ref("user", user_id), {{"api_tokens_revoked", revoked.rows_affected}});
  });
}

StatusOr<int64_t> AccountService::Prune() {
  const int64_t now = ToUnix(clock_.Now());
  int64_t deleted = 0;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    // Sign-ups are counted over an hour, failures over the window: keep the longer of the two.
    ASSIGN_OR_RETURN(storage::Result attempts,
                     tx.Execute("DELETE FROM auth_throttle WHERE at <= ?",
                                {now - std::max<int64_t>(options_.failure_window_seconds, 3600)}));
    ASSIGN_OR_RETURN(storage::Result sessions,
                     tx.Execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                                {now, now - options_.session_idle_seconds}));
    deleted = attempts.rows_affected + sessions.rows_affected;
    if (deleted == 0) return OkStatus();
    return record::Audit(tx, clock_.Now(), record::Actor::System("system"), "auth.prune", "",
                         {{"auth_throttle", attempts.rows_affected}, {"sessions", sessions.rows_affected}});
  }));
  return deleted;
}

StatusOr<std::string> AccountService::CreateApiToken(int64_t user_id, const NewApiToken& spec, int64_t* id) {
  RETURN_IF_ERROR(utf8::Validate(spec.name, "name"));
  if (spec.name.empty() || utf8::CodePointCount(spec.name) > 60) {
    return InvalidArgumentError("a token name has 1 to 60 characters", "name");
  }
  if (spec.scope != "read" && spec.scope != "write") {
    return InvalidArgumentError("a token's scope is read or write", "scope");
  }
  const int days = spec.expires_days == 0 ? options_.token_default_days : spec.expires_days;
  if (days < 1 || days > options_.token_max_days) {
    return InvalidArgumentError(Msg("a token expires after 1 to {} days", options_.token_max_days), "expires_days");
  }
  const int64_t now = ToUnix(clock_.Now());
  const int64_t expires_at = now + int64_t{days} * 86400;
  std::string token = "nj_" + RandomToken();
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row row,
                     tx.QueryOne("INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at, scope) "
                                 "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                 {user_id, spec.name, Sha256Hex(token), now, expires_at, spec.scope}));
    if (id != nullptr) *id = row.Int(0);
    return record::Audit(tx, FromUnix(now), record::Actor::User(user_id), "api_token.create",
                         record::Ref("api_token", row.Int(0)),
                         {{"name", spec.name}, {"scope", spec.scope}, {"expires_at", expires_at}});
  }));
  return token;
}

StatusOr<std::vector<ApiToken>> AccountService::ListApiTokens(int64_t user_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result result,
                   conn->Execute(std::string("SELECT ") + kTokenColumns +
                                     " FROM api_tokens WHERE user_id = ? "
                                     "ORDER BY CASE WHEN revoked_at = 0 THEN 0 ELSE 1 END, id DESC LIMIT 200",
                                 {user_id}));
  std::vector<ApiToken> out;
  for (const auto& row : result.rows) out.push_back(ReadToken(row));
  return out;
}

Status AccountService::RevokeApiToken(const Principal& by, int64_t token_id) {
  if (by.anonymous()) return UnauthenticatedError("sign in first");
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    // One conditional statement: two revokes of one token cannot both succeed. Another user's token reads as
    // missing: its existence is none of the caller's business.
    ASSIGN_OR_RETURN(auto token,
                     tx.QueryOptional("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0 "
                                      "AND (user_id = ? OR ? = 1) RETURNING user_id, name",
                                      {ToUnix(clock_.Now()), token_id, by.user_id, int64_t{by.is_system() ? 1 : 0}}));
    if (!token) return NotFoundError(Msg("no live API token {}", token_id));
    return record::Audit(tx, clock_.Now(), ActorOf(by), "api_token.revoke", record::Ref("api_token", token_id),
                         {{"name", token->Text(1)}, {"user_id", token->Int(0)}});
  });
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
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kGrantRoles, policy::Subject::Area(area_id)));
    ASSIGN_OR_RETURN(auto user, tx.QueryOptional("SELECT id FROM users WHERE id = ?", {user_id}));
    if (!user) return NotFoundError(Msg("no user {}", user_id));
    ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT id FROM areas WHERE id = ?", {area_id}));
    if (!area) return NotFoundError(Msg("no area {}", area_id));
    auto row = tx.QueryOne(
        "INSERT INTO role_grants (user_id, role, area_id, granted_by, granted_at) VALUES (?, ?, ?, ?, ?) "
        "RETURNING id",
        {user_id, std::string(RoleName(role)), area_id, by.AccountOrNull(), ToUnix(now)});
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
  if (by.anonymous()) return UnauthenticatedError("sign in first");
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(
        auto grant,
        tx.QueryOptional("SELECT user_id, role, area_id FROM role_grants WHERE id = ? AND revoked_at = 0", {grant_id}));
    if (!grant) return NotFoundError(Msg("no active grant {}", grant_id));
    RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kGrantRoles, policy::Subject::Area(grant->Int(2))));
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
  RETURN_IF_ERROR(policy::Require(*conn, by, policy::Action::kGrantRoles, policy::Subject::Area(area_id)));
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
