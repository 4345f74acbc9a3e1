// The pages and API routes of ballots (docs/BALLOTS.md, docs/API.md).
#ifndef NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_
#define NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_

#include <cstddef>

#include "governance/decisions/ballots.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::decisions {

// `max_upload_bytes` bounds the scanned sheets and authorizations uploaded with paper and proxy ballots.
void RegisterBallotRoutes(http::Router& router, const web::Site& site, BallotService& service, size_t max_upload_bytes);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_BALLOT_ROUTES_H_
