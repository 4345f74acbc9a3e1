// A person's contacts: the email address notifications go to, verified with a one-time code sent to it through the
// outbox (delivery/outbox.h), and the phone number an account signed up with, verified the same way by SMS when the
// server has an SMS gateway. The address is the account's only once the code came back; until then it is held in
// the code's row and nothing is sent to it but the code. A phone still "pending" is not shown as the person's and
// does not count where a person stands for themselves (auth::RequireSettledPhone).
//
// Codes are 6 digits, kept as a keyed hash, live kCodeSeconds, and allow kMaxCodeAttempts wrong tries; a new code
// ends the earlier ones. Sending is limited per recipient address (kCodesPerAddressHour, one per kResendSeconds) and
// per client address (kCodesPerClientHour), so the form cannot be used to flood someone's mailbox.
#ifndef NINGJU_PLATFORM_CONTACTS_CONTACTS_H_
#define NINGJU_PLATFORM_CONTACTS_CONTACTS_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "platform/delivery/outbox.h"
#include "storage/database.h"

namespace ningju::contacts {

inline constexpr int kCodeSeconds = 10 * 60;
inline constexpr int kMaxCodeAttempts = 5;
inline constexpr int kResendSeconds = 60;
inline constexpr int kCodesPerAddressHour = 5;
inline constexpr int kCodesPerClientHour = 20;
inline constexpr size_t kMaxEmailBytes = 254;

// The message that carries a code, in the person's language (the app's wiring renders it); `channel` is
// delivery::kEmail or delivery::kSms (an SMS has no subject).
struct CodeMessage {
  std::string subject;
  std::string body;
};
using CodeText =
    std::function<CodeMessage(std::string_view channel, const std::string& locale, const std::string& code)>;

struct EmailState {
  std::string email;    // the verified address; empty: none
  std::string pending;  // an address a live code was sent to; empty: none
  std::string mode;     // each | daily | off
};

struct PhoneState {
  std::string phone;          // the account's phone login; empty: it signed up with a username
  std::string state;          // unchecked | pending | verified (auth::User::phone_state)
  bool code_waiting = false;  // a live code was sent to it
  bool can_send = false;      // this server has an SMS gateway
};

// `address` lowercased when it is an email address ASCII mail servers take ("Lu@Example.org" -> "lu@example.org");
// kInvalidArgument (field "email") otherwise.
StatusOr<std::string> NormalizeEmail(std::string_view address);

class ContactService {
 public:
  // `secret` keys the codes' and client addresses' hashes. `outbox` and `text` must outlive the service.
  ContactService(storage::Database& db, const Clock& clock, const delivery::Outbox& outbox, std::string secret,
                 CodeText text)
      : db_(db), clock_(clock), outbox_(outbox), secret_(std::move(secret)), text_(std::move(text)) {}

  // Sends a code to `email` for `by`'s account. kUnauthenticated when anonymous; kPermissionDenied for a read-only
  // token; kFailedPrecondition when this server sends no email; kInvalidArgument (field "email") for a malformed
  // address; kAlreadyExists (field "email") when another account has it; kResourceExhausted when a limit says wait.
  Status StartEmail(const auth::Principal& by, std::string_view email, std::string_view client_address);
  // Makes the address of the live code `by`'s with the right `code`. kInvalidArgument (field "code") for a wrong
  // code (one try used) or one that ended; kAlreadyExists when another account verified the address meanwhile.
  // Returns the address.
  StatusOr<std::string> VerifyEmail(const auth::Principal& by, std::string_view code);
  // No address any more (its notifications' emails stop; those in the outbox still go).
  Status RemoveEmail(const auth::Principal& by);
  // each | daily | off (kInvalidArgument, field "email_mode", otherwise).
  Status SetEmailMode(const auth::Principal& by, std::string_view mode);
  StatusOr<EmailState> Email(const auth::Principal& viewer);

  // Sends a code by SMS to `by`'s phone login, under the limits of StartEmail. kFailedPrecondition when this server
  // has no SMS gateway, the account has no phone login, or its phone is verified already.
  Status StartPhone(const auth::Principal& by, std::string_view client_address);
  // Marks `by`'s phone verified with the right `code` (kInvalidArgument, field "code", as VerifyEmail). Audited
  // "user.phone_verified".
  Status VerifyPhone(const auth::Principal& by, std::string_view code);
  StatusOr<PhoneState> Phone(const auth::Principal& viewer);
  bool SendsSms() const;
  // Deletes codes older than a day (the limits count the last hour; a code lives kCodeSeconds). Returns how many.
  StatusOr<int64_t> Prune();

 private:
  Status CheckWriter(const auth::Principal& by) const;
  std::string CodeHash(int64_t user_id, std::string_view address, std::string_view code) const;
  // Writes a new code for `address` on `channel` (ending `by`'s earlier ones there) and its message to the outbox,
  // under the limits, in `tx`. `locale` is the person's.
  Status SendCode(storage::Connection& tx, const auth::Principal& by, std::string_view channel,
                  const std::string& address, const std::string& locale, std::string_view client_address);
  // Checks `code` against `by`'s live code on `channel`; on a match ends it and calls `accept(tx, address)` in the
  // same transaction. A wrong code counts a try.
  Status CheckCode(const auth::Principal& by, std::string_view channel, std::string_view code, Msg wrong_hint,
                   const std::function<Status(storage::Connection&, const std::string&, int64_t)>& accept);

  storage::Database& db_;
  const Clock& clock_;
  const delivery::Outbox& outbox_;
  std::string secret_;
  CodeText text_;
};

}  // namespace ningju::contacts

#endif  // NINGJU_PLATFORM_CONTACTS_CONTACTS_H_
