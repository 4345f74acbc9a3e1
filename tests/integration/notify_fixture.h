// The fixture of the notification suites (notifications_test.cc, email_test.cc): cases reported and acted on
// through the API, the fan-out run by hand until it drains.
#ifndef NINGJU_TESTS_INTEGRATION_NOTIFY_FIXTURE_H_
#define NINGJU_TESTS_INTEGRATION_NOTIFY_FIXTURE_H_

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "app_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {

class NotifyTest : public AppTest {
 protected:
  nlohmann::json Report(int64_t building, bool is_public, const std::string& title) {
    return {{"type", "enquiry"},        {"category", "property_management"},
            {"title", title},           {"description", "楼道里堆满纸箱，存在消防隐患。"},
            {"area_id", building},      {"channel", "web"},
            {"contact_name", "陆小凤"}, {"contact_phone", "13900001111"},
            {"public", is_public}};
  }
  int64_t Submit(const std::string& login, bool is_public, const std::string& title) {
    HttpResult r = Api("POST", "/api/v1/cases", Token(login), Report(HomeArea().second, is_public, title));
    EXPECT_EQ(r.status, 201) << r.body;
    return nlohmann::json::parse(r.body).value("id", int64_t{0});
  }
  void Act(int64_t id, const std::string& action, const std::string& login, const nlohmann::json& body = nullptr) {
    HttpResult r = Api("POST", "/api/v1/cases/" + std::to_string(id) + "/actions/" + action, Token(login), body);
    ASSERT_EQ(r.status, 200) << action << ": " << r.body;
  }
  // Answers the case directly (staff's "answer": no unit needed).
  void Answer(int64_t id) { Act(id, "answer", "nb-huayang", {{"note", "已联系物业清理。"}}); }

  // Runs the fan-out until a call finds nothing waiting (the server's own job runner may take some of them).
  void Drain() {
    for (int i = 0; i < 100; ++i) {
      auto r = app_->notifications().FanOut();
      ASSERT_OK(r);
      if (r->waiting == 0) return;
    }
    ADD_FAILURE() << "the fan-out did not drain";
  }
  // The kinds of `login`'s notifications about `ref`, newest first.
  std::vector<std::string> KindsFor(const std::string& login, int64_t case_id) {
    HttpResult r = Api("GET", "/api/v1/notifications?limit=100", Token(login));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> out;
    const nlohmann::json body = nlohmann::json::parse(r.body);
    for (const auto& n : body["items"]) {
      if (n["object_ref"] == "case:" + std::to_string(case_id)) out.push_back(n["kind"]);
    }
    return out;
  }
  int64_t CountWhere(const std::string& sql, const storage::Params& params) {
    auto conn = app_->db().Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(sql, params);
    EXPECT_OK(row);
    return row.ok() ? row->Int(0) : -1;
  }
};

}  // namespace ningju::testing

#endif  // NINGJU_TESTS_INTEGRATION_NOTIFY_FIXTURE_H_
