// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2, over the case service: our
// categories are the services, cases are the service requests. docs/API.md "Open311" lists what we read and write.
//
//   GET  services.{json,xml}             the categories as services (metadata true: type, urgency, public)
//   GET  services/{code}.{json,xml}      a service definition: those three optional attributes
//   GET  requests.{json,xml}             filters service_request_id (comma list; then the others are ignored),
//                                        service_code (comma list), start_date, end_date (ISO 8601, at most 90 days
//                                        apart; default the last 90 days), status (open, closed); newest first, at
//                                        most 1000
//   POST requests.{json,xml}             api_key required (a personal API token); location by address_id (our area
//                                        id; `area_id` is accepted as an alias) or address_string; answers
//                                        [{"service_request_id", "token", "service_notice", "account_id"}]
//   GET  requests/{id}.{json,xml}        one request, in an array
//   GET  tokens/{token}.{json,xml}       [{"service_request_id", "token"}]
//
// Identity comes only from api_key (query or form) or an `Authorization: Bearer` token, never from a session
// cookie, so a browser cannot be made to post. Anonymous readers see the cases marked public; a client sees what its
// account may see (CaseService). Outputs never carry the contact name or phone, whoever asks. Our detailed state is
// in status_notes (its label) and extended_attributes.ningju_state; open/closed follows IsOpen(). Ids are JSON
// strings. Times are ISO 8601 with the +08:00 offset. Errors are [{"code": <HTTP status>, "description": "...",
// "request_id": "..."}]; an internal error's description is the general sentence (web/public_error.h).
#ifndef NINGJU_GOVERNANCE_CASES_OPEN311_H_
#define NINGJU_GOVERNANCE_CASES_OPEN311_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "governance/cases/cases.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::cases {

// Times are written as Shanghai wall time with its offset (FormatShanghaiIso) and read as the spec's w3 subset
// (ParseShanghaiDateTime; a time without an offset is Shanghai time): common/time.h.
void RegisterOpen311Routes(http::Router& router, const web::Site& site, CaseService& service);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_OPEN311_H_
