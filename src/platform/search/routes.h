// GET /search (the page) and GET /api/v1/search (JSON): docs/API.md, "Search".
#ifndef NINGJU_PLATFORM_SEARCH_ROUTES_H_
#define NINGJU_PLATFORM_SEARCH_ROUTES_H_

#include "http/router.h"
#include "platform/search/search.h"
#include "web/site.h"

namespace ningju::search {

void RegisterSearchRoutes(http::Router& router, const web::Site& site, SearchService& service,
                          const SearchRegistry& registry);

}  // namespace ningju::search

#endif  // NINGJU_PLATFORM_SEARCH_ROUTES_H_
