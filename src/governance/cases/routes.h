// The JSON API of cases under /api/v1 (docs/API.md "Cases"). Pages, Open311 and exports build on the same service.
#ifndef NINGJU_GOVERNANCE_CASES_ROUTES_H_
#define NINGJU_GOVERNANCE_CASES_ROUTES_H_

#include "governance/cases/cases.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::cases {

void RegisterCaseApiRoutes(http::Router& router, const web::Site& site, CaseService& service);

// Decoders shared with the page routes: a NewCase from a JSON body (fields as in docs/API.md), an ActionInput from a
// JSON body. kInvalidArgument naming the field.
StatusOr<NewCase> NewCaseFromJson(const nlohmann::json& body);
StatusOr<ActionInput> ActionInputFromJson(const nlohmann::json& body);

}  // namespace ningju::cases

#endif  // NINGJU_GOVERNANCE_CASES_ROUTES_H_
