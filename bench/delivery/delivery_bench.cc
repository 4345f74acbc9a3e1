// The outbox against a real SMTP server on loopback (Debian's aiosmtpd): how many emails a second one sender gets
// through Outbox::SendDue (claim, send, mark sent: two transactions per message on SQLite), against the baseline of
// the same transport sending the same messages in a plain loop, in the same process and run. The ratio is the cost
// of the outbox's durability. Not a test; docs/PERFORMANCE.md "Email" has the numbers.
//
//   delivery_bench [MESSAGES]   (default 1000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/clock.h"
#include "platform/delivery/outbox.h"
#include "platform/delivery/transport.h"
#include "storage/database.h"
#include "storage/migrations.h"
#include "testing/test_smtp_server.h"

using namespace ningju;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

[[noreturn]] void Die(const Status& s) {
  std::fprintf(stderr, "delivery_bench: %s\n", s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  const int messages = argc > 1 ? std::atoi(argv[1]) : 1000;
  auto smtp = testing::TestSmtpServer::Start();
  if (!smtp.ok()) Die(smtp.status());
  delivery::SmtpOptions options;
  options.url = (*smtp)->url();
  options.starttls = "off";
  options.from = "bench@example.org";
  auto transport = delivery::NewSmtpTransport(options);
  if (!transport.ok()) Die(transport.status());
  const std::string body(600, 'x');  // about a notification's email

  // Baseline: the transport alone.
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < messages; ++i) {
    if (Status s = (*transport)->Send({"resident" + std::to_string(i) + "@example.org", "通知", body}); !s.ok()) Die(s);
  }
  const double plain = Seconds(start);

  // The outbox: enqueued in one transaction, then drained by SendDue.
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "ningju-delivery-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto db = storage::Database::Open("sqlite:" + (dir / "bench.db").string(), {});
  if (!db.ok()) Die(db.status());
  if (auto m = storage::Migrate(**db, storage::EmbeddedMigrations()); !m.ok()) Die(m.status());
  SystemClock clock;
  Status enqueued = (*db)->InTransaction([&](storage::Connection& tx) -> Status {
    for (int i = 0; i < messages; ++i) {
      RETURN_IF_ERROR(delivery::Enqueue(tx,
                                        {std::nullopt, delivery::kEmail,
                                         "resident" + std::to_string(i) + "@example.org", "通知", body, "notification"},
                                        clock.Now())
                          .status());
    }
    return OkStatus();
  });
  if (!enqueued.ok()) Die(enqueued);
  delivery::Outbox outbox(**db, clock, {transport->get(), nullptr});
  start = std::chrono::steady_clock::now();
  int sent = 0;
  while (sent < messages) {
    auto r = outbox.SendDue();
    if (!r.ok()) Die(r.status());
    if (r->sent == 0 && r->failed == 0) break;
    sent += r->sent;
  }
  const double through_outbox = Seconds(start);
  std::printf(
      "messages %d\ntransport alone: %.2f s, %.0f emails/s\noutbox: %.2f s, %.0f emails/s (%d sent)\n"
      "ratio outbox/transport time: %.2f\n",
      messages, plain, messages / plain, through_outbox, sent / through_outbox, sent, through_outbox / plain);
  std::filesystem::remove_all(dir);
  return sent == messages ? 0 : 1;
}
