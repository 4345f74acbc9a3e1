// The web pages of cases (docs/CASES.md "Pages"): the report form (web and door QR, two steps: draft -> similar open
// cases with "me too" -> submit with files), staff entry, the case page with the viewer's actions as forms, my cases,
// the public list of a neighborhood with its plot by building, a handling unit's inbox with batch actions, and the
// rates with their .xlsx export. Every page works without JavaScript; the service authorizes every call.
#ifndef NINGJU_GOVERNANCE_CASES_WEB_ROUTES_H_
#define NINGJU_GOVERNANCE_CASES_WEB_ROUTES_H_

#include <cstddef>

#include "governance/areas/areas.h"
#include "governance/cases/cases.h"
#include "http/router.h"
#include "platform/home.h"
#include "web/site.h"

namespace ningju::cases {

// `max_file_bytes`: the largest file accepted with a report (config max_upload_kb); the report route accepts a body
// of kMaxCaseFiles such files plus the form. The services must outlive the router.
void RegisterCaseWebRoutes(http::Router& router, const web::Site& site, CaseService& service, areas::AreaService& areas,
                           size_t max_file_bytes);

// The home page's cases card (CaseService::Home): the viewer's open cases and those waiting for their rating, the
// inboxes that are theirs with their counts, the cases waiting for acceptance (staff); anonymous visitors: the
// district's newest public cases.
platform::HomeCardFn CaseHomeCard(const web::Site& site, CaseService& service);
// GET /inbox, the header's link: the viewer's one inbox (a redirect), the home page's list of them when several,
// 403 when none is theirs.
void RegisterInboxRoute(http::Router& router, const web::Site& site, CaseService& service);
// Whether an inbox is the viewer's (a member of a handling unit, or staff over an intake unit's area).
StatusOr<bool> HasInbox(CaseService& service, const auth::Principal& viewer);

// The schematic plot of a neighborhood's public cases: the buildings as labelled boxes in a grid, each with a badge
// counting its open public cases. `buildings` are (id, name) in display order; `counts` from
// CaseService::PublicCountsByBuilding. Self-contained SVG (no scripts, no styles, names escaped), role="img" with a
// title naming `title`.
std::string BuildingPlotSvg(const std::vector<std::pair<int64_t, std::string>>& buildings,
                            const std::vector<BuildingCount>& counts, const std::string& title,
                            const std::string& description);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_WEB_ROUTES_H_
