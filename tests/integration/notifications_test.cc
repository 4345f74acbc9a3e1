// Following and notifications over HTTP and through the fan-out job (src/platform/notify), on the backend the
// fixture picked (NINGJU_TEST_BACKEND): follow and unfollow, the fan-out to followers and to the reporter, a private
// case never reaching a stranger, per-kind settings, read and unread, the API's cursor, and exactly-once fan-out
// with two runners at once (PostgreSQL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "notify_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using json = nlohmann::json;

using NotificationsTest = NotifyTest;

TEST_F(NotificationsTest, FollowersAndTheReporterHearAndTheActorDoesNot) {
  const int64_t id = Submit("resident1", true, "小区路灯不亮");
  const std::string ref = "case:" + std::to_string(id);
  ASSERT_EQ(Api("POST", "/api/v1/follows", Token("resident2"), {{"ref", ref}}).status, 200);
  HttpResult list = Api("GET", "/api/v1/follows", Token("resident2"));
  ASSERT_EQ(list.status, 200);
  EXPECT_THAT(list.body, ::testing::HasSubstr(ref));
  Drain();
  Act(id, "accept", "nb-huayang");
  Drain();
  // The follower hears of the acceptance, the reporter too (it concerns them); the staff member who acted does not.
  EXPECT_EQ(KindsFor("resident2", id), std::vector<std::string>({"case.accept"}));
  EXPECT_EQ(KindsFor("resident1", id), std::vector<std::string>({"case.accept"}));
  EXPECT_TRUE(KindsFor("nb-huayang", id).empty());
  // Unfollowed: the next step reaches the reporter only.
  HttpResult off = Api("DELETE", "/api/v1/follows?ref=" + ref, Token("resident2"));
  ASSERT_EQ(off.status, 200) << off.body;
  Answer(id);
  Drain();
  EXPECT_EQ(KindsFor("resident2", id), std::vector<std::string>({"case.accept"}));
  EXPECT_EQ(KindsFor("resident1", id), std::vector<std::string>({"case.answer", "case.accept"}));
  // Following an object of an unknown kind, a malformed reference, or nobody signed in.
  EXPECT_EQ(Api("POST", "/api/v1/follows", Token("resident2"), {{"ref", "nothing:1"}}).status, 404);
  EXPECT_EQ(Api("POST", "/api/v1/follows", Token("resident2"), {{"ref", "case:x"}}).status, 400);
  EXPECT_EQ(Api("POST", "/api/v1/follows", "", {{"ref", ref}}).status, 401);
}

TEST_F(NotificationsTest, APrivateCaseNeverReachesSomeoneWhoMayNotSeeIt) {
  const int64_t id = Submit("resident1", false, "家中漏水影响楼下");
  const std::string ref = "case:" + std::to_string(id);
  // resident2 may not see it, so may not follow it (and learns nothing: 404).
  EXPECT_EQ(Api("POST", "/api/v1/follows", Token("resident2"), {{"ref", ref}}).status, 404);
  // A follow row left from before (e.g. the case was public then): the fan-out checks visibility again.
  auto user = app_->accounts().FindByLogin("resident2");
  ASSERT_OK(user);
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Execute("INSERT INTO follows (user_id, object_ref, since) VALUES (?, ?, 1)", {user->id, ref}));
  }
  Drain();
  Act(id, "accept", "nb-huayang");
  Answer(id);
  Drain();
  EXPECT_TRUE(KindsFor("resident2", id).empty());
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM notifications WHERE object_ref = ? AND user_id = ?", {ref, user->id}), 0);
  EXPECT_EQ(KindsFor("resident1", id), std::vector<std::string>({"case.answer", "case.accept"}));
}

TEST_F(NotificationsTest, MeTooFollowsAndSettingsMuteAKind) {
  const int64_t id = Submit("resident1", true, "电动车楼道充电");
  ASSERT_EQ(Api("POST", "/api/v1/cases/" + std::to_string(id) + "/me-too", Token("resident2")).status, 200);
  HttpResult list = Api("GET", "/api/v1/follows", Token("resident2"));
  EXPECT_THAT(list.body, ::testing::HasSubstr("case:" + std::to_string(id)));
  // resident1 turns "case accepted" off in the site; resident2 keeps the default.
  HttpClient web = SignedIn("resident1");
  ASSERT_EQ(web.Get("/notifications/settings").status, 200);
  std::vector<std::pair<std::string, std::string>> fields;
  for (const std::string& kind : app_->notifications().kinds().NotificationKinds()) {
    if (kind != "case.accept") fields.push_back({"on", kind});
    fields.push_back({"mail", kind});  // email stays on for every kind
  }
  HttpResult saved = web.PostForm("/notifications/settings", fields);
  ASSERT_EQ(saved.status, 303) << saved.body;
  HttpResult page = web.Get("/notifications/settings?saved=1");
  EXPECT_THAT(page.body, ::testing::HasSubstr("name=\"on\" value=\"case.accept\">"));
  EXPECT_THAT(page.body, ::testing::HasSubstr("name=\"mail\" value=\"case.accept\" checked>"));
  Drain();
  Act(id, "accept", "nb-huayang");
  Answer(id);
  Drain();
  EXPECT_EQ(KindsFor("resident1", id), std::vector<std::string>({"case.answer"}));
  EXPECT_EQ(KindsFor("resident2", id), std::vector<std::string>({"case.answer", "case.accept"}));
  EXPECT_EQ(web.PostForm("/notifications/settings", {{"on", "no.such"}}).status, 400);
  // Back to the default for the tests after this one (they share the database).
  fields.push_back({"on", "case.accept"});
  ASSERT_EQ(web.PostForm("/notifications/settings", fields).status, 303);
  EXPECT_THAT(web.Get("/notifications/settings").body,
              ::testing::HasSubstr("name=\"on\" value=\"case.accept\" checked>"));
}

TEST_F(NotificationsTest, ReadUnreadCursorAndTheCenter) {
  const int64_t id = Submit("resident1", true, "垃圾箱满溢");
  Drain();
  Act(id, "accept", "nb-huayang");
  Answer(id);
  Drain();
  const std::string token = Token("resident1");
  HttpResult first = Api("GET", "/api/v1/notifications?limit=1&unread=1", token);
  ASSERT_EQ(first.status, 200) << first.body;
  json page = json::parse(first.body);
  ASSERT_EQ(page["items"].size(), 1u);
  const int64_t unread = page["unread"].get<int64_t>();
  EXPECT_GE(unread, 2);
  ASSERT_TRUE(page["next_cursor"].is_string());
  HttpResult second =
      Api("GET", "/api/v1/notifications?limit=1&unread=1&cursor=" + page["next_cursor"].get<std::string>(), token);
  ASSERT_EQ(second.status, 200);
  json page2 = json::parse(second.body);
  ASSERT_EQ(page2["items"].size(), 1u);
  EXPECT_LT(page2["items"][0]["id"].get<int64_t>(), page["items"][0]["id"].get<int64_t>());
  const int64_t nid = page["items"][0]["id"].get<int64_t>();
  EXPECT_EQ(page["items"][0]["path"], "/cases/" + std::to_string(id));
  // Another's notification is not found; one's own is marked once.
  EXPECT_EQ(Api("POST", "/api/v1/notifications/" + std::to_string(nid) + "/read", Token("resident2")).status, 404);
  ASSERT_EQ(Api("POST", "/api/v1/notifications/" + std::to_string(nid) + "/read", token).status, 200);
  ASSERT_EQ(Api("POST", "/api/v1/notifications/" + std::to_string(nid) + "/read", token).status, 200);
  json after = json::parse(Api("GET", "/api/v1/notifications?unread=1&limit=100", token).body);
  EXPECT_EQ(after["unread"].get<int64_t>(), unread - 1);
  for (const auto& n : after["items"]) EXPECT_NE(n["id"].get<int64_t>(), nid);
  EXPECT_EQ(Api("GET", "/api/v1/notifications?cursor=garbage", token).status, 400);
  EXPECT_EQ(Api("GET", "/api/v1/notifications?limit=1000", token).status, 400);
  // The center shows the case's title and the unread count; "mark all read" empties the unread filter.
  HttpClient web = SignedIn("resident1");
  HttpResult center = web.Get("/notifications");
  ASSERT_EQ(center.status, 200);
  EXPECT_THAT(center.body, ::testing::HasSubstr("垃圾箱满溢"));
  EXPECT_THAT(center.body, ::testing::HasSubstr("诉求已答复"));
  // Every page's header links to the center with the unread count (Site::SetHeaderData), and without a badge once
  // all are read.
  const std::string badge = "<span class=\"badge\">" + std::to_string(unread - 1) + "</span></a>";
  EXPECT_THAT(web.Get("/").body, ::testing::HasSubstr("id=\"nav-notifications\">通知 " + badge));
  ASSERT_EQ(web.PostForm("/notifications/read-all", {}).status, 303);
  EXPECT_EQ(json::parse(Api("GET", "/api/v1/notifications?unread=1", token).body)["items"].size(), 0u);
  HttpResult home = web.Get("/");
  EXPECT_THAT(home.body, ::testing::HasSubstr("id=\"nav-notifications\">通知</a>"));
  EXPECT_THAT(Client().Get("/").body, ::testing::Not(::testing::HasSubstr("nav-notifications")));
  EXPECT_EQ(Client().Get("/notifications").status, 303);  // anonymous: to the sign-in page
}

TEST_F(NotificationsTest, TheFollowButtonOnACasePage) {
  const int64_t id = Submit("resident1", true, "健身器材损坏");
  const std::string path = "/cases/" + std::to_string(id);
  HttpClient web = SignedIn("resident2");
  HttpResult page = web.Get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, ::testing::HasSubstr("action=\"/follow\""));
  HttpResult followed = web.PostForm("/follow", {{"ref", "case:" + std::to_string(id)}, {"next", path}});
  ASSERT_EQ(followed.status, 303) << followed.body;
  EXPECT_THAT(web.Get(path).body, ::testing::HasSubstr("action=\"/unfollow\""));
  ASSERT_EQ(web.PostForm("/unfollow", {{"ref", "case:" + std::to_string(id)}, {"next", path}}).status, 303);
  EXPECT_THAT(web.Get(path).body, ::testing::HasSubstr("action=\"/follow\""));
  // Without the CSRF token the form is refused.
  EXPECT_EQ(web.PostForm("/follow", {{"ref", "case:" + std::to_string(id)}, {"next", path}}, false).status, 403);
}

// Two runners at once (two servers, or one whose lease expired): every event is fanned out by exactly one of them
// and every recipient gets it once.
TEST_F(NotificationsTest, ExactlyOnceWithTwoRunnersAtOnce) {
  if (app_->db().dialect() != storage::Dialect::kPostgres) GTEST_SKIP() << "concurrency is tested on PostgreSQL";
  Drain();
  std::vector<int64_t> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(Submit("resident1", true, "并发测试诉求 " + std::to_string(i)));
  auto user = app_->accounts().FindByLogin("resident2");
  ASSERT_OK(user);
  for (int64_t id : ids) {
    ASSERT_EQ(Api("POST", "/api/v1/follows", Token("resident2"), {{"ref", "case:" + std::to_string(id)}}).status, 200);
  }
  Drain();
  for (int64_t id : ids) {
    Act(id, "accept", "nb-huayang");
    Answer(id);
  }
  std::atomic<int> fanned{0};
  std::atomic<bool> failed{false};
  auto runner = [&] {
    for (int i = 0; i < 100; ++i) {
      auto r = app_->notifications().FanOut();
      if (!r.ok()) {
        failed = true;
        return;
      }
      fanned += r->fanned;
      if (r->waiting == 0) return;
    }
  };
  std::thread a(runner), b(runner);
  a.join();
  b.join();
  ASSERT_FALSE(failed);
  Drain();  // the server's own runner may have taken some
  for (int64_t id : ids) {
    const std::string ref = "case:" + std::to_string(id);
    EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM notifications WHERE object_ref = ? AND user_id = ?", {ref, user->id}),
              2);
    // Two runners wrote them, so their ids need not follow the events' order.
    EXPECT_THAT(KindsFor("resident1", id), ::testing::UnorderedElementsAre("case.answer", "case.accept"));
  }
  EXPECT_LE(fanned.load(), 12 + 6);  // never more than the events written (each fanned once)
  EXPECT_EQ(CountWhere("SELECT COUNT(*) FROM (SELECT user_id, event_id FROM notifications GROUP BY user_id, event_id "
                       "HAVING COUNT(*) > 1) d",
                       {}),
            0);
}

}  // namespace
}  // namespace ningju::testing
