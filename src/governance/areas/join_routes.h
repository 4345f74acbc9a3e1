// The pages and API routes of residents' join requests (join_requests.h): the resident's form and list, the staff's
// queue with approve and refuse.
#ifndef NINGJU_GOVERNANCE_AREAS_JOIN_ROUTES_H_
#define NINGJU_GOVERNANCE_AREAS_JOIN_ROUTES_H_

#include "governance/areas/join_requests.h"
#include "governance/areas/owner_links.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::areas {

// `owners` gives the staff's approve form the unlinked owners of the building a request names.
void RegisterJoinRequestRoutes(http::Router& router, const web::Site& site, JoinRequestService& service,
                               OwnerLinkService& owners);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_JOIN_ROUTES_H_
