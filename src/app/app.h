// Wiring: one App holds the context every module needs (database, clock, config, templates, services) and registers
// every module's routes. No globals: the CLI and the tests build an App and pass it down.
#ifndef NINGJU_APP_APP_H_
#define NINGJU_APP_APP_H_

#include <memory>
#include <string>

#include "app/config.h"
#include "app/jobs.h"
#include "auth/accounts.h"
#include "common/clock.h"
#include "common/status.h"
#include "governance/areas/areas.h"
#include "governance/areas/join_requests.h"
#include "governance/areas/owner_links.h"
#include "governance/cases/cases.h"
#include "governance/cases/holidays.h"
#include "governance/decisions/ballots.h"
#include "governance/decisions/elevator.h"
#include "governance/decisions/meetings.h"
#include "http/router.h"
#include "http/server.h"
#include "platform/contacts/contacts.h"
#include "platform/delivery/outbox.h"
#include "platform/delivery/transport.h"
#include "platform/home.h"
#include "platform/notify/follows.h"
#include "platform/notify/kinds.h"
#include "platform/notify/mail.h"
#include "platform/notify/notifications.h"
#include "platform/search/search.h"
#include "storage/database.h"
#include "web/i18n.h"
#include "web/site.h"
#include "web/templates.h"

namespace ningju::app {

// The log's format for the server and every command: each line starts with its time in UTC, ISO 8601 with its "Z"
// ("2026-12-02T01:30:00.123Z info ..."), whatever the host's zone, so that lines from hosts in different zones (or a
// Shanghai-time host and its UTC log collector) sort and compare as they are. Call once, before the first log line.
void ConfigureLogging();

// Creates the folder of an embedded (sqlite:PATH) database, so that a first start needs no set-up.
void EnsureDatabaseFolder(const std::string& database_url);

// Opens the configured database and applies pending migrations.
StatusOr<std::unique_ptr<storage::Database>> OpenDatabase(const Config& config);

// The base holiday calendar: config.holiday_file, or the built-in one when unset. Years stored in the database
// (cases::HolidayService) are laid over it.
StatusOr<WorkingCalendar> LoadBaseCalendar(const Config& config);

// The secret that signs CSRF tokens: made once, kept in the settings table.
StatusOr<std::string> LoadOrCreateSecret(storage::Database& db, const std::string& name);

class App {
 public:
  // `clock` must outlive the App.
  static StatusOr<std::unique_ptr<App>> Create(const Config& config, const Clock& clock);
  ~App();

  // Binds the port (config.port 0: a free one) and serves until Stop() or SIGTERM/SIGINT (when `handle_signals`).
  Status Listen();
  uint16_t port() const;
  void Run(bool handle_signals);
  void Stop();

  const http::Router& router() const { return router_; }
  storage::Database& db() { return *db_; }
  auth::AccountService& accounts() { return *accounts_; }
  cases::CaseService& cases() { return *cases_; }
  JobRunner& jobs() { return *jobs_; }
  notify::NotificationService& notifications() { return *notifications_; }
  search::SearchService& search() { return *search_; }
  notify::FollowService& follows() { return *follows_; }
  notify::NotificationMail& notification_mail() { return *mail_; }
  delivery::Outbox& outbox() { return *outbox_; }
  contacts::ContactService& contacts() { return *contacts_; }
  const Config& config() const { return config_; }

 private:
  App(const Config& config, const Clock& clock)
      : config_(config), clock_(clock), router_(http::RouteOptions{static_cast<size_t>(config.max_body_kb) * 1024}) {}
  Status Init();
  // The transports configured, the outbox and its job "delivery.send", the contacts (email verification).
  Status InitDelivery(const std::string& secret);
  Status InitNotifications();  // the followable kinds, the services, the page hook, the fan-out and mail jobs
  void RegisterRoutes();

  Config config_;
  const Clock& clock_;
  std::unique_ptr<storage::Database> db_;
  std::unique_ptr<web::Templates> templates_;
  std::unique_ptr<web::I18n> i18n_;
  std::unique_ptr<auth::AccountService> accounts_;
  std::unique_ptr<web::Site> site_;
  std::unique_ptr<areas::AreaService> areas_;
  std::unique_ptr<areas::OwnerLinkService> owner_links_;
  std::unique_ptr<areas::JoinRequestService> join_requests_;
  std::unique_ptr<decisions::BallotService> ballots_;
  std::unique_ptr<CalendarHolder> calendars_;  // the base calendar with the stored years; shared by the services
  std::unique_ptr<cases::HolidayService> holidays_;
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<JobRunner> jobs_;  // started by Listen() when config.job_poll_seconds > 0
  std::unique_ptr<decisions::MeetingService> meetings_;
  std::unique_ptr<decisions::ElevatorService> elevator_;
  std::unique_ptr<platform::HomeBoard> home_;    // the home page's cards, one per module
  std::unique_ptr<notify::Kinds> notify_kinds_;  // read by the two services below
  std::unique_ptr<notify::FollowService> follows_;
  std::unique_ptr<notify::NotificationService> notifications_;
  std::unique_ptr<delivery::Transport> email_transport_;  // null: no smtp_url
  std::unique_ptr<delivery::Transport> sms_transport_;    // null: no sms_url
  std::unique_ptr<delivery::Outbox> outbox_;
  std::unique_ptr<contacts::ContactService> contacts_;
  std::unique_ptr<notify::NotificationMail> mail_;
  search::SearchRegistry search_kinds_;
  std::unique_ptr<search::SearchService> search_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

// The routes of accounts (sign-in, sign-up, account page, tokens), the admin's role page, the home page, the
// language switch, /healthz and the OpenAPI document.
// The home page is `home`'s cards; it warns staff while `calendars` lacks the year WorkingCalendar::MissingYear names.
// A phone sign-up on a server with an SMS gateway gets its code through `contacts` and lands on /account/phone.
void RegisterCoreRoutes(http::Router& router, const web::Site& site, areas::AreaService& areas, storage::Database& db,
                        const std::string& web_root, const CalendarHolder& calendars, const Clock& clock,
                        const platform::HomeBoard& home, contacts::ContactService& contacts);

// The home page's district card: the district's figures and the links to every index page.
platform::HomeCardFn DistrictHomeCard(areas::AreaService& areas);

}  // namespace ningju::app

#endif  // NINGJU_APP_APP_H_
