// The pages and API routes of the area tree.
#ifndef NINGJU_GOVERNANCE_AREAS_ROUTES_H_
#define NINGJU_GOVERNANCE_AREAS_ROUTES_H_

#include "governance/areas/areas.h"
#include "http/router.h"
#include "storage/database.h"
#include "web/site.h"

namespace ningju::areas {

// `max_upload_bytes` bounds roster uploads.
void RegisterAreaRoutes(http::Router& router, const web::Site& site, AreaService& service, storage::Database& db,
                        size_t max_upload_bytes);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_ROUTES_H_
