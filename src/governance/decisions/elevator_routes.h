// The pages and API routes of the elevator retrofit (docs/ELEVATOR.md, docs/API.md).
#ifndef NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_ROUTES_H_
#define NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_ROUTES_H_

#include <cstddef>

#include "governance/areas/areas.h"
#include "governance/decisions/elevator.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::decisions {

// `max_upload_bytes` bounds the plan drawings uploaded.
// `areas` names the areas of the index page's filter and breadcrumbs.
void RegisterElevatorRoutes(http::Router& router, const web::Site& site, ElevatorService& service,
                            areas::AreaService& areas, size_t max_upload_bytes);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_ELEVATOR_ROUTES_H_
