// The district admin's holiday page (/admin/holidays; docs/CASES.md "Holiday calendar"): the years the calendar
// covers, and a form taking a year's State Council notice in the data/holidays/cn.txt format, first as a preview of
// the open deadlines it moves (old -> new), then stored. The service authorizes every call (manage_calendar).
#ifndef NINGJU_GOVERNANCE_CASES_HOLIDAY_ROUTES_H_
#define NINGJU_GOVERNANCE_CASES_HOLIDAY_ROUTES_H_

#include "governance/cases/holidays.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::cases {

// `service` must outlive the router.
void RegisterHolidayRoutes(http::Router& router, const web::Site& site, HolidayService& service);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_HOLIDAY_ROUTES_H_
