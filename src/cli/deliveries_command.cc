// ningju deliveries list | retry: the outbox of emails and text messages (src/platform/delivery): what waits, what
// was sent, what is dead after its last attempt, and sending a dead one again (docs/OPERATIONS.md "Email").
#include <iostream>

#include "app/app.h"
#include "cli/command.h"
#include "platform/delivery/outbox.h"

namespace ningju::cli {
namespace {

int Fail(const Status& s) {
  std::cerr << "ningju: " << s.ToString() << "\n";
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable ? 1 : 2;
}

// Tabs and line breaks of an error text would break the tab-separated line.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

void RegisterDeliveries(CLI::App& app) {
  struct Options {
    app::Config config;
    std::string state;
    int limit = 100;
    int64_t id = 0;
    bool all_dead = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* deliveries = app.add_subcommand("deliveries", "the outbox of emails and text messages: list, retry");
  deliveries->require_subcommand(1);
  // The outbox over the configured database; this command sends nothing itself (the server's job does).
  auto open = [o](auto&& use) {
    SystemClock clock;
    auto db = app::OpenDatabase(o->config);
    if (!db.ok()) {
      ExitStatus() = Fail(db.status());
      return;
    }
    delivery::Outbox outbox(**db, clock, delivery::Transports{});
    use(outbox);
  };

  CLI::App* list = deliveries->add_subcommand(
      "list",
      "newest first, tab-separated: id, state, channel, recipient (masked), purpose, attempts, created "
      "(Asia/Shanghai), next attempt, last error");
  app::AddConfigOptions(*list, o->config, false);
  list->add_option("--state", o->state, "pending, sent or dead (default: all)")
      ->check(CLI::IsMember({"pending", "sent", "dead"}));
  list->add_option("--limit", o->limit, "at most this many (1..1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  list->callback([o, open] {
    open([&](delivery::Outbox& outbox) {
      auto rows = outbox.List(o->state, o->limit);
      if (!rows.ok()) {
        ExitStatus() = Fail(rows.status());
        return;
      }
      for (const delivery::Delivery& d : *rows) {
        std::cout << d.id << "\t" << d.state << "\t" << d.channel << "\t"
                  << delivery::MaskRecipient(d.channel, d.recipient) << "\t" << d.purpose << "\t" << d.attempts << "\t"
                  << FormatShanghai(d.created_at) << "\t"
                  << (d.state == "pending" ? FormatShanghai(d.next_attempt_at) : "-") << "\t" << OneLine(d.last_error)
                  << "\n";
      }
    });
  });

  CLI::App* retry = deliveries->add_subcommand("retry", "send a dead delivery again (its attempts start over)");
  app::AddConfigOptions(*retry, o->config, false);
  retry->add_option("id", o->id, "the delivery's id (see deliveries list --state dead)");
  retry->add_flag("--all-dead", o->all_dead, "every dead delivery");
  retry->callback([o, open] {
    if ((o->id == 0) == !o->all_dead) {
      std::cerr << "ningju: give a delivery's id or --all-dead\n";
      ExitStatus() = 2;
      return;
    }
    open([&](delivery::Outbox& outbox) {
      if (o->all_dead) {
        auto n = outbox.RetryAllDead();
        if (!n.ok()) {
          ExitStatus() = Fail(n.status());
          return;
        }
        std::cout << *n << " deliveries pending again\n";
        return;
      }
      if (Status s = outbox.Retry(o->id); !s.ok()) {
        ExitStatus() = Fail(s);
        return;
      }
      std::cout << "delivery " << o->id << " pending again\n";
    });
  });
}

}  // namespace

NINGJU_REGISTER_COMMAND(RegisterDeliveries);

}  // namespace ningju::cli
