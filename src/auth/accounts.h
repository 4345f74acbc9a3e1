// Accounts, sign-in, sessions and API tokens. Every state change runs in one transaction with its audit record.
#ifndef NINGJU_AUTH_ACCOUNTS_H_
#define NINGJU_AUTH_ACCOUNTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/crypto.h"
#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::auth {

struct AccountOptions {
  PasswordCost password_cost = PasswordCost::kInteractive;
  int session_idle_seconds = 7 * 24 * 3600;       // a session unused this long expires
  int session_absolute_seconds = 30 * 24 * 3600;  // and every session expires this long after sign-in
  int max_failures_per_account = 5;               // consecutive wrong passwords before the account locks
  int lockout_seconds = 15 * 60;                  // how long it stays locked
  int max_failures_per_address = 20;              // failed sign-ins from one address within the window -> 429
  int failure_window_seconds = 15 * 60;
};

struct User {
  int64_t id = 0;
  std::optional<std::string> username;
  std::optional<std::string> phone;
  std::string display_name;
  std::string locale;
  bool disabled = false;
};

struct NewAccount {
  std::string login;  // a mainland mobile number (11 digits starting with 1) or a username
  std::string display_name;
  std::string password;
};

struct SignInResult {
  User user;
  std::string session_token;  // for the cookie; the database keeps only its hash
};

class AccountService {
 public:
  AccountService(storage::Database& db, const Clock& clock, AccountOptions options)
      : db_(db), clock_(clock), options_(options) {}

  // Validates and creates an account. kInvalidArgument names the field ("login", "password", "display_name");
  // kAlreadyExists when the login is taken.
  StatusOr<User> SignUp(const NewAccount& account, const std::string& actor_label);

  // Checks the password and opens a session. Wrong login or password: kUnauthenticated with one message for both;
  // a locked account or too many failures from `remote`: kResourceExhausted.
  StatusOr<SignInResult> SignIn(const std::string& login, const std::string& password, const std::string& remote,
                                const std::string& user_agent);
  Status SignOut(const std::string& session_token);

  // The principal of a live session, renewing its idle expiry; kUnauthenticated when unknown or expired.
  StatusOr<Principal> Authenticate(const std::string& session_token);
  // The principal behind a personal access token (Authorization: Bearer ...).
  StatusOr<Principal> AuthenticateToken(const std::string& api_token);

  // Requires the current password; ends every other session of the user.
  Status ChangePassword(int64_t user_id, const std::string& current, const std::string& replacement,
                        const std::string& keep_session_token);

  // Deletes what no rule needs any more: failed sign-ins older than the failure window and sessions past their idle or
  // absolute expiry, with one audit record of the counts when anything was deleted. The job "auth.prune" runs it.
  // Returns the number of rows deleted.
  StatusOr<int64_t> Prune();

  // A new personal access token; its value is returned once and never stored.
  StatusOr<std::string> CreateApiToken(int64_t user_id, const std::string& name);

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

  const AccountOptions& options() const { return options_; }

 private:
  StatusOr<Principal> LoadPrincipal(storage::Connection& conn, int64_t user_id, std::string via);

  storage::Database& db_;
  const Clock& clock_;
  AccountOptions options_;
};

// Login and password rules, exposed for forms that validate before submitting.
Status ValidateLogin(const std::string& login);
Status ValidatePassword(const std::string& password);
bool IsPhoneNumber(const std::string& login);

}  // namespace ningju::auth

#endif  // NINGJU_AUTH_ACCOUNTS_H_
