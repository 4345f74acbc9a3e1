// The cases card of the home page and the header's inbox link (web_routes.h): views of CaseService::Home.
#include "common/time.h"
#include "governance/cases/web_routes.h"
#include "web/number_format.h"

namespace ningju::cases {

using json = nlohmann::json;

namespace {

json Row(const web::Site& site, const web::RequestContext& ctx, const Case& c) {
  return {{"id", c.id},
          {"title", c.title},
          {"state", StateName(c.state)},
          {"state_label", site.T(ctx, "case_state_" + std::string(StateName(c.state)))},
          {"submitted", FormatShanghai(c.submitted_at)}};
}

json Rows(const web::Site& site, const web::RequestContext& ctx, const std::vector<Case>& cases) {
  json out = json::array();
  for (const Case& c : cases) out.push_back(Row(site, ctx, c));
  return out;
}

}  // namespace

platform::HomeCardFn CaseHomeCard(const web::Site& site, CaseService& service) {
  return [&site, &service](web::RequestContext& ctx) -> StatusOr<std::optional<platform::HomeCard>> {
    ASSIGN_OR_RETURN(CaseHome home, service.Home(ctx.principal));
    platform::HomeCard card{"cases", "cases/home_card"};
    card.data["open"] = Rows(site, ctx, home.open);
    card.data["to_rate"] = Rows(site, ctx, home.to_rate);
    card.data["recent_public"] = Rows(site, ctx, home.recent_public);
    card.data["inboxes"] = json::array();
    for (const auto& inbox : home.inboxes) {
      card.data["inboxes"].push_back({{"id", inbox.unit.id},
                                      {"name", inbox.unit.name},
                                      {"open", web::FormatNumber(inbox.open)},
                                      {"overdue", web::FormatNumber(inbox.overdue)},
                                      {"any_overdue", inbox.overdue > 0},
                                      {"due_today", web::FormatNumber(inbox.due_today)}});
    }
    const bool staff = ctx.principal.HasPermissionSomewhere(auth::Permission::kHandleCases);
    if (staff) card.data["awaiting"] = {{"count", web::FormatNumber(home.awaiting_acceptance)}};
    return card;
  };
}

void RegisterInboxRoute(http::Router& router, const web::Site& site, CaseService& service) {
  router.Add("GET", "/inbox", site.Web([&](http::Request&, web::RequestContext& ctx) -> StatusOr<http::Response> {
    if (!ctx.principal.signed_in()) return UnauthenticatedError("sign in to see your unit's inbox");
    ASSIGN_OR_RETURN(CaseHome home, service.Home(ctx.principal, 1));
    if (home.inboxes.empty()) return PermissionDeniedError("you are not a member of a handling unit");
    if (home.inboxes.size() == 1) {
      return http::Response::Redirect("/units/" + std::to_string(home.inboxes.front().unit.id) + "/inbox", 302);
    }
    return http::Response::Redirect("/#home-cases");  // several: the home page's card lists them with their counts
  }));
}

StatusOr<bool> HasInbox(CaseService& service, const auth::Principal& viewer) {
  if (!viewer.has_account()) return false;
  ASSIGN_OR_RETURN(auto units, service.UnitsOf(viewer.user_id));
  if (!units.empty()) return true;
  ASSIGN_OR_RETURN(auto intake, service.IntakeUnitsOf(viewer));
  return !intake.empty();
}

}  // namespace ningju::cases
