// The pages, JSON API and iCalendar feed of meetings (docs/MEETINGS.md, docs/API.md).
#ifndef NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_
#define NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_

#include "governance/decisions/meetings.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::decisions {

void RegisterMeetingRoutes(http::Router& router, const web::Site& site, MeetingService& service);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_
