// Phone verification end to end, against a real HTTP SMS gateway on loopback (the transports' stand-in,
// src/platform/delivery/testdata/sms_gateway.py, under /usr/bin/python3): a phone sign-up on a server with a gateway
// gets its code by SMS and stays "pending" until it comes back; a pending phone cannot claim an owner's invitation,
// join a case ("me too") or be shown to staff as the person's; the limits per number hold. Without a gateway
// (the other suites) a phone sign-up is "unchecked" and counts, as before.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "notify_fixture.h"
#include "testing/source_path.h"
#include "testing/status_matchers.h"
#include "testing/test_process.h"

namespace ningju::testing {
namespace {

using json = nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// What both suites share: a public case to join.
class PhoneSuite : public NotifyTest {
 protected:
  // A public case of resident1 in the home building.
  int64_t PublicCase() {
    const json report = {{"type", "enquiry"},
                         {"category", "property_management"},
                         {"title", "路灯不亮"},
                         {"description", "小区东门的路灯坏了一周。"},
                         {"area_id", HomeArea().second},
                         {"channel", "web"},
                         {"public", true}};
    HttpResult r = Api("POST", "/api/v1/cases", Token("resident1"), report);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body).value("id", int64_t{0});
  }
};

class PhoneTest : public PhoneSuite {
 public:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("ningju-phone-" + std::to_string(::getpid())));
    std::filesystem::create_directories(*dir_);
    auto port = FreeLoopbackPort();
    ASSERT_OK(port);
    gateway_ = new TestProcess();
    ASSERT_OK(gateway_->Start({"/usr/bin/python3", SourcePath("src/platform/delivery/testdata/sms_gateway.py"),
                               std::to_string(*port), (*dir_ / "posts.jsonl").string(), "gateway-token"},
                              *port, (*dir_ / "gateway.log").string()));
    configure_ = [p = *port](app::Config& c) {
      c.sms_url = "http://127.0.0.1:" + std::to_string(p) + "/send";
      c.sms_token = "gateway-token";
      c.job_poll_seconds = 0;  // the tests send the outbox themselves
    };
    AppTest::SetUpTestSuite();
    configure_ = nullptr;
  }
  static void TearDownTestSuite() {
    AppTest::TearDownTestSuite();
    delete gateway_;
    gateway_ = nullptr;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

 protected:
  // Signs up `phone` through the form; the client holds the session.
  HttpClient SignUp(const std::string& phone, HttpResult* answer = nullptr) {
    HttpClient c = Client();
    c.Get("/sign-up");
    HttpResult r = c.PostForm("/sign-up", {{"login", phone}, {"display_name", "新居民"}, {"password", "password-123"}});
    EXPECT_EQ(r.status, 303) << r.body;
    if (answer != nullptr) *answer = r;
    return c;
  }
  void Send() {
    auto r = app_->outbox().SendDue();
    ASSERT_OK(r);
  }
  // The texts the gateway received for `phone`, oldest first.
  std::vector<std::string> TextsTo(const std::string& phone) {
    std::ifstream in(*dir_ / "posts.jsonl");
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      const json post = json::parse(line);
      if (post.value("to", "") == phone) out.push_back(post.value("text", ""));
    }
    return out;
  }
  std::string LatestCode(const std::string& phone) {
    std::vector<std::string> texts = TextsTo(phone);
    if (texts.empty()) return "";
    std::smatch m;
    return std::regex_search(texts.back(), m, std::regex("[0-9]{6}")) ? m.str() : "";
  }
  json PhoneState(const std::string& login) {
    HttpResult r = Api("GET", "/api/v1/account/phone", Token(login));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestProcess* gateway_ = nullptr;
};

TEST_F(PhoneTest, ASignUpGetsItsCodeBySmsAndIsPendingUntilItComesBack) {
  HttpResult answer;
  HttpClient web = SignUp("13911110001", &answer);
  EXPECT_EQ(answer.Header("location"), "/account/phone?next=%2Faccount&sent=1");
  json state = PhoneState("13911110001");
  EXPECT_EQ(state["phone"], "13911110001");
  EXPECT_EQ(state["phone_state"], "pending");
  EXPECT_EQ(state["code_waiting"], true);
  EXPECT_EQ(state["sms_available"], true);
  // The code waits in the outbox until the job sends it; then the gateway has it, and only it.
  EXPECT_TRUE(TextsTo("13911110001").empty());
  Send();
  ASSERT_EQ(TextsTo("13911110001").size(), 1u);
  const std::string code = LatestCode("13911110001");
  ASSERT_EQ(code.size(), 6u) << TextsTo("13911110001")[0];

  HttpResult page = web.Get("/account/phone?next=%2Faccount&sent=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("action=\"/account/phone/verify\""));
  EXPECT_THAT(page.body, HasSubstr("name=\"next\" value=\"/account\""));
  // Another code within the minute is refused (the limit per number); a wrong code counts a try.
  EXPECT_EQ(web.PostForm("/account/phone", {}).status, 429);
  const std::string wrong = code == "000000" ? "111111" : "000000";
  HttpResult bad = web.PostForm("/account/phone/verify", {{"code", wrong}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("role=\"alert\""));
  EXPECT_EQ(PhoneState("13911110001")["phone_state"], "pending");

  // The right code: verified, audited, and back where the sign-up was going.
  HttpResult ok = web.PostForm("/account/phone/verify", {{"code", code}, {"next", "/account"}});
  EXPECT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(ok.Header("location"), "/account");
  state = PhoneState("13911110001");
  EXPECT_EQ(state["phone_state"], "verified");
  EXPECT_EQ(state["code_waiting"], false);
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM audit_log WHERE action = 'user.phone_verified'", {}), 1);
  // Verified: no more codes.
  HttpResult again = Api("POST", "/api/v1/account/phone", Token("13911110001"));
  EXPECT_EQ(again.status, 409) << again.body;
}

TEST_F(PhoneTest, APendingPhoneCannotJoinACaseClaimAnInvitationOrShowItsNumber) {
  SignUp("13911110002");
  Send();
  const std::string token = Token("13911110002");
  // "Me too" on a public case: refused with the way out, and nothing counted.
  const int64_t case_id = PublicCase();
  const std::string me_too = "/api/v1/cases/" + std::to_string(case_id) + "/me-too";
  HttpResult refused = Api("POST", me_too, token);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("/account/phone"));
  HttpResult c = Api("GET", "/api/v1/cases/" + std::to_string(case_id), "");
  EXPECT_EQ(json::parse(c.body)["me_too_count"], 0);

  // An owner's invitation: refused before the code is looked at, and not counted as a wrong code.
  const int64_t nb = HomeArea().first;
  // An owner of the neighborhood without an account yet (nb-huayang keeps its roster).
  const int64_t owner = CountWhere(
      "SELECT o.id FROM owners o JOIN unit_owners uo ON uo.owner_id = o.id JOIN units u ON u.id = uo.unit_id "
      "JOIN areas b ON b.id = u.building_id WHERE b.parent_id = ? AND o.user_id IS NULL ORDER BY o.id LIMIT 1",
      {nb});
  ASSERT_GT(owner, 0);
  HttpResult letter = Api("POST", "/api/v1/owners/" + std::to_string(owner) + "/invitations", Token("nb-huayang"));
  ASSERT_EQ(letter.status, 201) << letter.body;
  const std::string code = json::parse(letter.body)["code"];
  HttpResult claim = Api("POST", "/api/v1/claims", token, {{"code", code}});
  EXPECT_EQ(claim.status, 409) << claim.body;
  EXPECT_THAT(claim.body, HasSubstr("/account/phone"));
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM owner_claim_failures", {}), 0);

  // A join request: staff do not see the pending number as the person's.
  HttpResult ask = Api("POST", "/api/v1/join-requests", token, {{"neighborhood_id", nb}, {"unit_number", "1-101"}});
  ASSERT_EQ(ask.status, 201) << ask.body;
  const int64_t request = json::parse(ask.body)["id"];
  HttpResult seen = Api("GET", "/api/v1/join-requests/" + std::to_string(request), Token("nb-huayang"));
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_THAT(seen.body, Not(HasSubstr("13911110002")));

  // Verified, all three work: the code from the gateway, then the same requests.
  HttpResult verified = Api("POST", "/api/v1/account/phone/verify", token, {{"code", LatestCode("13911110002")}});
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(json::parse(verified.body)["phone_state"], "verified");
  HttpResult joined = Api("POST", me_too, token);
  EXPECT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(json::parse(joined.body)["me_too_count"], 1);
  EXPECT_THAT(Api("GET", "/api/v1/join-requests/" + std::to_string(request), Token("nb-huayang")).body,
              HasSubstr("13911110002"));
  HttpResult claimed = Api("POST", "/api/v1/claims", token, {{"code", code}});
  EXPECT_EQ(claimed.status, 200) << claimed.body;
}

TEST_F(PhoneTest, CodesExpireAndTheLimitsPerNumberHold) {
  HttpClient web = SignUp("13911110003");
  Send();
  const std::string first = LatestCode("13911110003");
  ASSERT_EQ(first.size(), 6u);
  // Ten minutes later the code has ended.
  clock_.Advance(std::chrono::seconds(contacts::kCodeSeconds + 1));
  HttpResult late = Api("POST", "/api/v1/account/phone/verify", Token("13911110003"), {{"code", first}});
  EXPECT_EQ(late.status, 400) << late.body;
  EXPECT_EQ(json::parse(late.body)["error"]["field"], "code");
  // Four more codes in the hour (five with the sign-up's), a minute apart; the sixth is refused.
  for (int i = 0; i < contacts::kCodesPerAddressHour - 1; ++i) {
    clock_.Advance(std::chrono::seconds(contacts::kResendSeconds + 1));
    HttpResult sent = Api("POST", "/api/v1/account/phone", Token("13911110003"));
    ASSERT_EQ(sent.status, 202) << i << sent.body;
  }
  clock_.Advance(std::chrono::seconds(contacts::kResendSeconds + 1));
  HttpResult over = Api("POST", "/api/v1/account/phone", Token("13911110003"));
  EXPECT_EQ(over.status, 429) << over.body;
  // A new code ends the earlier ones: only the latest one verifies.
  Send();
  const std::vector<std::string> texts = TextsTo("13911110003");
  ASSERT_EQ(texts.size(), static_cast<size_t>(contacts::kCodesPerAddressHour));
  HttpResult ok =
      Api("POST", "/api/v1/account/phone/verify", Token("13911110003"), {{"code", LatestCode("13911110003")}});
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST_F(PhoneTest, AUsernameAccountHasNoPhoneToVerify) {
  HttpResult state = Api("GET", "/api/v1/account/phone", Token("resident1"));
  ASSERT_EQ(state.status, 200);
  EXPECT_TRUE(json::parse(state.body)["phone"].is_null());
  EXPECT_EQ(Api("POST", "/api/v1/account/phone", Token("resident1")).status, 409);
  HttpClient web = SignedIn("resident1");
  HttpResult page = web.Get("/account/phone");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, Not(HasSubstr("action=\"/account/phone\"")));
}

// The other suites' server has no gateway: a phone sign-up is "unchecked", counts, and is asked for no code.
class PhoneWithoutGatewayTest : public PhoneSuite {};

TEST_F(PhoneWithoutGatewayTest, APhoneSignUpIsUncheckedAndCounts) {
  HttpClient c = Client();
  c.Get("/sign-up");
  HttpResult r =
      c.PostForm("/sign-up", {{"login", "13911110009"}, {"display_name", "新居民"}, {"password", "password-123"}});
  ASSERT_EQ(r.status, 303) << r.body;
  EXPECT_EQ(r.Header("location"), "/account");
  HttpResult state = Api("GET", "/api/v1/account/phone", Token("13911110009"));
  ASSERT_EQ(state.status, 200);
  EXPECT_EQ(json::parse(state.body)["phone_state"], "unchecked");
  EXPECT_EQ(json::parse(state.body)["sms_available"], false);
  HttpResult send = Api("POST", "/api/v1/account/phone", Token("13911110009"));
  EXPECT_EQ(send.status, 409);
  EXPECT_THAT(send.body, HasSubstr("SMS gateway"));
  const int64_t id = PublicCase();
  EXPECT_EQ(Api("POST", "/api/v1/cases/" + std::to_string(id) + "/me-too", Token("13911110009")).status, 200);
}

}  // namespace
}  // namespace ningju::testing
