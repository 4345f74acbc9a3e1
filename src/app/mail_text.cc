#include "app/mail_text.h"

#include <fmt/format.h>

#include "common/time.h"
#include "platform/notify/routes.h"

namespace ningju::app {
namespace {

std::string What(const web::I18n& i18n, const std::string& locale, const notify::Notification& n) {
  const std::string key = notify::KindTextKey(n.kind);
  std::string text = i18n.Get(locale, key);
  return text == key ? i18n.Get(locale, "notify_kind_other") : text;
}

std::string Title(const notify::Notification& n) { return n.title.empty() ? n.object_ref : n.title; }

}  // namespace

notify::MailRenderer NotificationMailText(const web::I18n& i18n, std::string base_url) {
  notify::MailRenderer r;
  const std::string settings = base_url + "/notifications/settings";
  r.one = [&i18n, base_url, settings](const std::string& locale, const notify::Notification& n) {
    const std::string what = What(i18n, locale, n);
    notify::MailText m;
    m.subject = fmt::format(fmt::runtime(i18n.Get(locale, "notify_mail_subject")), what, Title(n));
    m.body = what + "\n" + Title(n) + "\n" + FormatShanghai(n.created_at) + "\n\n" +
             i18n.Get(locale, "notify_mail_open") + " " + base_url + n.path + "\n\n-- \n" +
             i18n.Get(locale, "notify_mail_footer") + " " + settings + "\n";
    return m;
  };
  r.digest = [&i18n, base_url, settings](const std::string& locale, const std::vector<notify::Notification>& items,
                                         int64_t more) {
    notify::MailText m;
    m.subject =
        fmt::format(fmt::runtime(i18n.Get(locale, "notify_digest_subject")), static_cast<int64_t>(items.size()) + more);
    m.body = i18n.Get(locale, "notify_digest_intro") + "\n\n";
    for (const notify::Notification& n : items) {
      m.body += "* " + What(i18n, locale, n) + "\n  " + Title(n) + "\n  " + base_url + n.path + "\n\n";
    }
    if (more > 0) {
      m.body += fmt::format(fmt::runtime(i18n.Get(locale, "notify_digest_more")), more) + " " + base_url +
                "/notifications\n\n";
    }
    m.body += "-- \n" + i18n.Get(locale, "notify_mail_footer") + " " + settings + "\n";
    return m;
  };
  return r;
}

contacts::CodeText ContactCodeText(const web::I18n& i18n) {
  return [&i18n](std::string_view channel, const std::string& locale, const std::string& code) {
    if (channel == delivery::kSms) {
      return contacts::CodeMessage{"", fmt::format(fmt::runtime(i18n.Get(locale, "phone_code_sms")), code)};
    }
    return contacts::CodeMessage{fmt::format(fmt::runtime(i18n.Get(locale, "email_code_subject")), code),
                                 fmt::format(fmt::runtime(i18n.Get(locale, "email_code_body")), code)};
  };
}

}  // namespace ningju::app
