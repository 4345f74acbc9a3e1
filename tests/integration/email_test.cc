// Email end to end against a real SMTP server on loopback (Debian's aiosmtpd, testing/test_smtp_server.h), on the
// backend the fixture picked: an address verified with the code read from the mail server (wrong tries counted, the
// limits), a notification mailed exactly once, the mail server down (the message waits and goes when it is back),
// the dead letter after the last attempt and its retry, the daily digest after 08:00 Shanghai time, and the pruning
// of what was sent and of old codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>

#include "notify_fixture.h"
#include "testing/status_matchers.h"
#include "testing/test_smtp_server.h"

namespace ningju::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;

class EmailTest : public NotifyTest {
 public:
  static void SetUpTestSuite() {
    auto smtp = TestSmtpServer::Start();
    ASSERT_OK(smtp);
    smtp_ = std::move(smtp).value().release();
    configure_ = [](app::Config& c) {
      c.smtp_url = smtp_->url();
      c.smtp_starttls = "off";  // aiosmtpd on loopback speaks no TLS
      c.smtp_from = "ningju@changning.example.org";
      c.job_poll_seconds = 0;  // the tests run the jobs themselves, so that each step is seen
      c.trust_proxy = true;    // X-Forwarded-For names the client (the per-client limit)
    };
    NotifyTest::SetUpTestSuite();
    configure_ = nullptr;
  }
  static void TearDownTestSuite() {
    NotifyTest::TearDownTestSuite();
    delete smtp_;
    smtp_ = nullptr;
  }

 protected:
  // Runs the outbox until nothing due is left (or `rounds` calls).
  delivery::Outbox::SendResult Send() {
    auto r = app_->outbox().SendDue();
    EXPECT_OK(r);
    return r.value_or(delivery::Outbox::SendResult{});
  }
  void Mail() {
    for (int i = 0; i < 10; ++i) {
      auto r = app_->notification_mail().MailNew();
      ASSERT_OK(r);
      if (*r == 0) return;
    }
  }
  std::vector<ReceivedMail> To(const std::string& address) {
    std::vector<ReceivedMail> out;
    for (const ReceivedMail& m : smtp_->Messages()) {
      if (m.to.find(address) != std::string::npos) out.push_back(m);
    }
    return out;
  }
  // The code of the latest email to `address`.
  std::string CodeFor(const std::string& address) {
    std::vector<ReceivedMail> mails = To(address);
    if (mails.empty()) return "";
    std::smatch m;
    if (!std::regex_search(mails.back().subject, m, std::regex("([0-9]{6})"))) return "";
    return m[1];
  }
  // resident `login` with `address` verified through the form and the code from the mail server.
  void Verify(HttpClient& web, const std::string& address) {
    ASSERT_EQ(web.Get("/account/email").status, 200);
    HttpResult sent = web.PostForm("/account/email", {{"email", address}});
    ASSERT_EQ(sent.status, 200) << sent.body;
    EXPECT_EQ(Send().sent, 1);
    const std::string code = CodeFor(address);
    ASSERT_EQ(code.size(), 6u);
    HttpResult ok = web.PostForm("/account/email/verify", {{"code", code}});
    ASSERT_EQ(ok.status, 200) << ok.body;
  }

  static inline TestSmtpServer* smtp_ = nullptr;
};

TEST_F(EmailTest, AnAddressIsVerifiedWithTheCodeFromTheMailServer) {
  HttpClient web = SignedIn("resident1");
  ASSERT_EQ(web.Get("/account/email").status, 200);
  EXPECT_EQ(web.PostForm("/account/email", {{"email", "not an address"}}).status, 400);
  HttpResult sent = web.PostForm("/account/email", {{"email", "Lu.Xiaofeng@Example.org"}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_THAT(sent.body, HasSubstr("lu.xiaofeng@example.org"));  // lowercased, shown as waiting
  // Nothing is the account's yet; the code waits in the outbox until the job sends it.
  HttpResult state = Api("GET", "/api/v1/account/email", Token("resident1"));
  ASSERT_EQ(state.status, 200);
  EXPECT_TRUE(json::parse(state.body)["email"].is_null());
  EXPECT_EQ(json::parse(state.body)["pending"], "lu.xiaofeng@example.org");
  EXPECT_TRUE(To("lu.xiaofeng@example.org").empty());
  EXPECT_EQ(Send().sent, 1);
  std::vector<ReceivedMail> mails = To("lu.xiaofeng@example.org");
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0].from, HasSubstr("ningju@changning.example.org"));
  const std::string code = CodeFor("lu.xiaofeng@example.org");
  ASSERT_EQ(code.size(), 6u) << mails[0].subject;
  EXPECT_THAT(mails[0].body, HasSubstr(code));
  // A second code within a minute is refused; a wrong code counts a try.
  EXPECT_EQ(web.PostForm("/account/email", {{"email", "lu.xiaofeng@example.org"}}).status, 429);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  HttpResult bad = web.PostForm("/account/email/verify", {{"code", wrong}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(CountWhere("SELECT attempts FROM contact_codes WHERE address = ? ORDER BY id DESC LIMIT 1",
                       {std::string("lu.xiaofeng@example.org")}),
            1);
  HttpResult ok = web.PostForm("/account/email/verify", {{"code", code}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  state = Api("GET", "/api/v1/account/email", Token("resident1"));
  EXPECT_EQ(json::parse(state.body)["email"], "lu.xiaofeng@example.org");
  EXPECT_TRUE(json::parse(state.body)["pending"].is_null());
  // The code is used: it does not work twice. Another account may not take the address.
  EXPECT_EQ(web.PostForm("/account/email/verify", {{"code", code}}).status, 400);
  HttpResult taken = Api("POST", "/api/v1/account/email", Token("resident2"), {{"email", "lu.xiaofeng@example.org"}});
  EXPECT_EQ(taken.status, 409) << taken.body;
  // Read-only tokens and strangers change nothing.
  auto user = app_->accounts().FindByLogin("resident1");
  ASSERT_OK(user);
  auto read_only = app_->accounts().CreateApiToken(user->id, auth::NewApiToken{"read only", "read", 0});
  ASSERT_OK(read_only);
  EXPECT_EQ(Api("DELETE", "/api/v1/account/email", *read_only).status, 403);
  EXPECT_EQ(Api("POST", "/api/v1/account/email", *read_only, {{"email", "other@example.org"}}).status, 403);
  EXPECT_EQ(Api("DELETE", "/api/v1/account/email", "").status, 401);
  state = Api("GET", "/api/v1/account/email", Token("resident1"));
  EXPECT_EQ(json::parse(state.body)["email"], "lu.xiaofeng@example.org");
}

TEST_F(EmailTest, FiveWrongTriesEndACodeAndTheLimitsHold) {
  const std::string token = Token("owner3");
  ASSERT_EQ(Api("POST", "/api/v1/account/email", token, {{"email", "o3@example.org"}}).status, 202);
  for (int i = 0; i < contacts::kMaxCodeAttempts; ++i) {
    EXPECT_EQ(Api("POST", "/api/v1/account/email/verify", token, {{"code", "abcdef"}}).status, 400);
  }
  Send();
  const std::string code = CodeFor("o3@example.org");
  ASSERT_EQ(code.size(), 6u);
  // The right code after five wrong ones: the code has ended.
  EXPECT_EQ(Api("POST", "/api/v1/account/email/verify", token, {{"code", code}}).status, 400);
  // Per address: kCodesPerAddressHour codes an hour, one a minute.
  for (int i = 1; i < contacts::kCodesPerAddressHour; ++i) {
    clock_.Advance(std::chrono::seconds(contacts::kResendSeconds + 1));
    ASSERT_EQ(Api("POST", "/api/v1/account/email", token, {{"email", "o3@example.org"}}).status, 202) << i;
  }
  clock_.Advance(std::chrono::seconds(contacts::kResendSeconds + 1));
  HttpResult limited = Api("POST", "/api/v1/account/email", token, {{"email", "o3@example.org"}});
  EXPECT_EQ(limited.status, 429) << limited.body;
  // Per client address: kCodesPerClientHour codes an hour whatever the recipients (a new client address here).
  int accepted = 0;
  for (int i = 0; i < contacts::kCodesPerClientHour; ++i) {
    HttpResult r = Api("POST", "/api/v1/account/email", token, {{"email", "o3-" + std::to_string(i) + "@example.org"}},
                       {{"X-Forwarded-For", "203.0.113.9"}});
    if (r.status == 202) ++accepted;
  }
  EXPECT_EQ(accepted, contacts::kCodesPerClientHour);
  EXPECT_EQ(
      Api("POST", "/api/v1/account/email", token, {{"email", "o3-x@example.org"}}, {{"X-Forwarded-For", "203.0.113.9"}})
          .status,
      429);
  // The codes not used are still sent (each asked for one); the outbox drains.
  while (Send().sent > 0) {
  }
}

TEST_F(EmailTest, ANotificationIsMailedOnceAndWaitsWhileTheServerIsDown) {
  HttpClient web = SignedIn("resident2");
  Verify(web, "resident2@example.org");
  const int64_t id = Submit("resident2", true, "楼下垃圾桶满溢");
  Drain();
  Mail();
  Send();
  const size_t before = To("resident2@example.org").size();
  Act(id, "accept", "nb-huayang");
  Drain();
  Mail();
  Mail();  // a second run decides nothing twice
  EXPECT_EQ(Send().sent, 1);
  std::vector<ReceivedMail> mails = To("resident2@example.org");
  ASSERT_EQ(mails.size(), before + 1);
  EXPECT_THAT(mails.back().subject, HasSubstr("楼下垃圾桶满溢"));
  EXPECT_THAT(mails.back().body, HasSubstr("/cases/" + std::to_string(id)));
  EXPECT_EQ(Send().sent, 0);  // nothing twice

  // The mail server goes down: the answer's email waits with its error, and goes when the server is back.
  smtp_->Stop();
  Answer(id);
  Drain();
  Mail();
  delivery::Outbox::SendResult down = Send();
  EXPECT_EQ(down.sent, 0);
  EXPECT_EQ(down.failed, 1);
  auto pending = app_->outbox().List("pending", 10);
  ASSERT_OK(pending);
  ASSERT_FALSE(pending->empty());
  EXPECT_EQ(pending->front().attempts, 1);
  EXPECT_FALSE(pending->front().last_error.empty());
  ASSERT_OK(smtp_->Restart());
  EXPECT_EQ(Send().sent, 0);  // not due before its wait
  clock_.Advance(delivery::Backoff(1) + std::chrono::seconds(1));
  EXPECT_EQ(Send().sent, 1);
  ASSERT_EQ(To("resident2@example.org").size(), before + 2);
}

TEST_F(EmailTest, AfterTheLastAttemptADeliveryIsDeadUntilRetried) {
  HttpClient web = SignedIn("owner1");
  Verify(web, "owner1@example.org");
  smtp_->Stop();
  ASSERT_EQ(web.PostForm("/account/email", {{"email", "owner1-new@example.org"}}).status, 200);
  for (int attempt = 1; attempt <= delivery::kMaxAttempts; ++attempt) {
    EXPECT_EQ(Send().failed, 1) << attempt;
    clock_.Advance(delivery::Backoff(attempt) + std::chrono::seconds(1));
  }
  auto dead = app_->outbox().List("dead", 10);
  ASSERT_OK(dead);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->front().attempts, delivery::kMaxAttempts);
  EXPECT_EQ(Send().failed, 0);  // a dead letter is not tried again by itself
  ASSERT_OK(smtp_->Restart());
  ASSERT_OK(app_->outbox().Retry(dead->front().id));
  EXPECT_EQ(app_->outbox().Retry(dead->front().id).code(), StatusCode::kNotFound);
  EXPECT_EQ(Send().sent, 1);
  EXPECT_EQ(To("owner1-new@example.org").size(), 1u);
}

TEST_F(EmailTest, TheDailyDigestComesOnceAfterEightWithTheUnreadOnes) {
  // What the demo's events announce (the ballot's opening, to its owners) is decided before owner2 has an address.
  Drain();
  Mail();
  HttpClient web = SignedIn("owner2");
  Verify(web, "owner2@example.org");
  ASSERT_EQ(web.Get("/notifications/settings").status, 200);
  std::vector<std::pair<std::string, std::string>> fields = {{"email_mode", "daily"}};
  for (const std::string& kind : app_->notifications().kinds().NotificationKinds()) {
    fields.push_back({"on", kind});
    fields.push_back({"mail", kind});
  }
  ASSERT_EQ(web.PostForm("/notifications/settings", fields).status, 303);
  EXPECT_THAT(web.Get("/notifications/settings").body, HasSubstr("value=\"daily\" checked"));
  // Move to 07:00 Shanghai of the next day: before the digest hour.
  const Instant now = clock_.Now();
  const CivilDate tomorrow = std::chrono::sys_days(ShanghaiDate(now)) + std::chrono::days(1);
  clock_.Set(StartOfShanghaiDay(tomorrow) + std::chrono::hours(7));
  const int64_t a = Submit("owner2", true, "单元门禁损坏");
  const int64_t b = Submit("owner2", true, "屋顶漏水");
  Drain();
  Act(a, "accept", "nb-huayang");
  Act(b, "accept", "nb-huayang");
  Drain();
  Mail();
  EXPECT_EQ(Send().sent, 0);  // nothing by itself: they wait for the digest
  auto early = app_->notification_mail().SendDigests();
  ASSERT_OK(early);
  EXPECT_EQ(*early, 0);
  clock_.Set(StartOfShanghaiDay(tomorrow) + std::chrono::hours(8) + std::chrono::minutes(5));
  auto digests = app_->notification_mail().SendDigests();
  ASSERT_OK(digests);
  EXPECT_EQ(*digests, 1);
  auto again = app_->notification_mail().SendDigests();
  ASSERT_OK(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Send().sent, 1);
  std::vector<ReceivedMail> mails = To("owner2@example.org");
  ASSERT_FALSE(mails.empty());
  EXPECT_THAT(mails.back().body, HasSubstr("单元门禁损坏"));
  EXPECT_THAT(mails.back().body, HasSubstr("屋顶漏水"));
  EXPECT_THAT(mails.back().subject, HasSubstr("（2 条）"));
}

TEST_F(EmailTest, SentMessagesAndOldCodesArePruned) {
  ASSERT_EQ(Api("POST", "/api/v1/account/email", Token("resident1"), {{"email", "prune-me@example.org"}}).status, 202);
  Send();
  const int64_t sent = CountWhere("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'", {});
  const int64_t codes = CountWhere("SELECT COUNT(*) FROM contact_codes", {});
  ASSERT_GT(sent, 0);
  ASSERT_GT(codes, 0);
  auto early = app_->outbox().PruneSent();
  ASSERT_OK(early);
  EXPECT_EQ(*early, 0);  // all sent within the last 30 days
  clock_.Advance(std::chrono::hours(24 * delivery::kKeepSentDays + 1));
  auto pruned = app_->outbox().PruneSent();
  ASSERT_OK(pruned);
  EXPECT_EQ(*pruned, sent);
  auto old_codes = app_->contacts().Prune();
  ASSERT_OK(old_codes);
  EXPECT_EQ(*old_codes, codes);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'", {}), 0);
}

}  // namespace
}  // namespace ningju::testing
