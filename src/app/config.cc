#include "app/config.h"

#include <cctype>

namespace ningju::app {

void AddConfigOptions(CLI::App& cmd, Config& c, bool server) {
  // Read by main() before parsing (see cli/config_file.h); declared here for --help and so that it parses.
  cmd.add_option("--config", "configuration file: `name = value` lines (flags and NINGJU_* variables win)")
      ->envname("NINGJU_CONFIG");
  cmd.add_option("--database", c.database, "sqlite:PATH or postgresql://user@host:port/db")
      ->envname("NINGJU_DATABASE")
      ->capture_default_str();
  cmd.add_option("--db-pool-size", c.db_pool_size, "database connections kept open")
      ->envname("NINGJU_DB_POOL_SIZE")
      ->capture_default_str();
  cmd.add_option("--db-nested-acquire", c.db_nested_acquire,
                 "a thread asking for a second pooled connection while holding one (a bug): log it, or fail the call")
      ->envname("NINGJU_DB_NESTED_ACQUIRE")
      ->check(CLI::IsMember({"log", "fail"}))
      ->capture_default_str();
  cmd.add_option("--password-cost", c.password_cost, "argon2id work factor: interactive, moderate or test")
      ->envname("NINGJU_PASSWORD_COST")
      ->check(CLI::IsMember({"interactive", "moderate", "test"}))
      ->capture_default_str();
  cmd.add_option("--base-url", c.base_url, "public URL used in links and QR codes (default http://LISTEN:PORT)")
      ->envname("NINGJU_BASE_URL");
  cmd.add_option("--token-default-days", c.token_default_days, "days an API token lasts when none are asked for")
      ->envname("NINGJU_TOKEN_DEFAULT_DAYS")
      ->check(CLI::Range(1, 366))
      ->capture_default_str();
  if (!server) return;
  cmd.add_option("--listen", c.listen, "address to bind")->envname("NINGJU_LISTEN")->capture_default_str();
  cmd.add_option("--port", c.port, "TCP port (0: any free port)")->envname("NINGJU_PORT")->capture_default_str();
  cmd.add_option("--web-root", c.web_root, "folder with templates/ and static/ (default: the source tree)")
      ->envname("NINGJU_WEB_ROOT");
  cmd.add_option("--io-threads", c.io_threads, "network threads (0: one per core)")
      ->envname("NINGJU_IO_THREADS")
      ->capture_default_str();
  cmd.add_option("--worker-threads", c.worker_threads, "request handler threads (0: one per core, at least 2)")
      ->envname("NINGJU_WORKER_THREADS")
      ->capture_default_str();
  cmd.add_option(
         "--blocking-threads", c.blocking_threads,
         "threads for handlers that mostly wait, e.g. case intake waiting for its group commit (0: the workers)")
      ->envname("NINGJU_BLOCKING_THREADS")
      ->capture_default_str();
  cmd.add_option("--import-threads", c.import_threads,
                 "threads for roster imports, so that imports cannot take the workers from pages (0: the workers)")
      ->envname("NINGJU_IMPORT_THREADS")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--max-connections", c.max_connections, "open connections at once")
      ->envname("NINGJU_MAX_CONNECTIONS")
      ->capture_default_str();
  cmd.add_option("--request-timeout", c.request_timeout, "seconds to receive one request")
      ->envname("NINGJU_REQUEST_TIMEOUT")
      ->capture_default_str();
  cmd.add_option("--idle-timeout", c.idle_timeout, "seconds a keep-alive connection may idle")
      ->envname("NINGJU_IDLE_TIMEOUT")
      ->capture_default_str();
  cmd.add_option("--max-body-kb", c.max_body_kb, "largest form or JSON body, KiB")
      ->envname("NINGJU_MAX_BODY_KB")
      ->capture_default_str();
  cmd.add_option("--max-upload-kb", c.max_upload_kb, "largest upload, KiB")
      ->envname("NINGJU_MAX_UPLOAD_KB")
      ->capture_default_str();
  cmd.add_flag("--trust-proxy,!--no-trust-proxy", c.trust_proxy, "trust X-Forwarded-For/-Proto and X-Request-Id")
      ->envname("NINGJU_TRUST_PROXY");
  cmd.add_flag("--secure-cookies,!--no-secure-cookies", c.secure_cookies, "mark cookies Secure")
      ->envname("NINGJU_SECURE_COOKIES");
  cmd.add_option("--session-idle-hours", c.session_idle_hours, "hours an unused session lasts")
      ->envname("NINGJU_SESSION_IDLE_HOURS")
      ->capture_default_str();
  cmd.add_option("--session-max-days", c.session_max_days, "days any session lasts")
      ->envname("NINGJU_SESSION_MAX_DAYS")
      ->capture_default_str();
  cmd.add_option("--sign-ups-per-address-hour", c.sign_ups_per_address_hour,
                 "accounts created from one client address per hour (0: no limit)")
      ->envname("NINGJU_SIGN_UPS_PER_ADDRESS_HOUR")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_flag("--access-log,!--no-access-log", c.access_log, "log one line per request")->envname("NINGJU_ACCESS_LOG");
  cmd.add_option("--job-poll-seconds", c.job_poll_seconds, "seconds between looks for due background jobs (0: none)")
      ->envname("NINGJU_JOB_POLL_SECONDS")
      ->capture_default_str();
  cmd.add_option("--holiday-file", c.holiday_file, "holiday calendar file (default: the built-in one)")
      ->envname("NINGJU_HOLIDAY_FILE");
  cmd.add_option("--intake-per-address-hour", c.intake_per_address_hour,
                 "anonymous cases accepted per client address per hour (0: no limit)")
      ->envname("NINGJU_INTAKE_PER_ADDRESS_HOUR")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--intake-per-address-day", c.intake_per_address_day,
                 "anonymous cases accepted per client address per 24 hours (0: no limit)")
      ->envname("NINGJU_INTAKE_PER_ADDRESS_DAY")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--intake-per-phone-hour", c.intake_per_phone_hour,
                 "anonymous cases accepted per contact phone per hour (0: no limit)")
      ->envname("NINGJU_INTAKE_PER_PHONE_HOUR")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--intake-per-phone-day", c.intake_per_phone_day,
                 "anonymous cases accepted per contact phone per 24 hours (0: no limit)")
      ->envname("NINGJU_INTAKE_PER_PHONE_DAY")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd.add_option("--smtp-url", c.smtp_url, "mail server: smtp://host:587 or smtps://host:465 (empty: no email)")
      ->envname("NINGJU_SMTP_URL");
  cmd.add_option("--smtp-user", c.smtp_user, "mail server user name (empty: no authentication)")
      ->envname("NINGJU_SMTP_USER");
  cmd.add_option("--smtp-password", c.smtp_password, "mail server password (prefer NINGJU_SMTP_PASSWORD)")
      ->envname("NINGJU_SMTP_PASSWORD");
  cmd.add_option("--smtp-from", c.smtp_from, "sender address of the emails")->envname("NINGJU_SMTP_FROM");
  cmd.add_option("--smtp-from-name", c.smtp_from_name, "sender name of the emails")
      ->envname("NINGJU_SMTP_FROM_NAME")
      ->capture_default_str();
  cmd.add_option("--smtp-starttls", c.smtp_starttls, "STARTTLS on smtp:// URLs: required, try or off")
      ->envname("NINGJU_SMTP_STARTTLS")
      ->check(CLI::IsMember({"required", "try", "off"}))
      ->capture_default_str();
  cmd.add_option("--sms-url", c.sms_url, "text-message gateway: POST {\"to\", \"text\"} (empty: no SMS)")
      ->envname("NINGJU_SMS_URL");
  cmd.add_option("--sms-token", c.sms_token, "the gateway's Bearer token (prefer NINGJU_SMS_TOKEN)")
      ->envname("NINGJU_SMS_TOKEN");
}

delivery::SmtpOptions SmtpOptionsFrom(const Config& c) {
  delivery::SmtpOptions o;
  o.url = c.smtp_url;
  o.user = c.smtp_user;
  o.password = c.smtp_password;
  o.from = c.smtp_from;
  o.from_name = c.smtp_from_name;
  o.starttls = c.smtp_starttls;
  return o;
}

delivery::SmsOptions SmsOptionsFrom(const Config& c) {
  delivery::SmsOptions o;
  o.url = c.sms_url;
  o.token = c.sms_token;
  return o;
}

http::ServerOptions ServerOptionsFrom(const Config& c) {
  http::ServerOptions o;
  o.address = c.listen;
  o.port = static_cast<uint16_t>(c.port);
  o.io_threads = c.io_threads;
  o.worker_threads = c.worker_threads;
  o.blocking_threads = c.blocking_threads;
  o.import_threads = c.import_threads;
  o.max_connections = c.max_connections;
  o.request_timeout_seconds = c.request_timeout;
  o.idle_timeout_seconds = c.idle_timeout;
  o.default_max_body_bytes = static_cast<size_t>(c.max_body_kb) * 1024;
  o.trust_forwarded_headers = c.trust_proxy;
  return o;
}

cases::IntakeLimitOptions IntakeLimitOptionsFrom(const Config& c) {
  cases::IntakeLimitOptions o;
  o.per_address_hour = c.intake_per_address_hour;
  o.per_address_day = c.intake_per_address_day;
  o.per_phone_hour = c.intake_per_phone_hour;
  o.per_phone_day = c.intake_per_phone_day;
  return o;
}

auth::AccountOptions AccountOptionsFrom(const Config& c) {
  auth::AccountOptions o;
  o.password_cost = c.password_cost == "test"       ? auth::PasswordCost::kTest
                    : c.password_cost == "moderate" ? auth::PasswordCost::kModerate
                                                    : auth::PasswordCost::kInteractive;
  o.session_idle_seconds = c.session_idle_hours * 3600;
  o.session_absolute_seconds = c.session_max_days * 24 * 3600;
  o.sign_ups_per_address_hour = c.sign_ups_per_address_hour;
  o.token_default_days = c.token_default_days;
  return o;
}

std::string BaseUrl(const Config& c) {
  if (!c.base_url.empty()) {
    std::string url = c.base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  return "http://" + c.listen + ":" + std::to_string(c.port);
}

bool IsLoopbackBaseUrl(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  std::string_view host = url;
  if (host.starts_with('[')) {
    host = host.substr(1, host.find(']') == std::string_view::npos ? std::string_view::npos : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  std::string lower(host);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  while (lower.ends_with('.')) lower.pop_back();
  return lower == "localhost" || lower.ends_with(".localhost") ||
         (lower.starts_with("127.") && lower.find_first_not_of("0123456789.") == std::string::npos) || lower == "::1" ||
         lower == "0.0.0.0" || lower == "::" || lower.empty();
}

std::string WebRoot(const Config& c) { return c.web_root.empty() ? std::string(NINGJU_SOURCE_DIR) : c.web_root; }

}  // namespace ningju::app
