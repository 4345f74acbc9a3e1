// Every setting of ningju, with its default and unit. A setting comes from (highest first): a command-line flag, an
// environment variable NINGJU_<NAME>, the configuration file (--config FILE, TOML or INI: `name = value`), the default
// here. docs/CONFIGURATION in README.md lists them; `ningju serve --help` prints them.
#ifndef NINGJU_APP_CONFIG_H_
#define NINGJU_APP_CONFIG_H_

#include <CLI/CLI.hpp>

#include <string>

#include "auth/accounts.h"
#include "governance/cases/intake_limits.h"
#include "http/server.h"
#include "platform/delivery/transport.h"

namespace ningju::app {

struct Config {
  std::string database = "sqlite:data/ningju.db";  // sqlite:PATH or postgresql://user@host:port/db
  int db_pool_size = 8;                            // connections kept open
  std::string db_nested_acquire = "log";           // a thread taking a 2nd pooled connection: log | fail
  std::string listen = "127.0.0.1";                // address to bind
  int port = 8080;                                 // TCP port; 0 picks a free one
  std::string base_url;                            // public URL (QR codes, links); default http://LISTEN:PORT
  std::string web_root;                            // folder holding templates/ and static/; default: the source tree
  int io_threads = 0;                              // 0: one per core
  int worker_threads = 0;                          // 0: one per core, at least 2
  int blocking_threads = 64;                       // routes marked blocking (case intake); 0: the workers
  int import_threads = 2;                          // routes marked import (roster uploads); 0: the workers
  int max_connections = 10000;                     // open connections at once
  int request_timeout = 30;                        // seconds to receive one request
  int idle_timeout = 75;                           // seconds a keep-alive connection may idle
  int max_body_kb = 64;                            // form and JSON bodies, KiB
  int max_upload_kb = 10240;                       // uploads (rosters), KiB
  bool trust_proxy = false;                        // take X-Forwarded-For/-Proto from a reverse proxy
  bool secure_cookies = false;                     // Secure cookies (default: on when base_url is https)
  std::string password_cost = "interactive";       // argon2id work: interactive | moderate | test
  int session_idle_hours = 168;                    // a session unused this long ends
  int session_max_days = 30;                       // every session ends after this long
  int sign_ups_per_address_hour = 10;              // accounts made from one address per hour; 0: no limit
  int token_default_days = 90;                     // API token expiry when the creator gives none (1..366)
  bool access_log = true;                          // one line per request on stderr
  int job_poll_seconds = 30;                       // how often background jobs are looked for; 0: never (serve only)
  std::string holiday_file;                        // holiday calendar (data/holidays/cn.txt format); default built in
  // The rate limit on anonymous intake (docs/CASES.md): accepted cases per sliding window; 0 turns one off.
  int intake_per_address_hour = 20;  // per client address per hour
  int intake_per_address_day = 100;  // per client address per 24 hours
  int intake_per_phone_hour = 5;     // per contact phone per hour
  int intake_per_phone_day = 20;     // per contact phone per 24 hours
  // Email (notifications, verification codes): none is sent while smtp_url is empty.
  std::string smtp_url;                    // smtp://host:587 (STARTTLS) or smtps://host:465
  std::string smtp_user;                   // empty: no authentication
  std::string smtp_password;               // better given as NINGJU_SMTP_PASSWORD than on the command line
  std::string smtp_from;                   // the sender address, e.g. ningju@changning.example.org
  std::string smtp_from_name = "凝聚";     // the sender's display name
  std::string smtp_starttls = "required";  // smtp:// only: required | try | off
  // Text messages through an HTTP gateway: none is sent while sms_url is empty.
  std::string sms_url;    // POST {"to", "text"} here
  std::string sms_token;  // sent as a Bearer token
};

// Adds the settings to `cmd` as flags with environment variables. `server` adds the serving settings too.
void AddConfigOptions(CLI::App& cmd, Config& config, bool server);

// Derived settings.
http::ServerOptions ServerOptionsFrom(const Config& config);
auth::AccountOptions AccountOptionsFrom(const Config& config);
cases::IntakeLimitOptions IntakeLimitOptionsFrom(const Config& config);
std::string BaseUrl(const Config& config);
delivery::SmtpOptions SmtpOptionsFrom(const Config& config);
delivery::SmsOptions SmsOptionsFrom(const Config& config);
// Whether the host of `base_url` is one only this machine reaches (localhost, 127.0.0.0/8, ::1, 0.0.0.0): the door
// sheets' QR codes and the owners' letters would carry links no resident can open, so `serve` warns at start.
bool IsLoopbackBaseUrl(std::string_view base_url);
// The folder with templates/ and static/: config.web_root, or the source tree the binary was built from.
std::string WebRoot(const Config& config);

}  // namespace ningju::app

#endif  // NINGJU_APP_CONFIG_H_
