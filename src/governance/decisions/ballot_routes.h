// The pages and API routes of ballots (docs/BALLOTS.md, docs/API.md).
#ifndef NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_
#define NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_

#include <cstddef>

#include "governance/areas/areas.h"
#include "governance/decisions/ballots.h"
#include "http/router.h"
#include "platform/home.h"
#include "web/site.h"

namespace ningju::decisions {

// `max_upload_bytes` bounds the scanned sheets and authorizations uploaded with paper and proxy ballots.
// `areas` names the areas of the index page's filter and breadcrumbs.
void RegisterBallotRoutes(http::Router& router, const web::Site& site, BallotService& service,
                          areas::AreaService& areas, size_t max_upload_bytes);

// The home page's ballots card: the open ballots the viewer may vote in (an owner of a unit of the frozen
// electorate), whether they voted, and the ballots they run that are not over (draft, open, notice running);
// anonymous visitors: the district's open ballots.
platform::HomeCardFn BallotHomeCard(const web::Site& site, BallotService& service);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_
