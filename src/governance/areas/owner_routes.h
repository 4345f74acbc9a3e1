// The pages and API routes of invitation letters, claims and links by hand (owner_links.h).
#ifndef NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_
#define NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_

#include <string>
#include <vector>

#include "governance/areas/owner_links.h"
#include "http/router.h"
#include "web/site.h"

namespace ningju::areas {

void RegisterOwnerLinkRoutes(http::Router& router, const web::Site& site, OwnerLinkService& service);

// The letters as one printable HTML document of their own, as the site prints them but without the site's header
// and with `css` (the site's stylesheet) inline: what `ningju owner letter` writes. kNotFound when the templates lack
// areas/letters.
StatusOr<std::string> LettersDocument(const web::Templates& templates, const web::I18n& i18n, const std::string& locale,
                                      const std::vector<InvitationLetter>& letters, const std::string& css);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_OWNER_ROUTES_H_
