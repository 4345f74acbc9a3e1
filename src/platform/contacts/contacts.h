// A person's contacts beyond the login: the email address notifications go to, verified with a one-time code sent
// to it through the outbox (delivery/outbox.h). The address is the account's only once the code came back; until
// then it is held in the code's row and nothing is sent to it but the code.
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

// The message that carries a code, in the person's language (the app's wiring renders it).
struct CodeMessage {
  std::string subject;
  std::string body;
};
using CodeText = std::function<CodeMessage(const std::string& locale, const std::string& code)>;

struct EmailState {
  std::string email;    // the verified address; empty: none
  std::string pending;  // an address a live code was sent to; empty: none
  std::string mode;     // each | daily | off
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
  // Deletes codes older than a day (the limits count the last hour; a code lives kCodeSeconds). Returns how many.
  StatusOr<int64_t> Prune();

 private:
  Status CheckWriter(const auth::Principal& by) const;
  std::string CodeHash(int64_t user_id, std::string_view address, std::string_view code) const;

  storage::Database& db_;
  const Clock& clock_;
  const delivery::Outbox& outbox_;
  std::string secret_;
  CodeText text_;
};

}  // namespace ningju::contacts

#endif  // NINGJU_PLATFORM_CONTACTS_CONTACTS_H_
