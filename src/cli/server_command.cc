// ningju serve | init | demo | migrate | user add | user grant | user token | backup | audit verify
#include <spdlog/spdlog.h>

#include <iostream>

#include "app/app.h"
#include "app/demo.h"
#include "auth/accounts.h"
#include "cli/command.h"
#include "governance/areas/area_writer.h"
#include "record/record.h"
#include "storage/migrations.h"

namespace ningju::cli {
namespace {

// Reports a failed Status on stderr and sets the exit status: 2 for bad input, 1 otherwise.
void Fail(const Status& s) {
  std::cerr << "ningju: " << s.ToString() << "\n";
  const bool bad_input = s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kNotFound ||
                         s.code() == StatusCode::kAlreadyExists || s.code() == StatusCode::kFailedPrecondition ||
                         s.code() == StatusCode::kOutOfRange;
  ExitStatus() = bad_input ? 2 : 1;
}

void PrintDemo(const app::DemoReport& r, const std::string& base_url) {
  std::cout << "Demo district 长宁区: " << r.subdistricts << " subdistricts, " << r.neighborhoods << " neighborhoods, "
            << r.buildings << " buildings, " << r.units << " units, " << r.owners << " owners.\n";
  std::cout << "Demo accounts (password: " << r.password << "):\n";
  for (const auto& a : r.accounts) {
    std::cout << "  " << a.login << std::string(a.login.size() < 22 ? 22 - a.login.size() : 1, ' ') << a.role << " @ "
              << a.scope << "\n";
  }
  if (!base_url.empty()) std::cout << "Open " << base_url << "/ and sign in.\n";
}

void RegisterServer(CLI::App& app) {
  struct Options {
    app::Config config;
    uint64_t seed = 1;
    std::string scale = "full";
    bool demo_if_empty = false;
  };
  auto opts = std::make_shared<Options>();

  CLI::App* serve = app.add_subcommand("serve", "serve the web UI and the API");
  app::AddConfigOptions(*serve, opts->config, /*server=*/true);
  serve->add_flag("--demo-if-empty", opts->demo_if_empty, "create the demo district first when the database is empty");
  serve->callback([opts] {
    SystemClock clock;
    if (opts->demo_if_empty) {
      auto db = app::OpenDatabase(opts->config);
      if (!db.ok()) return Fail(db.status());
      auto report = app::CreateDemo(**db, clock, opts->seed, app::DemoScale::kFull,
                                    app::AccountOptionsFrom(opts->config).password_cost);
      if (report.ok()) {
        PrintDemo(*report, "");
      } else if (report.status().code() != StatusCode::kFailedPrecondition) {
        return Fail(report.status());
      }
    }
    auto server = app::App::Create(opts->config, clock);
    if (!server.ok()) return Fail(server.status());
    if (Status s = (*server)->Listen(); !s.ok()) return Fail(s);
    spdlog::info("ningju serving {} on http://{}:{}/ ({})", (*server)->config().database, opts->config.listen,
                 (*server)->port(), app::BaseUrl(opts->config));
    (*server)->Run(/*handle_signals=*/true);
    spdlog::info("ningju stopped");
  });

  CLI::App* migrate = app.add_subcommand("migrate", "apply pending database migrations");
  app::AddConfigOptions(*migrate, opts->config, false);
  migrate->callback([opts] {
    app::EnsureDatabaseFolder(opts->config.database);
    auto db = storage::Database::Open(opts->config.database);
    if (!db.ok()) return Fail(db.status());
    auto report = storage::Migrate(**db, storage::EmbeddedMigrations());
    if (!report.ok()) return Fail(report.status());
    std::cout << "applied " << report->applied.size() << " migration(s); schema version " << report->current_version
              << "\n";
  });

  CLI::App* init = app.add_subcommand("init", "create an empty database with the top of the tree");
  app::AddConfigOptions(*init, opts->config, false);
  auto district_name = std::make_shared<std::string>("长宁区");
  auto admin_login = std::make_shared<std::string>();
  auto admin_password = std::make_shared<std::string>();
  init->add_option("--district", *district_name, "name of the district")->capture_default_str();
  init->add_option("--admin", *admin_login, "login of the first district admin")->required();
  init->add_option("--admin-password", *admin_password, "their password (or NINGJU_ADMIN_PASSWORD)")
      ->envname("NINGJU_ADMIN_PASSWORD")
      ->required();
  init->callback([opts, district_name, admin_login, admin_password] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    int64_t district = 0;
    Status s = (*db)->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(storage::Row existing, tx.QueryOne("SELECT COUNT(*) FROM areas"));
      if (existing.Int(0) > 0) return FailedPreconditionError("the database already holds an area tree");
      areas::NewArea top;
      top.kind = "district";
      top.code = "district";
      top.name = *district_name;
      ASSIGN_OR_RETURN(district, areas::InsertArea(tx, top, clock.Now()));
      return record::Audit(tx, clock.Now(), record::Actor::System("cli"), "area.create", record::Ref("area", district),
                           {{"after", {{"name", *district_name}}}});
    });
    if (!s.ok()) return Fail(s);
    auto user = accounts.SignUp({*admin_login, "管理员", *admin_password}, "cli");
    if (!user.ok()) return Fail(user.status());
    auto grant = accounts.GrantRole(auth::SystemPrincipal("cli"), user->id, auth::Role::kDistrictAdmin, district);
    if (!grant.ok()) return Fail(grant.status());
    std::cout << "created " << *district_name << " (area " << district << ") and admin " << *admin_login << "\n";
  });

  CLI::App* demo = app.add_subcommand("demo", "create the demo district (Changning) in an empty database");
  app::AddConfigOptions(*demo, opts->config, false);
  demo->add_option("--seed", opts->seed, "random seed; the same seed gives the same district")->capture_default_str();
  demo->add_option("--scale", opts->scale, "full (about 40,000 units) or small (for tests)")
      ->check(CLI::IsMember({"full", "small"}))
      ->capture_default_str();
  demo->add_flag("--if-empty", opts->demo_if_empty, "do nothing (exit 0) when the database already holds a tree");
  demo->callback([opts] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auto report = app::CreateDemo(**db, clock, opts->seed,
                                  opts->scale == "small" ? app::DemoScale::kSmall : app::DemoScale::kFull,
                                  app::AccountOptionsFrom(opts->config).password_cost);
    if (!report.ok()) {
      if (opts->demo_if_empty && report.status().code() == StatusCode::kFailedPrecondition) {
        std::cout << "the database already holds a district; demo left alone\n";
        return;
      }
      return Fail(report.status());
    }
    PrintDemo(*report, app::BaseUrl(opts->config));
  });

  CLI::App* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  CLI::App* add = user->add_subcommand("add", "create an account");
  app::AddConfigOptions(*add, opts->config, false);
  auto login = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto password = std::make_shared<std::string>();
  add->add_option("login", *login, "mobile number or username")->required();
  add->add_option("--name", *name, "display name")->required();
  add->add_option("--password", *password, "password (or NINGJU_PASSWORD)")->envname("NINGJU_PASSWORD")->required();
  add->callback([opts, login, name, password] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    auto u = accounts.SignUp({*login, *name, *password}, "cli");
    if (!u.ok()) return Fail(u.status());
    std::cout << "user " << u->id << " " << *login << "\n";
  });
  CLI::App* grant = user->add_subcommand("grant", "grant a role on an area");
  app::AddConfigOptions(*grant, opts->config, false);
  auto role_name = std::make_shared<std::string>();
  auto area = std::make_shared<int64_t>(0);
  grant->add_option("login", *login, "the user's login")->required();
  grant
      ->add_option("role", *role_name,
                   "resident, building_leader, neighborhood_staff, subdistrict_staff, "
                   "district_admin, deputy, legislative_liaison, organization_member")
      ->required();
  grant->add_option("--area", *area, "area id the role covers (with everything below it)")->required();
  grant->callback([opts, login, role_name, area] {
    SystemClock clock;
    auto role = auth::ParseRole(*role_name);
    if (!role) return Fail(InvalidArgumentError(Msg("unknown role \"{}\"", *role_name), "role"));
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    auto u = accounts.FindByLogin(*login);
    if (!u.ok()) return Fail(u.status());
    auto g = accounts.GrantRole(auth::SystemPrincipal("cli"), u->id, *role, *area);
    if (!g.ok()) return Fail(g.status());
    std::cout << "granted " << *role_name << " on area " << *area << " to " << *login << " (grant " << *g << ")\n";
  });

  // `ningju user token LOGIN --name N` (create, the older spelling), `token create`, `token list`, `token revoke`.
  CLI::App* token = user->add_subcommand("token", "personal access tokens for API clients: create, list, revoke");
  token->require_subcommand(0, 1);
  app::AddConfigOptions(*token, opts->config, false);
  auto token_name = std::make_shared<std::string>();
  auto token_scope = std::make_shared<std::string>("write");
  auto token_days = std::make_shared<int>(0);
  auto create_token = [opts, login, token_name, token_scope, token_days] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    auto u = accounts.FindByLogin(*login);
    if (!u.ok()) return Fail(u.status());
    auto t = accounts.CreateApiToken(u->id, auth::NewApiToken{*token_name, *token_scope, *token_days});
    if (!t.ok()) return Fail(t.status());
    std::cout << *t << "\n";
  };
  auto add_create_options = [&](CLI::App* cmd, bool required) {
    auto* l = cmd->add_option("login", *login, "the user's login");
    auto* n = cmd->add_option("--name", *token_name, "what the token is for (1 to 60 characters)");
    if (required) {
      l->required();
      n->required();
    }
    cmd->add_option("--scope", *token_scope, "write (what the user may do) or read (GET and HEAD only)")
        ->check(CLI::IsMember({"read", "write"}))
        ->capture_default_str();
    cmd->add_option("--expires-days", *token_days, "days until it expires (default --token-default-days)")
        ->check(CLI::Range(1, 366));
  };
  add_create_options(token, false);
  token->callback([token, login, create_token] {
    if (!token->get_subcommands().empty()) return;
    if (login->empty()) {
      return Fail(InvalidArgumentError("ningju user token LOGIN --name NAME (or: token create, list, revoke)"));
    }
    create_token();
  });
  CLI::App* token_create = token->add_subcommand("create", "create a token (its value is printed once)");
  app::AddConfigOptions(*token_create, opts->config, false);
  add_create_options(token_create, true);
  token_create->callback(create_token);
  CLI::App* token_list = token->add_subcommand("list", "list a user's tokens (never their values)");
  app::AddConfigOptions(*token_list, opts->config, false);
  token_list->add_option("login", *login, "the user's login")->required();
  token_list->callback([opts, login] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    auto u = accounts.FindByLogin(*login);
    if (!u.ok()) return Fail(u.status());
    auto tokens = accounts.ListApiTokens(u->id);
    if (!tokens.ok()) return Fail(tokens.status());
    auto when = [](int64_t at) { return at == 0 ? std::string("-") : FormatUtc(FromUnix(at)); };
    std::cout << "id\tscope\tcreated\texpires\tlast_used\trevoked\tname\n";
    for (const auth::ApiToken& t : *tokens) {
      std::cout << t.id << "\t" << t.scope << "\t" << when(t.created_at) << "\t"
                << (t.expires_at == 0 ? std::string("never") : when(t.expires_at)) << "\t" << when(t.last_used_at)
                << "\t" << when(t.revoked_at) << "\t" << t.name << "\n";
    }
  });
  CLI::App* token_revoke = token->add_subcommand("revoke", "revoke a token by its id (see token list)");
  app::AddConfigOptions(*token_revoke, opts->config, false);
  auto token_id = std::make_shared<int64_t>(0);
  token_revoke->add_option("id", *token_id, "the token's id")->required();
  token_revoke->callback([opts, token_id] {
    SystemClock clock;
    auto db = app::OpenDatabase(opts->config);
    if (!db.ok()) return Fail(db.status());
    auth::AccountService accounts(**db, clock, app::AccountOptionsFrom(opts->config));
    if (Status s = accounts.RevokeApiToken(auth::SystemPrincipal("cli"), *token_id); !s.ok()) return Fail(s);
    std::cout << "revoked token " << *token_id << "\n";
  });

  CLI::App* backup = app.add_subcommand("backup", "write a consistent copy of the database");
  app::AddConfigOptions(*backup, opts->config, false);
  auto destination = std::make_shared<std::string>();
  backup->add_option("destination", *destination, "file to write (SQLite file, or pg_dump custom format)")->required();
  backup->callback([opts, destination] {
    auto db = storage::Database::Open(opts->config.database);
    if (!db.ok()) return Fail(db.status());
    if (Status s = (*db)->Backup(*destination); !s.ok()) return Fail(s);
    std::cout << "backed up " << (*db)->DisplayUrl() << " to " << *destination << "\n";
  });

  CLI::App* audit = app.add_subcommand("audit", "the audit chain");
  audit->require_subcommand(1);
  CLI::App* head = audit->add_subcommand("head", "print the chain's head (SEQ:HASH) for publication");
  app::AddConfigOptions(*head, opts->config, false);
  head->callback([opts] {
    auto db = storage::Database::Open(opts->config.database);
    if (!db.ok()) return Fail(db.status());
    auto conn = (*db)->Acquire();
    if (!conn.ok()) return Fail(conn.status());
    auto h = record::ReadAuditHead(**conn);
    if (!h.ok()) return Fail(h.status());
    std::cout << h->ToString() << "\n";
  });
  CLI::App* verify = audit->add_subcommand("verify", "check that no audit record was edited or deleted");
  app::AddConfigOptions(*verify, opts->config, false);
  auto published = std::make_shared<std::vector<std::string>>();
  verify->add_option("--head", *published,
                     "a head published earlier (SEQ:HASH from `ningju audit head`): the chain must still reach it; "
                     "may be given more than once");
  verify->callback([opts, published] {
    std::vector<record::AuditHead> heads;
    for (const std::string& text : *published) {
      auto h = record::AuditHead::Parse(text);
      if (!h.ok()) return Fail(h.status());
      heads.push_back(*h);
    }
    auto db = storage::Database::Open(opts->config.database);
    if (!db.ok()) return Fail(db.status());
    std::vector<record::AuditProblem> problems;
    int64_t records = 0;
    // One walk per published head (and one without when none is given); each walk is a read of the whole chain.
    const size_t walks = heads.empty() ? 1 : heads.size();
    for (size_t i = 0; i < walks; ++i) {
      auto v = record::VerifyAudit(**db, heads.empty() ? std::nullopt : std::optional(heads[i]));
      if (!v.ok()) return Fail(v.status());
      records = v->records;
      for (auto& p : v->problems) {
        if (i == 0 || p.problem.rfind("does not reach", 0) == 0) problems.push_back(std::move(p));
      }
    }
    for (const auto& p : problems) std::cout << "audit record " << p.id << ": " << p.problem << "\n";
    if (problems.empty()) {
      std::cout << "audit chain intact: " << records << " records";
      for (const auto& h : heads) std::cout << ", reaches " << h.ToString();
      std::cout << "\n";
    } else {
      std::cout << problems.size() << " problem(s) in " << records << " records\n";
      ExitStatus() = 1;
    }
  });
}

NINGJU_REGISTER_COMMAND(RegisterServer);

}  // namespace
}  // namespace ningju::cli
