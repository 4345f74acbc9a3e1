// ningju owner letter | join list | join approve | join refuse: the roster's owners and residents from the command
// line (docs/ROSTER.md "Invitation letters and claims", "Residents asking to join"). Every action is audited as the
// system (actor "system:cli").
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
#include "cli/command.h"
#include "governance/areas/join_requests.h"
#include "governance/areas/owner_links.h"
#include "governance/areas/owner_routes.h"
#include "web/i18n.h"
#include "web/templates.h"

namespace ningju::cli {
namespace {

int Report(const Status& s) {
  std::cerr << "ningju: " << s.message() << (s.field().empty() ? "" : " (" + s.field() + ")") << "\n";
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kUnavailable ? 1 : 2;
}

// Prints the letters of a building (or of one owner) as the site prints them, into one HTML file.
int WriteLetters(const app::Config& config, int64_t building, int64_t owner, const std::string& out_path,
                 const std::string& locale) {
  const std::string root = app::WebRoot(config);
  auto templates = web::Templates::Load(root + "/templates");
  if (!templates.ok()) return Report(templates.status());
  auto i18n = web::I18n::Load(root + "/templates/i18n");
  if (!i18n.ok()) return Report(i18n.status());
  if (!(*i18n)->Supports(locale)) return Report(InvalidArgumentError("the language is zh-CN or en", "lang"));
  std::ifstream css_in(root + "/static/app.css", std::ios::binary);
  if (!css_in) return Report(NotFoundError(Msg("cannot read {}", root + "/static/app.css")));
  std::stringstream css;
  css << css_in.rdbuf();
  auto db = app::OpenDatabase(config);
  if (!db.ok()) return Report(db.status());
  SystemClock clock;
  areas::OwnerLinkService service(**db, clock, app::BaseUrl(config));
  const auth::Principal cli = auth::SystemPrincipal("cli");
  std::vector<areas::InvitationLetter> letters;
  if (owner > 0) {
    // The owner must hold a unit in the building named: a typo in one id does not print another building's letter.
    auto owners = service.BuildingOwners(cli, building);
    if (!owners.ok()) return Report(owners.status());
    bool found = false;
    for (const auto& o : *owners) found = found || o.owner_id == owner;
    if (!found) return Report(NotFoundError(Msg("owner {} holds no unit in building {}", owner, building), "owner"));
    auto letter = service.IssueLetter(cli, owner);
    if (!letter.ok()) return Report(letter.status());
    letters.push_back(std::move(*letter));
  } else {
    auto all = service.IssueBuildingLetters(cli, building);
    if (!all.ok()) return Report(all.status());
    letters = std::move(*all);
  }
  auto html = areas::LettersDocument(**templates, **i18n, locale, letters, css.str());
  if (!html.ok()) return Report(html.status());
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out << *html;
  out.close();
  if (!out) {
    std::cerr << "ningju: cannot write " << out_path << "\n";
    return 1;
  }
  // The codes are in the file only: it is not printed to the terminal, which may be logged.
  std::cout << letters.size() << " letter(s) written to " << out_path << "; earlier letters of these owners no "
            << "longer work\n";
  return 0;
}

std::string Shown(const areas::JoinRequestView& v) {
  std::ostringstream s;
  s << v.id << "\t" << areas::JoinStateName(v.state) << "\t" << FormatShanghai(v.created_at).substr(0, 16) << "\t"
    << v.neighborhood_name << "\t" << (v.building_name.empty() ? "-" : v.building_name) << "\t"
    << (v.unit.empty() ? "-" : v.unit) << "\t" << v.account << "\t" << (v.phone.empty() ? "-" : v.phone);
  return s.str();
}

void RegisterResidents(CLI::App& app) {
  struct Options {
    app::Config config;
    int64_t building = 0;
    int64_t owner = 0;
    std::string out;
    std::string lang = "zh-CN";
    int64_t area = 0;
    bool all = false;
    int64_t id = 0;
    std::string reason;
  };
  auto o = std::make_shared<Options>();

  CLI::App* owner = app.add_subcommand("owner", "owners of the roster: print invitation letters");
  owner->require_subcommand(1);
  CLI::App* letter = owner->add_subcommand(
      "letter",
      "print invitation letters (new one-time codes) for a building's owners, or one owner, into an HTML file");
  app::AddConfigOptions(*letter, o->config, false);
  letter->add_option("--building", o->building, "area id of the building")->required();
  letter->add_option("--owner", o->owner,
                     "owner id: only this owner's letter (the owner holds a unit in the building)");
  letter->add_option("--out,-o", o->out, "the HTML file to write (holds the codes: keep it private)")->required();
  letter->add_option("--lang", o->lang, "zh-CN or en")->capture_default_str();
  letter->add_option("--web-root", o->config.web_root, "folder with templates/ and static/ (default: the source tree)")
      ->envname("NINGJU_WEB_ROOT");
  letter->callback([o] { ExitStatus() = WriteLetters(o->config, o->building, o->owner, o->out, o->lang); });

  CLI::App* join = app.add_subcommand("join", "residents' requests to join a neighborhood: list, approve, refuse");
  join->require_subcommand(1);
  auto with_service = [o](auto&& use) {
    auto db = app::OpenDatabase(o->config);
    if (!db.ok()) {
      ExitStatus() = Report(db.status());
      return;
    }
    SystemClock clock;
    areas::JoinRequestService service(**db, clock);
    use(service, auth::SystemPrincipal("cli"));
  };

  CLI::App* list = join->add_subcommand("list", "the pending requests of an area (tab-separated, oldest first)");
  app::AddConfigOptions(*list, o->config, false);
  list->add_option("--area", o->area, "area id of a neighborhood, or a subdistrict or district above it")->required();
  list->add_flag("--all", o->all, "every request, decided ones too");
  list->callback([o, with_service] {
    with_service([&](areas::JoinRequestService& service, const auth::Principal& cli) {
      auto rows = service.ForArea(cli, o->area, o->all);
      if (!rows.ok()) {
        ExitStatus() = Report(rows.status());
        return;
      }
      for (const auto& v : *rows) std::cout << Shown(v) << "\n";
      std::cerr << rows->size() << " request(s)\n";
    });
  });

  CLI::App* approve = join->add_subcommand("approve", "approve a request: the account becomes a resident");
  app::AddConfigOptions(*approve, o->config, false);
  approve->add_option("id", o->id, "the request's id")->required();
  approve->add_option("--owner", o->owner, "also link the account to this owner of the roster");
  approve->callback([o, with_service] {
    with_service([&](areas::JoinRequestService& service, const auth::Principal& cli) {
      std::optional<int64_t> owner_id;
      if (o->owner > 0) owner_id = o->owner;
      if (Status s = service.Approve(cli, o->id, owner_id); !s.ok()) {
        ExitStatus() = Report(s);
        return;
      }
      std::cout << "approved join request " << o->id
                << (owner_id ? "; linked to owner " + std::to_string(o->owner) : "") << "\n";
    });
  });

  CLI::App* refuse = join->add_subcommand("refuse", "refuse a request with a reason the resident sees");
  app::AddConfigOptions(*refuse, o->config, false);
  refuse->add_option("id", o->id, "the request's id")->required();
  refuse->add_option("--reason", o->reason, "why (1 to 200 characters)")->required();
  refuse->callback([o, with_service] {
    with_service([&](areas::JoinRequestService& service, const auth::Principal& cli) {
      if (Status s = service.Refuse(cli, o->id, o->reason); !s.ok()) {
        ExitStatus() = Report(s);
        return;
      }
      std::cout << "refused join request " << o->id << "\n";
    });
  });
}

}  // namespace

NINGJU_REGISTER_COMMAND(RegisterResidents);

}  // namespace ningju::cli
