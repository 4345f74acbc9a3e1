// The texts of the emails and text messages ningju sends, in the person's language (templates/i18n notify.* and
// contacts.*), with links on the public base URL.
#ifndef NINGJU_APP_MAIL_TEXT_H_
#define NINGJU_APP_MAIL_TEXT_H_

#include <string>

#include "platform/contacts/contacts.h"
#include "platform/notify/mail.h"
#include "web/i18n.h"

namespace ningju::app {

// `i18n` must outlive the results.
notify::MailRenderer NotificationMailText(const web::I18n& i18n, std::string base_url);
contacts::CodeText ContactCodeText(const web::I18n& i18n);

}  // namespace ningju::app

#endif  // NINGJU_APP_MAIL_TEXT_H_
