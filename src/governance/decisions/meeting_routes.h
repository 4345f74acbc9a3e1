// The pages, JSON API and iCalendar feed of meetings (docs/MEETINGS.md, docs/API.md).
#ifndef NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_
#define NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_

#include "governance/areas/areas.h"
#include "governance/decisions/meetings.h"
#include "http/router.h"
#include "platform/home.h"
#include "web/site.h"

namespace ningju::decisions {

// The pages and API of meetings; `areas` names the areas of the index page's filter and breadcrumbs.
void RegisterMeetingRoutes(http::Router& router, const web::Site& site, MeetingService& service,
                           areas::AreaService& areas);

// The home page's meetings card: upcoming noticed meetings of the viewer's neighborhoods (anonymous: of the
// district), and for those who run meetings the upcoming ones they manage, drafts included.
platform::HomeCardFn MeetingHomeCard(const web::Site& site, MeetingService& service);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_MEETING_ROUTES_H_
