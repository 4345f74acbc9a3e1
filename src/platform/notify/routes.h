// The notification center and following, on the site and in the API (docs/API.md "Notifications and following"):
//   GET  /notifications                    the center (?unread=1, ?cursor=)
//   POST /notifications/{id}/read          mark one read and go to its object
//   POST /notifications/read-all
//   GET  /notifications/settings, POST /notifications/settings   fields on, mail (repeated: kinds), email_mode
//   POST /follow, POST /unfollow           form fields ref, next (the object page's button)
//   GET  /api/v1/notifications             ?cursor=&limit=&unread=1
//   POST /api/v1/notifications/{id}/read, POST /api/v1/notifications/read-all
//   GET  /api/v1/follows, POST /api/v1/follows {"ref"}, DELETE /api/v1/follows?ref=
// And the page hook that gives a page naming its object in "follow_ref" the follow button's state ("follow", the
// partial notify/follow). The header's unread count is not here: the app's web::Site::SetHeaderData gives it
// (header.notifications_unread) with NotificationService::UnreadCount.
#ifndef NINGJU_PLATFORM_NOTIFY_ROUTES_H_
#define NINGJU_PLATFORM_NOTIFY_ROUTES_H_

#include <string>
#include <string_view>

#include "http/router.h"
#include "platform/contacts/contacts.h"
#include "platform/notify/follows.h"
#include "platform/notify/notifications.h"
#include "web/site.h"

namespace ningju::notify {

// `contacts` gives the settings page the email address and its mode.
void RegisterNotificationRoutes(http::Router& router, const web::Site& site, NotificationService& notifications,
                                FollowService& follows, contacts::ContactService& contacts);

// The i18n key of a notification kind's sentence: "case.reply" -> "notify_kind_case_reply".
std::string KindTextKey(std::string_view kind);

// The page hook to pass to web::Site::AddPageHook: the follow button of an object's page.
web::PageHook FollowPageHook(FollowService& follows);

}  // namespace ningju::notify

#endif  // NINGJU_PLATFORM_NOTIFY_ROUTES_H_
