// ningju holidays import | list: next year's State Council notice (holidays and adjusted working days) and the
// years the calendar covers (docs/OPERATIONS.md "Adding next year's holidays").
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "cli/command.h"
#include "governance/cases/holidays.h"

namespace ningju::cli {
namespace {

int Report(const Status& s) {
  std::cerr << "ningju: " << s.message() << (s.field().empty() ? "" : " (" + s.field() + ")") << "\n";
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable ? 1 : 2;
}

void PrintImport(const cases::HolidayImport& r) {
  std::cout << "years:";
  for (int y : r.years) std::cout << " " << y;
  std::cout << " (" << r.holidays << " holidays, " << r.working_days << " adjusted working days)\n";
  for (const auto& m : r.moves) {
    std::cout << "case " << m.case_id << " " << m.deadline << ": " << FormatShanghai(m.old_due) << " -> "
              << FormatShanghai(m.new_due) << " (Asia/Shanghai)\n";
  }
  std::cout << r.moves.size() << " deadline(s) of open cases " << (r.stored ? "moved" : "would move") << "\n";
}

void RegisterHolidays(CLI::App& app) {
  struct Options {
    app::Config config;
    std::string file;
    bool dry_run = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* holidays = app.add_subcommand("holidays", "the holiday calendar: import next year's notice, list years");
  holidays->require_subcommand(1);

  // One service over the configured database and base calendar (built in, or --holiday-file as the server's).
  auto open = [o](auto&& use) {
    SystemClock clock;
    auto base = app::LoadBaseCalendar(o->config);
    if (!base.ok()) {
      ExitStatus() = Report(base.status());
      return;
    }
    auto db = app::OpenDatabase(o->config);
    if (!db.ok()) {
      ExitStatus() = Report(db.status());
      return;
    }
    CalendarHolder holder(*base);
    cases::HolidayService service(**db, clock, *base, holder);
    if (Status s = service.Refresh(); !s.ok()) {
      ExitStatus() = Report(s);
      return;
    }
    use(service);
  };

  CLI::App* import = holidays->add_subcommand(
      "import",
      "store a year's holidays and adjusted working days (data/holidays/cn.txt format) and move the "
      "deadlines of open cases it changes");
  app::AddConfigOptions(*import, o->config, false);
  import->add_option("--holiday-file", o->config.holiday_file, "the server's base calendar file (default: built in)")
      ->envname("NINGJU_HOLIDAY_FILE");
  import->add_option("file", o->file, "the notice in the data/holidays/cn.txt format")->required();
  import->add_flag("--dry-run", o->dry_run, "show which open deadlines would move; store nothing");
  import->callback([o, open] {
    std::ifstream in(o->file, std::ios::binary);
  if (!in) {
    std::cerr << "ningju: cannot read " << o->file << "\n";
    ExitStatus() = 2;
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  open([&](cases::HolidayService& service) {
    auto r = service.Import(auth::SystemPrincipal("cli"), text.str(), o->dry_run);
    if (!r.ok()) {
      ExitStatus() = Report(r.status().WithContext(o->file));
      return;
    }
    PrintImport(*r);
    if (o->dry_run) std::cerr << "dry run: nothing was stored\n";
  });
});

CLI::App* list = holidays->add_subcommand("list", "the years the holiday calendar covers and where they come from");
app::AddConfigOptions(*list, o->config, false);
list->add_option("--holiday-file", o->config.holiday_file, "the server's base calendar file (default: built in)")
    ->envname("NINGJU_HOLIDAY_FILE");
list->callback([o, open] {
  open([&](cases::HolidayService& service) {
    auto years = service.Years();
    if (!years.ok()) {
      ExitStatus() = Report(years.status());
      return;
    }
    for (const auto& y : *years) {
      std::cout << y.year << " " << y.source << " " << y.holidays << " holidays, " << y.working_days
                << " adjusted working days" << (y.stored_at ? ", stored " + FormatShanghai(*y.stored_at) : "") << "\n";
    }
    const CivilDate today = ShanghaiDate(SystemClock().Now());
    if (auto missing = service.holder().Get()->MissingYear(today)) {
      std::cout << "missing: " << *missing << " (deadlines in it count weekends only)\n";
    }
  });
});
}  // namespace

}  // namespace ningju::cli

NINGJU_REGISTER_COMMAND(RegisterHolidays);

}  // namespace ningju::cli
