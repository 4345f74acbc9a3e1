#include "platform/delivery/outbox.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/message.h"
#include "common/text_util.h"

namespace ningju::delivery {
namespace {

constexpr char kColumns[] =
    "id, user_id, channel, recipient, subject, purpose, state, attempts, next_attempt_at, last_error, created_at, "
    "sent_at";

Delivery ReadDelivery(const storage::Row& r) {
  Delivery d;
  d.id = r.Int(0);
  d.user_id = r.OptInt(1);
  d.channel = r.Text(2);
  d.recipient = r.Text(3);
  d.subject = r.Text(4);
  d.purpose = r.Text(5);
  d.state = r.Text(6);
  d.attempts = static_cast<int>(r.Int(7));
  d.next_attempt_at = FromUnix(r.Int(8));
  d.last_error = r.Text(9);
  d.created_at = FromUnix(r.Int(10));
  d.sent_at = FromUnix(r.Int(11));
  return d;
}

// At most `max_bytes` of `text`, never ending inside a UTF-8 sequence.
std::string CutUtf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // a continuation byte
  return std::string(text.substr(0, end));
}

}  // namespace

std::chrono::seconds Backoff(int attempts) {
  if (attempts <= 0) return std::chrono::seconds(0);
  if (attempts > 4) return std::chrono::hours(4);
  int64_t minutes = 1;
  for (int i = 1; i < attempts; ++i) minutes *= 4;
  return std::chrono::minutes(minutes);
}

StatusOr<int64_t> Enqueue(storage::Connection& tx, const NewDelivery& d, Instant now) {
  if (d.channel != kEmail && d.channel != kSms) return InvalidArgumentError(Msg("no channel {}", d.channel), "channel");
  if (d.recipient.empty()) return InvalidArgumentError("a delivery needs a recipient", "recipient");
  ASSIGN_OR_RETURN(storage::Row row,
                   tx.QueryOne("INSERT INTO deliveries (user_id, channel, recipient, subject, body, purpose, "
                               "next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                               {storage::Nullable(d.user_id), d.channel, d.recipient, d.subject, d.body, d.purpose,
                                ToUnix(now), ToUnix(now)}));
  return row.Int(0);
}

Transport* Outbox::TransportFor(std::string_view channel) const {
  if (channel == kEmail) return transports_.email;
  if (channel == kSms) return transports_.sms;
  return nullptr;
}

StatusOr<std::optional<Delivery>> Outbox::Claim(int64_t id, std::string* body) {
  const int64_t now = ToUnix(clock_.Now());
  std::optional<Delivery> claimed;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    claimed.reset();
    // One conditional UPDATE: of two senders on one row, the second finds it claimed (or sent) and skips it.
    ASSIGN_OR_RETURN(storage::Result r,
                     tx.Execute("UPDATE deliveries SET locked_until = ? WHERE id = ? AND state = 'pending' AND "
                                "next_attempt_at <= ? AND locked_until <= ?",
                                {now + kClaimSeconds, id, now, now}));
    if (r.rows_affected != 1) return OkStatus();
    ASSIGN_OR_RETURN(storage::Row row, tx.QueryOne(std::string("SELECT ") + kColumns +
                                                       ", body FROM deliveries WHERE "
                                                       "id = ?",
                                                   {id}));
    claimed = ReadDelivery(row);
    *body = row.Text(12);
    return OkStatus();
  }));
  return claimed;
}

Status Outbox::Record(const Delivery& d, const Status& outcome) {
  const int64_t now = ToUnix(clock_.Now());
  if (outcome.ok()) {
    return db_.InTransaction([&](storage::Connection& tx) -> Status {
      return tx
          .Execute(
              "UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ?, locked_until = 0, "
              "last_error = '' WHERE id = ?",
              {now, d.id})
          .status();
    });
  }
  const int attempts = d.attempts + 1;
  // A message the server refused outright (a malformed address) will not go on a later try either.
  const bool dead = attempts >= kMaxAttempts || outcome.code() == StatusCode::kInvalidArgument;
  std::string error = outcome.ToString();
  error = CutUtf8(error, kMaxErrorBytes);
  return db_.InTransaction([&](storage::Connection& tx) -> Status {
    return tx
        .Execute(
            "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, locked_until = 0, "
            "last_error = ? WHERE id = ?",
            {std::string(dead ? "dead" : "pending"), int64_t{attempts}, now + Backoff(attempts).count(), error, d.id})
        .status();
  });
}

StatusOr<Outbox::SendResult> Outbox::SendDue() {
  std::vector<std::string> channels;
  if (transports_.email) channels.push_back(kEmail);
  if (transports_.sms) channels.push_back(kSms);
  SendResult result;
  if (channels.empty()) return result;
  const int64_t now = ToUnix(clock_.Now());
  std::vector<int64_t> due;
  {
    std::string sql =
        "SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? AND locked_until <= ? AND "
        "channel IN (?";
    if (channels.size() == 2) sql += ", ?";
    sql += ") ORDER BY next_attempt_at, id LIMIT ?";
    storage::Params params = {now, now};
    for (const std::string& c : channels) params.push_back(c);
    params.push_back(int64_t{kSendBatch});
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    ASSIGN_OR_RETURN(storage::Result r, conn->Execute(sql, params));
    for (const auto& row : r.rows) due.push_back(row.Int(0));
  }
  for (int64_t id : due) {
    std::string body;
    ASSIGN_OR_RETURN(std::optional<Delivery> d, Claim(id, &body));
    if (!d) continue;
    Status outcome = TransportFor(d->channel)->Send({d->recipient, d->subject, body});
    if (!outcome.ok()) {
      spdlog::warn("delivery {} ({} to {}, attempt {}): {}", d->id, d->channel, MaskRecipient(d->channel, d->recipient),
                   d->attempts + 1, outcome.ToString());
    }
    RETURN_IF_ERROR(Record(*d, outcome));
    if (outcome.ok()) {
      ++result.sent;
    } else {
      ++result.failed;
      if (d->attempts + 1 >= kMaxAttempts || outcome.code() == StatusCode::kInvalidArgument) ++result.dead;
    }
  }
  return result;
}

StatusOr<std::vector<Delivery>> Outbox::List(std::string_view state, int limit) {
  if (!state.empty() && state != "pending" && state != "sent" && state != "dead") {
    return InvalidArgumentError(Msg("a delivery's state is pending, sent or dead, not {}", state), "state");
  }
  if (limit < 1 || limit > 1000) return InvalidArgumentError("limit must be between 1 and 1000", "limit");
  std::string sql = std::string("SELECT ") + kColumns + " FROM deliveries";
  storage::Params params;
  if (!state.empty()) {
    sql += " WHERE state = ?";
    params.push_back(std::string(state));
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.push_back(int64_t{limit});
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r, conn->Execute(sql, params));
  std::vector<Delivery> out;
  for (const auto& row : r.rows) out.push_back(ReadDelivery(row));
  return out;
}

Status Outbox::Retry(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, "
                                 "locked_until = 0 WHERE id = ? AND state = 'dead'",
                                 {ToUnix(clock_.Now()), id}));
  if (r.rows_affected != 1) return NotFoundError(Msg("no dead delivery {}", id));
  return OkStatus();
}

StatusOr<int64_t> Outbox::RetryAllDead() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, "
                                 "locked_until = 0 WHERE state = 'dead'",
                                 {ToUnix(clock_.Now())}));
  return r.rows_affected;
}

StatusOr<int64_t> Outbox::PruneSent() {
  const int64_t cutoff = ToUnix(clock_.Now()) - int64_t{kKeepSentDays} * 24 * 3600;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(storage::Result r,
                   conn->Execute("DELETE FROM deliveries WHERE state = 'sent' AND sent_at < ?", {cutoff}));
  return r.rows_affected;
}

std::string MaskRecipient(std::string_view channel, std::string_view recipient) {
  if (channel == kSms) return MaskPhone(recipient);
  const size_t at = recipient.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(recipient.substr(0, 1)) + "***" + std::string(recipient.substr(at));
}

}  // namespace ningju::delivery
