// The pages and API routes of invitation letters, claims and links by hand (owner_links.h).
#ifndef NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_
#define NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_

#include "governance/areas/owner_links.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::areas {

void RegisterOwnerLinkRoutes(http::Router& router, const web::Site& site, OwnerLinkService& service);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_
