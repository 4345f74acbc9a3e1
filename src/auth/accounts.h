// Accounts, sign-in, sessions and API tokens. Every state change runs in one transaction with its audit record.
#ifndef NINGJU_AUTH_ACCOUNTS_H_
#define NINGJU_AUTH_ACCOUNTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/crypto.h"
#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::auth {

// The sign-in rule (docs/OPERATIONS.md "Sign-in limits"): no account is ever locked. A failed sign-in is counted
// against the pair (login, source) and against the source alone, where the source is the client address, or the
// browser when it shows a valid known-device cookie of that account (then the address does not count). After
// `free_failures_per_pair` failures of a pair within the window, the pair waits `throttle_base_seconds` after its
// latest failure, doubling with each further failure up to `throttle_max_seconds`; the same for an address after
// `free_failures_per_address`. So a stranger guessing an owner's password slows down only himself: the owner on a
// known device (or from another address) signs in at once with the right password. Unknown and known logins are
// counted and answered alike.
struct AccountOptions {
  PasswordCost password_cost = PasswordCost::kInteractive;
  int session_idle_seconds = 7 * 24 * 3600;       // a session unused this long expires
  int session_absolute_seconds = 30 * 24 * 3600;  // and every session expires this long after sign-in
  int free_failures_per_pair = 3;                 // failed sign-ins of one login from one source before waits
  int free_failures_per_address = 20;             // failed sign-ins from one address (any login) before waits
  int throttle_base_seconds = 2;                  // the first wait, doubled by each further failure
  int throttle_max_seconds = 15 * 60;             // the longest wait
  int failure_window_seconds = 60 * 60;           // failures older than this are forgotten (and pruned)
  int sign_ups_per_address_hour = 10;             // sign-ups (a taken login too) per address per hour; 0: none
  int free_password_checks = 5;                   // wrong current passwords (password change) before waits
  int known_device_days = 365;                    // lifetime of the known-device cookie
  int token_default_days = 90;                    // API token expiry when none is asked for
  int token_max_days = 366;                       // the longest expiry a token may be given
  // The server secret (the settings table's csrf_secret) keying the hashes of addresses and the known-device
  // cookies, so that a copy of the database does not reveal which addresses signed in.
  std::string secret;
};

struct User {
  int64_t id = 0;
  std::optional<std::string> username;
  std::optional<std::string> phone;
  std::string display_name;
  std::string locale;
  bool disabled = false;
  // The phone's standing (users.phone_state): "unchecked" (given where no code could be sent: no SMS gateway, an
  // account staff made), "pending" (a code was sent at sign-up and has not come back), "verified" (it came back).
  std::string phone_state = "unchecked";
};

struct NewAccount {
  std::string login;  // a mainland mobile number (11 digits starting with 1) or a username
  std::string display_name;
  std::string password;
  // The phone login stays "pending" until a code sent to it comes back (contacts::ContactService::VerifyPhone): the
  // sign-up form sets this when the server has an SMS gateway.
  bool phone_needs_code = false;
};

struct SignInResult {
  User user;
  std::string session_token;  // for the cookie; the database keeps only its hash
  std::string known_device;   // the known-device cookie to set (a new or the renewed one)
};

// A personal access token as listed (never its value).
struct ApiToken {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string scope;  // "write" (everything the user may do) or "read" (GET and HEAD only)
  int64_t created_at = 0;
  int64_t expires_at = 0;  // 0: never (tokens made before expiry existed)
  int64_t last_used_at = 0;
  int64_t revoked_at = 0;  // 0: live
};

struct NewApiToken {
  std::string name;
  std::string scope = "write";
  int expires_days = 0;  // 0: AccountOptions::token_default_days
};

class AccountService {
 public:
  AccountService(storage::Database& db, const Clock& clock, AccountOptions options)
      : db_(db), clock_(clock), options_(options) {}

  // Validates and creates an account. kInvalidArgument names the field ("login", "password", "display_name");
  // kAlreadyExists when the login is taken. Without a `remote` (the command line, the demo) it is not limited.
  StatusOr<User> SignUp(const NewAccount& account, const std::string& actor_label) {
    return SignUp(account, actor_label, "");
  }

  // Validates and creates an account, at most sign_ups_per_address_hour from one `remote` (kResourceExhausted).
  StatusOr<User> SignUp(const NewAccount& account, const std::string& actor_label, const std::string& remote);

  // Checks the password and opens a session. Wrong login or password: kUnauthenticated with one message for both;
  // a pair or address that must still wait (see AccountOptions): kResourceExhausted. Unknown and known logins get the
  // same answer after the same work. `known_device` is the browser's known-device cookie, if any.
  StatusOr<SignInResult> SignIn(const std::string& login, const std::string& password, const std::string& remote,
                                const std::string& user_agent, const std::string& known_device = "");
  Status SignOut(const std::string& session_token);

  // The principal of a live session, renewing its idle expiry; kUnauthenticated when unknown or expired.
  StatusOr<Principal> Authenticate(const std::string& session_token);
  // The principal behind a personal access token (Authorization: Bearer ...) for a request of `method`:
  // kUnauthenticated when unknown, revoked or expired; kPermissionDenied for a read-scoped token and a method other
  // than GET and HEAD. Every route authenticates through here, so the scope holds for all of them.
  StatusOr<Principal> AuthenticateToken(const std::string& api_token, std::string_view method);

  // Requires the current password (wrong ones count: after free_password_checks they wait, kResourceExhausted);
  // ends every other session of the user and revokes every API token.
  Status ChangePassword(int64_t user_id, const std::string& current, const std::string& replacement,
                        const std::string& keep_session_token);

  // Deletes what no rule needs any more: failed sign-ins older than the failure window and sessions past their idle or
  // absolute expiry, with one audit record of the counts when anything was deleted. The job "auth.prune" runs it.
  // Returns the number of rows deleted.
  StatusOr<int64_t> Prune();

  // A new personal access token; its value is returned once and never stored. kInvalidArgument names "name",
  // "scope" or "expires_days". `id`, when given, receives the new token's id.
  StatusOr<std::string> CreateApiToken(int64_t user_id, const NewApiToken& token, int64_t* id = nullptr);
  StatusOr<std::string> CreateApiToken(int64_t user_id, const std::string& name) {
    return CreateApiToken(user_id, NewApiToken{name});
  }
  // The user's tokens, live ones first, newest first (at most 200).
  StatusOr<std::vector<ApiToken>> ListApiTokens(int64_t user_id);
  // Revokes a token of `by` (the system may revoke any): kNotFound when there is no live token `token_id` of theirs.
  Status RevokeApiToken(const Principal& by, int64_t token_id);

  StatusOr<User> FindByLogin(const std::string& login);
  StatusOr<User> FindById(int64_t id);

  // Grants and revokes, by a principal who holds kGrantRoles on the area (or the system).
  StatusOr<int64_t> GrantRole(const Principal& by, int64_t user_id, Role role, int64_t area_id);
  Status RevokeRole(const Principal& by, int64_t grant_id);
  struct GrantView {
    int64_t id = 0;
    int64_t user_id = 0;
    std::string user_name;
    Role role = Role::kResident;
    int64_t area_id = 0;
    std::string area_name;
  };
  StatusOr<std::vector<GrantView>> ListGrants(const Principal& by, int64_t area_id);

  // The principal of account `user_id` with its grants, as a session of it would be (the notification fan-out checks
  // visibility for it). kNotFound for no such account, kUnauthenticated for a disabled one.
  StatusOr<Principal> PrincipalOf(int64_t user_id);

  const AccountOptions& options() const { return options_; }

 private:
  StatusOr<Principal> LoadPrincipal(storage::Connection& conn, int64_t user_id);
  // The keyed hash under which a value (address, login) is counted.
  std::string Key(std::string_view purpose, std::string_view value) const;
  // The known-device cookie of `user_id` for device `device_id`, and the device id of a valid cookie.
  std::string DeviceCookie(int64_t user_id, const std::string& device_id) const;
  std::optional<std::string> DeviceOf(int64_t user_id, const std::string& cookie) const;

  storage::Database& db_;
  const Clock& clock_;
  AccountOptions options_;
};

// Login and password rules, exposed for forms that validate before submitting.
Status ValidateLogin(const std::string& login);
Status ValidatePassword(const std::string& password);
bool IsPhoneNumber(const std::string& login);

// kFailedPrecondition when `by`'s account has a phone number still waiting for its code (phone_state "pending"):
// until it is verified such an account cannot claim an owner's invitation, join a case ("me too") or object to a
// notice. Accounts without a pending phone, the system and anonymous principals pass (each action has its own rule
// for those). Reads in `conn`, so a caller's transaction decides on what it writes.
Status RequireSettledPhone(storage::Connection& conn, const Principal& by);

}  // namespace ningju::auth

#endif  // NINGJU_AUTH_ACCOUNTS_H_
