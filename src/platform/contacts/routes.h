// A person's email address on the site and in the API (docs/API.md "Contacts"):
//   GET  /account/email                    the address, the code form while a code is waiting
//   POST /account/email                    field email: sends a code to it
//   POST /account/email/verify             field code
//   POST /account/email/remove
//   GET  /api/v1/account/email             {"email", "pending", "email_mode"}
//   POST /api/v1/account/email {"email"}   202: a code is on its way
//   POST /api/v1/account/email/verify {"code"}
//   DELETE /api/v1/account/email
#ifndef NINGJU_PLATFORM_CONTACTS_ROUTES_H_
#define NINGJU_PLATFORM_CONTACTS_ROUTES_H_

#include "http/router.h"
#include "platform/contacts/contacts.h"
#include "web/site.h"

namespace ningju::contacts {

void RegisterContactRoutes(http::Router& router, const web::Site& site, ContactService& contacts);

}  // namespace ningju::contacts

#endif  // NINGJU_PLATFORM_CONTACTS_ROUTES_H_
