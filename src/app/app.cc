#include "app/app.h"

#include <spdlog/spdlog.h>

#include "app/mail_text.h"
#include "app/notify_kinds.h"
#include "governance/areas/join_routes.h"
#include "governance/areas/owner_routes.h"
#include "governance/areas/routes.h"
#include "governance/cases/holiday_routes.h"
#include "governance/cases/open311.h"
#include "governance/cases/routes.h"
#include "governance/cases/web_routes.h"
#include "governance/decisions/ballot_routes.h"
#include "governance/decisions/elevator_routes.h"
#include "governance/decisions/meeting_routes.h"
#include "http/static_files.h"
#include "platform/contacts/routes.h"
#include "platform/notify/routes.h"
#include "platform/search/routes.h"
#include "storage/migrations.h"
#include "web/number_format.h"

namespace ningju::app {

void ConfigureLogging() { spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc); }

void EnsureDatabaseFolder(const std::string& database_url) {
  if (database_url.rfind("sqlite:", 0) != 0 || database_url == "sqlite::memory:") return;
  std::filesystem::path path = database_url.substr(7);
  if (path.has_parent_path()) {
    std::error_code ec;  // a failure shows when the database is opened, with the engine's message
    std::filesystem::create_directories(path.parent_path(), ec);
  }
}

StatusOr<std::unique_ptr<storage::Database>> OpenDatabase(const Config& config) {
  EnsureDatabaseFolder(config.database);
  storage::DatabaseOptions options;
  options.pool_size = config.db_pool_size;
  options.nested_acquire =
      config.db_nested_acquire == "fail" ? storage::NestedAcquire::kFail : storage::NestedAcquire::kLog;
  ASSIGN_OR_RETURN(auto db, storage::Database::Open(config.database, options));
  ASSIGN_OR_RETURN(auto report, storage::Migrate(*db, storage::EmbeddedMigrations()));
  for (int v : report.applied) spdlog::info("applied migration {:04d}", v);
  return db;
}

StatusOr<std::string> LoadOrCreateSecret(storage::Database& db, const std::string& name) {
  std::string secret;
  RETURN_IF_ERROR(db.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(auto row, tx.QueryOptional("SELECT value FROM settings WHERE name = ?", {name}));
    if (row) {
      secret = row->Text(0);
      return OkStatus();
    }
    secret = auth::RandomToken(32);
    return tx.Execute("INSERT INTO settings (name, value) VALUES (?, ?)", {name, secret}).status();
  }));
  return secret;
}

StatusOr<std::unique_ptr<App>> App::Create(const Config& config, const Clock& clock) {
  std::unique_ptr<App> app(new App(config, clock));
  RETURN_IF_ERROR(app->Init());
  return app;
}

// The job runner's thread calls the services (the fan-out, the mail, the outbox): it stops before any of them is
// destroyed (members go in reverse order, and several were declared after jobs_).
App::~App() {
  if (jobs_) jobs_->Stop();
}

StatusOr<WorkingCalendar> LoadBaseCalendar(const Config& config) {
  if (config.holiday_file.empty()) return WorkingCalendar::BuiltIn();
  return WorkingCalendar::Load(config.holiday_file);
}

Status App::Init() {
  RETURN_IF_ERROR(auth::InitCrypto());
  ASSIGN_OR_RETURN(db_, OpenDatabase(config_));
  const std::string root = WebRoot(config_);
  ASSIGN_OR_RETURN(templates_, web::Templates::Load(root + "/templates"));
  ASSIGN_OR_RETURN(i18n_, web::I18n::Load(root + "/templates/i18n"));
  // One server secret keys the CSRF tokens, the known-device cookies and the hashes of addresses and phones.
  ASSIGN_OR_RETURN(std::string secret, LoadOrCreateSecret(*db_, "csrf_secret"));
  auth::AccountOptions account_options = AccountOptionsFrom(config_);
  account_options.secret = secret;
  accounts_ = std::make_unique<auth::AccountService>(*db_, clock_, account_options);
  web::SiteOptions site_options;
  site_options.base_url = BaseUrl(config_);
  site_options.secure_cookies = config_.secure_cookies || site_options.base_url.rfind("https://", 0) == 0;
  site_options.csrf_secret = secret;
  site_ = std::make_unique<web::Site>(site_options, *templates_, *i18n_, *accounts_);
  areas_ = std::make_unique<areas::AreaService>(*db_, clock_);
  owner_links_ = std::make_unique<areas::OwnerLinkService>(*db_, clock_, site_options.base_url);
  join_requests_ = std::make_unique<areas::JoinRequestService>(*db_, clock_);
  ballots_ = std::make_unique<decisions::BallotService>(*db_, clock_);
  ASSIGN_OR_RETURN(WorkingCalendar base, LoadBaseCalendar(config_));
  calendars_ = std::make_unique<CalendarHolder>(base);
  holidays_ = std::make_unique<cases::HolidayService>(*db_, clock_, std::move(base), *calendars_);
  RETURN_IF_ERROR(holidays_->Refresh());
  if (std::optional<int> year = calendars_->Get()->MissingYear(ShanghaiDate(clock_.Now()))) {
    spdlog::warn(
        "the holiday calendar does not cover {}: its working days count weekends only; enter the State Council's "
        "notice for {} at /admin/holidays or with `ningju holidays import FILE` (format of data/holidays/cn.txt)",
        *year, *year);
  }
  cases::CaseOptions case_options;
  case_options.intake_limits = IntakeLimitOptionsFrom(config_);
  case_options.intake_limits.secret = secret;
  cases_ = std::make_unique<cases::CaseService>(*db_, clock_, *calendars_, case_options);
  cases_->EnableGroupCommit();  // concurrent intakes share one commit (docs/PERFORMANCE.md "Cases")
  jobs_ = std::make_unique<JobRunner>(*db_, clock_);
  RETURN_IF_ERROR(jobs_->Register("cases.overdue", 300, [this] { return cases_->RunOverdue().status(); }));
  RETURN_IF_ERROR(
      jobs_->Register("cases.intake_limits", 3600, [this] { return cases_->intake_limiter().Prune().status(); }));
  RETURN_IF_ERROR(jobs_->Register("auth.prune", 3600, [this] { return accounts_->Prune().status(); }));
  meetings_ = std::make_unique<decisions::MeetingService>(*db_, clock_);
  elevator_ = std::make_unique<decisions::ElevatorService>(*db_, clock_);
  // The home page: one card per module, in this order (a later module adds its own here).
  home_ = std::make_unique<platform::HomeBoard>(*site_);
  home_->Add(10, cases::CaseHomeCard(*site_, *cases_));
  home_->Add(20, decisions::BallotHomeCard(*site_, *ballots_));
  home_->Add(30, decisions::MeetingHomeCard(*site_, *meetings_));
  home_->Add(90, DistrictHomeCard(*areas_));
  RETURN_IF_ERROR(InitDelivery(secret));
  RETURN_IF_ERROR(InitNotifications());
  // The header's inbox link, for those who have an inbox, and the notifications' unread count (the layout shows the
  // badge only when there are some: a number is never false to the templates, so none is no key). A failure leaves
  // the link out or the badge off and goes to the log; the page still renders.
  site_->SetHeaderData([this](const web::RequestContext& ctx) -> nlohmann::json {
    auto inbox = cases::HasInbox(*cases_, ctx.principal);
    nlohmann::json header = {{"has_inbox", inbox.ok() && *inbox}};
    if (ctx.principal.signed_in()) {
      if (auto unread = notifications_->UnreadCount(ctx.principal); !unread.ok()) {
        spdlog::warn("[{}] the header's unread count: {}", ctx.request_id, unread.status().ToString());
      } else if (*unread > 0) {
        header["notifications_unread"] = web::FormatNumber(*unread);
      }
    }
    return header;
  });
  RETURN_IF_ERROR(search::RegisterBuiltinKinds(search_kinds_));
  ASSIGN_OR_RETURN(search_, search::SearchService::Open(*db_, search_kinds_));
  // A small backlog (a new demo district, an import of one neighborhood) is indexed before the first request, so the
  // first searches find everything; a large one (the upgrade of a full district) is left to the job.
  for (int batch = 0; batch < 4; ++batch) {
    ASSIGN_OR_RETURN(int64_t applied, search_->Refresh());
    if (applied < search::kMaxRefreshBatch) break;
    if (batch == 3) spdlog::info("search: more changes queued; the job search.refresh indexes them in the background");
  }
  // A search applies a bounded batch of changes itself; this drains a larger backlog (the first start after the
  // migration indexes every existing object, an import many more).
  RETURN_IF_ERROR(jobs_->Register("search.refresh", 60, [this]() -> Status {
    for (int batch = 0; batch < 20; ++batch) {  // at most 100,000 changes a run: the other jobs wait meanwhile
      ASSIGN_OR_RETURN(int64_t applied, search_->Refresh());
      if (applied == 0) break;
    }
    return OkStatus();
  }));
  RegisterRoutes();
  return OkStatus();
}

Status App::InitDelivery(const std::string& secret) {
  if (!config_.smtp_url.empty()) {
    ASSIGN_OR_RETURN(email_transport_, delivery::NewSmtpTransport(SmtpOptionsFrom(config_)));
  }
  if (!config_.sms_url.empty()) {
    ASSIGN_OR_RETURN(sms_transport_, delivery::NewSmsTransport(SmsOptionsFrom(config_)));
  }
  outbox_ = std::make_unique<delivery::Outbox>(*db_, clock_,
                                               delivery::Transports{email_transport_.get(), sms_transport_.get()});
  outbox_->SetWake([this] { jobs_->Nudge(); });
  contacts_ = std::make_unique<contacts::ContactService>(*db_, clock_, *outbox_, secret, ContactCodeText(*i18n_));
  // A backlog drains one batch per run; a code the person waits for goes out at the next poll.
  RETURN_IF_ERROR(jobs_->Register("delivery.send", 5, [this] { return outbox_->SendDue().status(); }));
  return jobs_->Register("delivery.prune", 3600, [this]() -> Status {
    RETURN_IF_ERROR(outbox_->PruneSent().status());
    return contacts_->Prune().status();
  });
}

Status App::InitNotifications() {
  notify_kinds_ = std::make_unique<notify::Kinds>();
  RegisterNotifyKinds(*notify_kinds_, {*db_, *cases_, *meetings_, *ballots_, *elevator_, *areas_});
  follows_ = std::make_unique<notify::FollowService>(*db_, clock_, *notify_kinds_);
  notifications_ = std::make_unique<notify::NotificationService>(
      *db_, clock_, *notify_kinds_, [this](int64_t user_id) { return accounts_->PrincipalOf(user_id); });
  site_->AddPageHook(notify::FollowPageHook(*follows_));  // the follow button of an object's page
  // Each run fans out one batch; a backlog drains one batch per poll.
  RETURN_IF_ERROR(jobs_->Register("notify.fanout", notify::kFanOutIntervalSeconds,
                                  [this] { return notifications_->FanOut().status(); }));
  mail_ =
      std::make_unique<notify::NotificationMail>(*db_, clock_, NotificationMailText(*i18n_, site_->options().base_url));
  RETURN_IF_ERROR(jobs_->Register("notify.mail", notify::kFanOutIntervalSeconds, [this]() -> Status {
    for (int batch = 0; batch < 10; ++batch) {
      ASSIGN_OR_RETURN(int decided, mail_->MailNew());
      if (decided < notify::kMailBatch) break;
    }
    return OkStatus();
  }));
  return jobs_->Register("notify.digest", 600, [this] { return mail_->SendDigests().status(); });
}

void App::RegisterRoutes() {
  const std::string root = WebRoot(config_);
  router_.Add("GET", "/static/{path...}", http::StaticFiles(root + "/static", "/static/", 3600));
  RegisterCoreRoutes(router_, *site_, *areas_, *db_, root, *calendars_, clock_, *home_, *contacts_);
  areas::RegisterAreaRoutes(router_, *site_, *areas_, *db_, static_cast<size_t>(config_.max_upload_kb) * 1024);
  areas::RegisterOwnerLinkRoutes(router_, *site_, *owner_links_);
  areas::RegisterJoinRequestRoutes(router_, *site_, *join_requests_, *owner_links_);
  decisions::RegisterBallotRoutes(router_, *site_, *ballots_, *areas_,
                                  static_cast<size_t>(config_.max_upload_kb) * 1024);
  cases::RegisterCaseApiRoutes(router_, *site_, *cases_);
  cases::RegisterCaseWebRoutes(router_, *site_, *cases_, *areas_, static_cast<size_t>(config_.max_upload_kb) * 1024);
  cases::RegisterInboxRoute(router_, *site_, *cases_);
  cases::RegisterOpen311Routes(router_, *site_, *cases_);
  cases::RegisterHolidayRoutes(router_, *site_, *holidays_);
  decisions::RegisterMeetingRoutes(router_, *site_, *meetings_, *areas_);
  decisions::RegisterElevatorRoutes(router_, *site_, *elevator_, *areas_,
                                    static_cast<size_t>(config_.max_upload_kb) * 1024);
  notify::RegisterNotificationRoutes(router_, *site_, *notifications_, *follows_, *contacts_);
  contacts::RegisterContactRoutes(router_, *site_, *contacts_);
  search::RegisterSearchRoutes(router_, *site_, *search_, search_kinds_);
}

Status App::Listen() {
  server_ = std::make_unique<http::Server>(ServerOptionsFrom(config_), router_);
  if (config_.access_log) {
    server_->SetAccessLogger([](const http::AccessRecord& r) {
      // r.target has its credentials and phone numbers redacted (http/log_redaction.h); r.error is the real text
      // of an internal error, which the client read as the general sentence with the same request id.
      if (r.error.empty()) {
        spdlog::info("[{}] {} \"{} {}\" {} {} {:.1f}ms \"{}\"", r.request_id, r.remote, r.method, r.target, r.status,
                     r.bytes, r.millis, r.user_agent);
      } else {
        spdlog::warn("[{}] {} \"{} {}\" {} {} {:.1f}ms \"{}\": {}", r.request_id, r.remote, r.method, r.target,
                     r.status, r.bytes, r.millis, r.user_agent, r.error);
      }
    });
  }
  server_->SetResponseHook([](const http::Request& req, http::Response& resp) {
    web::Site::EnvelopeServerError(req, resp);
    // Defence in depth for every answer, including the server's own 404/413.
    resp.SetHeader("X-Content-Type-Options", "nosniff");
    resp.SetHeader("X-Frame-Options", "DENY");
    resp.SetHeader("Referrer-Policy", "same-origin");
    resp.SetHeader("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                   "frame-ancestors 'none'; form-action 'self'");
  });
  RETURN_IF_ERROR(server_->Listen());
  if (IsLoopbackBaseUrl(site_->options().base_url)) {
    spdlog::warn(
        "the public base URL is {}, which only this machine reaches: the door sheets' QR codes, the owners' letters "
        "and the meeting notices link there; set --base-url (NINGJU_BASE_URL) to the address residents open",
        site_->options().base_url);
  }
  if (config_.job_poll_seconds > 0) {
    jobs_->Start(std::chrono::seconds(config_.job_poll_seconds));
    // Every server re-reads the calendar when another stored a year (one small SELECT per poll).
    holidays_->StartPolling(std::chrono::seconds(cases::kHolidayPollSeconds));
  }
  return OkStatus();
}

uint16_t App::port() const { return server_ ? server_->port() : 0; }

void App::Run(bool handle_signals) { server_->Run(handle_signals); }

void App::Stop() {
  if (server_) server_->Stop();
  if (jobs_) jobs_->Stop();
}

}  // namespace ningju::app
