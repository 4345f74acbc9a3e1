// The outbox: every email and text message ningju sends is first a row of `deliveries`, written in the transaction
// that decided to send it (a verification code with its code, a notification's email with its state), and then sent
// by the job "delivery.send" (src/app/app.cc) through the channel's Transport. A failed attempt waits and is tried
// again (Backoff); after kMaxAttempts the row is 'dead': kept with its last error, listed by `ningju deliveries`
// and sent again on request. So nothing is lost while the mail server or the gateway is down. A sender claims a row
// (locked_until) before it sends and marks it sent after, so two senders never send one row at once; a sender that
// dies between sending and marking leaves the claim to expire and the message is sent again (at least once).
#ifndef NINGJU_PLATFORM_DELIVERY_OUTBOX_H_
#define NINGJU_PLATFORM_DELIVERY_OUTBOX_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "platform/delivery/transport.h"
#include "storage/database.h"

namespace ningju::delivery {

inline constexpr char kEmail[] = "email";
inline constexpr char kSms[] = "sms";
inline constexpr int kMaxAttempts = 8;
inline constexpr int kSendBatch = 50;          // deliveries per SendDue call
inline constexpr int kClaimSeconds = 300;      // a claim outlives any one send's timeouts
inline constexpr size_t kMaxErrorBytes = 500;  // last_error is cut to this
inline constexpr int kKeepSentDays = 30;       // a sent message (its address and text) is deleted after this

// The wait after the n-th failed attempt (n >= 1): 1, 4, 16, 64 minutes, then 4 hours each (the 8 attempts span
// about 21 hours, a mail server's weekend outage aside).
std::chrono::seconds Backoff(int attempts);

struct NewDelivery {
  std::optional<int64_t> user_id;
  std::string channel;  // kEmail or kSms
  std::string recipient;
  std::string subject;
  std::string body;
  std::string purpose;  // "notification", "digest", "code"
};

// Inside the caller's transaction: the message waits in the outbox, due at once.
StatusOr<int64_t> Enqueue(storage::Connection& tx, const NewDelivery& delivery, Instant now);

struct Delivery {
  int64_t id = 0;
  std::optional<int64_t> user_id;
  std::string channel;
  std::string recipient;
  std::string subject;
  std::string purpose;
  std::string state;  // pending | sent | dead
  int attempts = 0;
  Instant next_attempt_at;
  std::string last_error;
  Instant created_at;
  Instant sent_at;  // the epoch while unsent
};

struct Transports {
  Transport* email = nullptr;  // null: email is not configured; its deliveries wait
  Transport* sms = nullptr;    // null: no gateway
};

class Outbox {
 public:
  // The transports must outlive the outbox.
  Outbox(storage::Database& db, const Clock& clock, Transports transports)
      : db_(db), clock_(clock), transports_(transports) {}

  bool Configured(std::string_view channel) const { return TransportFor(channel) != nullptr; }

  // What Wake() calls: the app's job runner looks for due jobs at once (set before serving).
  void SetWake(std::function<void()> wake) { wake_ = std::move(wake); }
  // After a commit that queued a message someone waits for (a code): sends it soon rather than at the next poll.
  void Wake() const {
    if (wake_) wake_();
  }

  struct SendResult {
    int sent = 0;
    int failed = 0;  // of which `dead` reached kMaxAttempts
    int dead = 0;
  };
  // Sends up to kSendBatch due deliveries of the configured channels, oldest first. No connection is held while a
  // transport sends.
  StatusOr<SendResult> SendDue();

  // The operator's view (`ningju deliveries`, a trusted local command: no principal). `state` empty: every state;
  // newest first.
  StatusOr<std::vector<Delivery>> List(std::string_view state, int limit);
  // A dead delivery becomes pending again with its attempts reset; kNotFound when `id` is not a dead delivery.
  Status Retry(int64_t id);
  // Every dead delivery again; returns how many.
  StatusOr<int64_t> RetryAllDead();
  // Deletes what was sent more than kKeepSentDays ago (addresses and texts are personal data; the dead stay until
  // retried or handled). Returns how many.
  StatusOr<int64_t> PruneSent();

 private:
  Transport* TransportFor(std::string_view channel) const;
  // Claims one due row; nullopt when another sender took it meanwhile.
  StatusOr<std::optional<Delivery>> Claim(int64_t id, std::string* body);
  Status Record(const Delivery& d, const Status& outcome);

  storage::Database& db_;
  const Clock& clock_;
  Transports transports_;
  std::function<void()> wake_;
};

// The recipient as the operator's list shows it: "l***@example.org", "139****1111".
std::string MaskRecipient(std::string_view channel, std::string_view recipient);

}  // namespace ningju::delivery

#endif  // NINGJU_PLATFORM_DELIVERY_OUTBOX_H_
