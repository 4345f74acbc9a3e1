// ningju import | export: rosters of units and owners (docs/ROSTER.md).
#include <fstream>
#include <iostream>

#include "app/app.h"
#include "cli/command.h"
#include "governance/areas/areas.h"

namespace ningju::cli {
namespace {

int Report(const Status& s) {
  std::cerr << "ningju: " << s.message() << (s.field().empty() ? "" : " (" + s.field() + ")") << "\n";
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable ? 1 : 2;
}

void RegisterRoster(CLI::App& app) {
  struct Options {
    app::Config config;
    int64_t neighborhood = 0;
    std::string file;
    bool dry_run = false;
    std::string format = "csv";
    std::string output;
    bool unmasked = false;
  };
  auto o = std::make_shared<Options>();

  CLI::App* import = app.add_subcommand("import", "import a neighborhood's roster of units and owners (.xlsx, .csv)");
  app::AddConfigOptions(*import, o->config, false);
  import->add_option("--neighborhood", o->neighborhood, "area id of the neighborhood")->required();
  import->add_option("file", o->file, "the roster (.xlsx or .csv; docs/ROSTER.md)")->required();
  import->add_flag("--dry-run", o->dry_run, "check every row and show what would change; import nothing");
  import->callback([o] {
    SystemClock clock;
  auto table = areas::ReadRosterFile(o->file);
  if (!table.ok()) {
    ExitStatus() = Report(table.status().WithContext(o->file));
    return;
  }
  auto db = app::OpenDatabase(o->config);
  if (!db.ok()) {
    ExitStatus() = Report(db.status());
    return;
  }
  areas::AreaService service(**db, clock);
  auth::Principal cli = auth::SystemPrincipal("cli");
  auto plan = o->dry_run ? service.PlanRoster(cli, o->neighborhood, *table)
                         : service.ImportRoster(cli, o->neighborhood, *table);
  if (!plan.ok()) {
    ExitStatus() = Report(plan.status());
    return;
  }
  for (const auto& p : plan->problems) std::cerr << o->file << ": " << p.ToString() << "\n";
  std::cout << areas::RosterPlanJson(*plan).dump(2) << "\n";
  if (!plan->ok()) {
    std::cerr << plan->problems.size() << " bad row(s); nothing was imported\n";
    ExitStatus() = 2;
  } else if (o->dry_run) {
    std::cerr << "dry run: nothing was imported\n";
  }
});

CLI::App* exporter = app.add_subcommand("export", "export a neighborhood's roster (.xlsx or .csv)");
app::AddConfigOptions(*exporter, o->config, false);
exporter->add_option("--neighborhood", o->neighborhood, "area id of the neighborhood")->required();
exporter->add_option("--format", o->format, "csv or xlsx")
    ->check(CLI::IsMember({"csv", "xlsx"}))
    ->capture_default_str();
exporter->add_option("--output,-o", o->output, "file to write (default: standard output)");
exporter->add_flag("--unmasked", o->unmasked, "names and phones in full (personal data: handle with care)");
exporter->callback([o] {
  SystemClock clock;
  auto db = app::OpenDatabase(o->config);
  if (!db.ok()) {
    ExitStatus() = Report(db.status());
    return;
  }
  areas::AreaService service(**db, clock);
  auto bytes = service.ExportRoster(auth::SystemPrincipal("cli"), o->neighborhood, o->format, o->unmasked);
  if (!bytes.ok()) {
    ExitStatus() = Report(bytes.status());
    return;
  }
  if (o->output.empty()) {
    std::cout << *bytes;
  } else {
    std::ofstream out(o->output, std::ios::binary);
    out << *bytes;
    if (!out) {
      std::cerr << "ningju: cannot write " << o->output << "\n";
      ExitStatus() = 1;
    }
  }
});
}  // namespace

NINGJU_REGISTER_COMMAND(RegisterRoster);

}  // namespace ningju::cli
}  // namespace ningju::cli
