#include "platform/contacts/contacts.h"

#include <sodium.h>

#include <cctype>

#include <fmt/format.h>

#include "auth/crypto.h"
#include "common/message.h"
#include "common/text_util.h"
#include "record/record.h"
#include "storage/locking.h"

namespace ningju::contacts {
namespace {

constexpr std::string_view kEmailChannel = delivery::kEmail;
constexpr std::string_view kSmsChannel = delivery::kSms;

bool AtomChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

bool ValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253 || domain.find('.') == std::string_view::npos) return false;
  size_t start = 0;
  while (start <= domain.size()) {
    size_t end = domain.find('.', start);
    if (end == std::string_view::npos) end = domain.size();
    std::string_view label = domain.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

}  // namespace

StatusOr<std::string> NormalizeEmail(std::string_view address) {
  address = Trim(address);
  const Status invalid = InvalidArgumentError("an email address looks like name@example.org", "email");
  if (address.empty() || address.size() > kMaxEmailBytes) return invalid;
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return invalid;
  std::string_view local = address.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return invalid;
  for (char c : local) {
    if (!AtomChar(c) && c != '.') return invalid;
  }
  if (!ValidDomain(address.substr(at + 1))) return invalid;
  std::string out(address);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status ContactService::CheckWriter(const auth::Principal& by) const {
  if (!by.has_account()) return UnauthenticatedError("sign in to change your contacts");
  if (by.read_only()) return PermissionDeniedError("this token is read-only: it may only read (GET)");
  return OkStatus();
}

std::string ContactService::CodeHash(int64_t user_id, std::string_view address, std::string_view code) const {
  return auth::HmacHex(secret_, fmt::format("contact-code:{}:{}:{}", user_id, address, code));
}

Status ContactService::SendCode(storage::Connection& tx, const auth::Principal& by, std::string_view channel,
                                const std::string& address, const std::string& locale,
                                std::string_view client_address) {
  const int64_t now = ToUnix(clock_.Now());
  const std::string client = auth::HmacHex(secret_, "contact-client:" + std::string(client_address));
  // Six digits, uniform (randombytes_uniform has no modulo bias).
  const std::string code = fmt::format("{:06d}", randombytes_uniform(1000000));
  // The limits count codes already sent, under the account's row lock the caller holds (two requests of one person
  // cannot both pass); across accounts a burst may overshoot by the requests in flight, which the client limit bounds.
  ASSIGN_OR_RETURN(storage::Row recent,
                   tx.QueryOne("SELECT COUNT(*), COALESCE(MAX(created_at), 0) FROM contact_codes WHERE address = ? "
                               "AND created_at > ?",
                               {address, now - 3600}));
  if (recent.Int(1) > now - kResendSeconds) {
    return ResourceExhaustedError(
        Msg("a code was sent to this address less than {} seconds ago: wait for it", kResendSeconds));
  }
  if (recent.Int(0) >= kCodesPerAddressHour) {
    return ResourceExhaustedError("too many codes were sent to this address in the last hour: try again later");
  }
  ASSIGN_OR_RETURN(
      storage::Row from_client,
      tx.QueryOne("SELECT COUNT(*) FROM contact_codes WHERE client = ? AND created_at > ?", {client, now - 3600}));
  if (from_client.Int(0) >= kCodesPerClientHour) {
    return ResourceExhaustedError("too many codes were asked for from your network in the last hour: try later");
  }
  // A new code ends the earlier ones of this account on this channel.
  RETURN_IF_ERROR(tx.Execute("UPDATE contact_codes SET used_at = ? WHERE user_id = ? AND channel = ? AND used_at = 0",
                             {now, by.user_id, std::string(channel)}));
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO contact_codes (user_id, channel, address, code_hash, client, created_at, "
                 "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {by.user_id, std::string(channel), address, CodeHash(by.user_id, address, code), client, now,
                  now + kCodeSeconds}));
  const CodeMessage message = text_(channel, locale, code);
  return delivery::Enqueue(tx, {by.user_id, std::string(channel), address, message.subject, message.body, "code"},
                           clock_.Now())
      .status();
}

Status ContactService::CheckCode(
    const auth::Principal& by, std::string_view channel, std::string_view code, Msg wrong_hint,
    const std::function<Status(storage::Connection&, const std::string&, int64_t)>& accept) {
  const std::string given(Trim(code));
  const int64_t now = ToUnix(clock_.Now());
  Status refusal;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    refusal = OkStatus();
    ASSIGN_OR_RETURN(auto row,
                     tx.QueryOptional("SELECT id, address, code_hash, attempts FROM contact_codes WHERE user_id = ? "
                                      "AND channel = ? AND used_at = 0 AND expires_at > ? ORDER BY id DESC LIMIT 1" +
                                          storage::ForUpdate(tx.dialect()),
                                      {by.user_id, std::string(channel), now}));
    if (!row || row->Int(3) >= kMaxCodeAttempts) {
      refusal = InvalidArgumentError("no code is waiting for you, or it has ended: ask for a new one", "code");
      return OkStatus();
    }
    const std::string address = row->Text(1);
    if (!auth::SafeEquals(CodeHash(by.user_id, address, given), row->Text(2))) {
      // The wrong try counts (committed with the refusal): five, and the code has ended.
      refusal = InvalidArgumentError(wrong_hint, "code");
      return tx.Execute("UPDATE contact_codes SET attempts = attempts + 1 WHERE id = ?", {row->Int(0)}).status();
    }
    RETURN_IF_ERROR(tx.Execute("UPDATE contact_codes SET used_at = ? WHERE id = ?", {now, row->Int(0)}));
    return accept(tx, address, now);
  }));
  return refusal;
}

Status ContactService::StartEmail(const auth::Principal& by, std::string_view email, std::string_view client_address) {
  RETURN_IF_ERROR(CheckWriter(by));
  if (!outbox_.Configured(delivery::kEmail)) {
    return FailedPreconditionError("this server sends no email: its operator has not configured a mail server");
  }
  ASSIGN_OR_RETURN(std::string address, NormalizeEmail(email));
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(
        storage::Row user,
        tx.QueryOne("SELECT locale, email FROM users WHERE id = ?" + storage::ForUpdate(tx.dialect()), {by.user_id}));
    if (!user.IsNull(1) && user.Text(1) == address) {
      return AlreadyExistsError("this is already your verified address", "email");
    }
    ASSIGN_OR_RETURN(auto taken,
                     tx.QueryOptional("SELECT 1 FROM users WHERE email = ? AND id <> ?", {address, by.user_id}));
    if (taken) return AlreadyExistsError("another account has this email address", "email");
    return SendCode(tx, by, kEmailChannel, address, user.Text(0), client_address);
  }));
  outbox_.Wake();  // the person is waiting for it
  return OkStatus();
}

StatusOr<std::string> ContactService::VerifyEmail(const auth::Principal& by, std::string_view code) {
  RETURN_IF_ERROR(CheckWriter(by));
  std::string verified;
  RETURN_IF_ERROR(CheckCode(by, kEmailChannel, code, Msg("the code is not right: check the latest email and try again"),
                            [&](storage::Connection& tx, const std::string& address, int64_t now) -> Status {
                              StatusOr<storage::Result> set =
                                  tx.Execute("UPDATE users SET email = ?, email_verified_at = ? WHERE id = ?",
                                             {address, now, by.user_id});
                              if (!set.ok() && set.status().code() == StatusCode::kAlreadyExists) {
                                return AlreadyExistsError("another account has this email address", "email");
                              }
                              verified = address;
                              return set.status();
                            }));
  return verified;
}

bool ContactService::SendsSms() const { return outbox_.Configured(delivery::kSms); }

Status ContactService::StartPhone(const auth::Principal& by, std::string_view client_address) {
  RETURN_IF_ERROR(CheckWriter(by));
  if (!SendsSms()) {
    return FailedPreconditionError(
        "this server sends no text messages: its operator has not configured an SMS gateway");
  }
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row user, tx.QueryOne("SELECT locale, phone, phone_state FROM users WHERE id = ?" +
                                                        storage::ForUpdate(tx.dialect()),
                                                    {by.user_id}));
    if (user.IsNull(1)) return FailedPreconditionError("this account signed up with a username: it has no phone login");
    if (user.Text(2) == "verified") return FailedPreconditionError("your phone number is verified already");
    return SendCode(tx, by, kSmsChannel, user.Text(1), user.Text(0), client_address);
  }));
  outbox_.Wake();
  return OkStatus();
}

Status ContactService::VerifyPhone(const auth::Principal& by, std::string_view code) {
  RETURN_IF_ERROR(CheckWriter(by));
  return CheckCode(by, kSmsChannel, code, Msg("the code is not right: check the latest text message and try again"),
                   [&](storage::Connection& tx, const std::string& address, int64_t now) -> Status {
                     // The code went to the phone the account has now (StartPhone read it under the row lock, and a
                     // login is never changed), so the address is the login.
                     ASSIGN_OR_RETURN(storage::Result set,
                                      tx.Execute("UPDATE users SET phone_state = 'verified', phone_verified_at = ? "
                                                 "WHERE id = ? AND phone = ?",
                                                 {now, by.user_id, address}));
                     if (set.rows_affected != 1) {
                       return FailedPreconditionError("the code was sent to a number this account no longer has");
                     }
                     return record::Audit(tx, clock_.Now(), auth::ActorOf(by), "user.phone_verified",
                                          record::Ref("user", by.user_id), {});
                   });
}

StatusOr<PhoneState> ContactService::Phone(const auth::Principal& viewer) {
  if (!viewer.has_account()) return UnauthenticatedError("sign in to see your contacts");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Row user,
                   conn->QueryOne("SELECT phone, phone_state FROM users WHERE id = ?", {viewer.user_id}));
  PhoneState state;
  state.phone = user.IsNull(0) ? "" : user.Text(0);
  state.state = user.Text(1);
  state.can_send = SendsSms();
  ASSIGN_OR_RETURN(auto waiting, conn->QueryOptional("SELECT 1 FROM contact_codes WHERE user_id = ? AND channel = ? "
                                                     "AND used_at = 0 AND expires_at > ? AND attempts < ? LIMIT 1",
                                                     {viewer.user_id, std::string(kSmsChannel), ToUnix(clock_.Now()),
                                                      int64_t{kMaxCodeAttempts}}));
  state.code_waiting = waiting.has_value();
  return state;
}

Status ContactService::RemoveEmail(const auth::Principal& by) {
  RETURN_IF_ERROR(CheckWriter(by));
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("UPDATE users SET email = NULL, email_verified_at = 0 WHERE id = ?", {by.user_id}));
    return tx
        .Execute("UPDATE contact_codes SET used_at = ? WHERE user_id = ? AND channel = ? AND used_at = 0",
                 {ToUnix(clock_.Now()), by.user_id, std::string(kEmailChannel)})
        .status();
  });
}

Status ContactService::SetEmailMode(const auth::Principal& by, std::string_view mode) {
  RETURN_IF_ERROR(CheckWriter(by));
  if (mode != "each" && mode != "daily" && mode != "off") {
    return InvalidArgumentError("email comes for each notification, once a day, or not at all", "email_mode");
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return conn->Execute("UPDATE users SET email_mode = ? WHERE id = ?", {std::string(mode), by.user_id}).status();
}

StatusOr<EmailState> ContactService::Email(const auth::Principal& viewer) {
  if (!viewer.has_account()) return UnauthenticatedError("sign in to see your contacts");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Row user,
                   conn->QueryOne("SELECT email, email_mode FROM users WHERE id = ?", {viewer.user_id}));
  EmailState state;
  state.email = user.IsNull(0) ? "" : user.Text(0);
  state.mode = user.Text(1);
  ASSIGN_OR_RETURN(auto pending, conn->QueryOptional("SELECT address FROM contact_codes WHERE user_id = ? AND channel "
                                                     "= ? AND used_at = 0 AND expires_at > ? AND attempts < ? ORDER "
                                                     "BY id DESC LIMIT 1",
                                                     {viewer.user_id, std::string(kEmailChannel), ToUnix(clock_.Now()),
                                                      int64_t{kMaxCodeAttempts}}));
  if (pending) state.pending = pending->Text(0);
  return state;
}

StatusOr<int64_t> ContactService::Prune() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("DELETE FROM contact_codes WHERE created_at < ?", {ToUnix(clock_.Now()) - 24 * 3600}));
  return r.rows_affected;
}

}  // namespace ningju::contacts
