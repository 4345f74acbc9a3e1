// The web pages of cases over HTTP (fixture: app_fixture.h): forms refused without their CSRF token, the door QR
// pre-fill, the two-step report with similar cases, uploads refused unless image or PDF, files for the reporter and
// not for strangers, the public list without names or phones, the case page's action forms, the inbox batch, and the
// rates' .xlsx export holding the same numbers as the API, and the rates table sorted on the server with its chart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "app_fixture.h"
#include "common/text_util.h"
#include "governance/areas/xlsx.h"
#include "testing/status_matchers.h"
#include "web/number_format.h"

namespace ningju::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;

std::string SourceFile(const std::string& path) {
  const char* root = std::getenv("NINGJU_SOURCE_DIR") ? std::getenv("NINGJU_SOURCE_DIR") : NINGJU_SOURCE_DIR_FALLBACK;
  std::ifstream in(std::string(root) + "/" + path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct FilePart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::string bytes;
};

constexpr char kBoundary[] = "----ningjuTestBoundary7MA4YWxkTrZu0gW";

std::string Multipart(const std::vector<std::pair<std::string, std::string>>& fields,
                      const std::vector<FilePart>& files) {
  std::string body;
  for (const auto& [k, v] : fields) {
    body +=
        std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n";
  }
  for (const auto& f : files) {
    body += std::string("--") + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + f.name + "\"; filename=\"" +
            f.filename + "\"\r\nContent-Type: " + f.content_type + "\r\n\r\n" + f.bytes + "\r\n";
  }
  body += std::string("--") + kBoundary + "--\r\n";
  return body;
}

// The texts between each `open` and the next `close` in `text` from `from` on, in order.
std::vector<std::string> Between(const std::string& text, const std::string& open, const std::string& close,
                                 size_t from = 0) {
  std::vector<std::string> out;
  for (size_t at = text.find(open, from); at != std::string::npos; at = text.find(open, at + open.size())) {
    const size_t start = at + open.size();
    const size_t end = text.find(close, start);
    if (end == std::string::npos) break;
    out.push_back(text.substr(start, end - start));
  }
  return out;
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

// The row names of the rates table, in the page's order.
std::vector<std::string> TableRowNames(const std::string& page) {
  const size_t table = page.find("<table class=\"case-metrics card-table\">");
  if (table == std::string::npos) return {};
  return Between(page, "<tr><th scope=\"row\">", "</th>", table);
}

// The rows of the API's rates (`items`) in the order the page promises for `sort`: by the value (a rate exactly, by
// cross-multiplication), rows without a value last in both directions, ties by name and then id. As HTML-escaped
// names.
std::vector<std::string> ExpectedOrder(const json& items, const std::string& sort, bool descending) {
  std::vector<json> rows(items.begin(), items.end());
  auto missing = [&](const json& r) { return sort != "dispatched" && r[sort]["denominator"].get<int64_t>() == 0; };
  auto compare = [&](const json& a, const json& b) -> int {
    if (sort == "dispatched") {
      const int64_t x = a["dispatched"], y = b["dispatched"];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const int64_t l = a[sort]["numerator"].get<int64_t>() * b[sort]["denominator"].get<int64_t>();
    const int64_t r = b[sort]["numerator"].get<int64_t>() * a[sort]["denominator"].get<int64_t>();
    return l < r ? -1 : l > r ? 1 : 0;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    if (missing(a) != missing(b)) return missing(b);
    if (!missing(a)) {
      const int c = compare(a, b);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    if (a["name"] != b["name"]) return a["name"].get<std::string>() < b["name"].get<std::string>();
    return a["id"].get<int64_t>() < b["id"].get<int64_t>();
  });
  std::vector<std::string> names;
  for (const auto& r : rows) names.push_back(XmlEscape(r["name"].get<std::string>()));
  return names;
}

class CasesWebTest : public AppTest {
 protected:
  std::vector<std::pair<std::string, std::string>> Fields(int64_t area, const std::string& title, bool is_public,
                                                          const std::string& csrf) {
    std::vector<std::pair<std::string, std::string>> f = {{"type", "complaint"},
                                                          {"category", "property_management"},
                                                          {"area_id", std::to_string(area)},
                                                          {"title", title},
                                                          {"description", "楼道里堆满纸箱，存在消防隐患。"},
                                                          {"urgency", "normal"},
                                                          {"channel", "door_qr"},
                                                          {"contact_name", "陆小凤"},
                                                          {"contact_phone", "13900001111"}};
    if (is_public) f.push_back({"public", "1"});
    if (!csrf.empty()) f.push_back({"_csrf", csrf});
    return f;
  }

  HttpResult PostMultipart(HttpClient& c, const std::string& target, const std::string& body) {
    return c.Post(target, body, std::string("multipart/form-data; boundary=") + kBoundary);
  }

  // Reports through the web form as `c` (which has seen a page with the CSRF token); returns the case id.
  int64_t ReportAs(HttpClient& c, int64_t area, const std::string& title, bool is_public,
                   const std::vector<FilePart>& files = {}) {
    c.Get("/buildings/" + std::to_string(area) + "/report");
    HttpResult r = PostMultipart(c, "/cases", Multipart(Fields(area, title, is_public, c.csrf()), files));
    EXPECT_EQ(r.status, 303) << r.body;
    const std::string location = r.Header("location");
    EXPECT_THAT(location, HasSubstr("/cases/"));
    return std::stoll(location.substr(location.find("/cases/") + 7));
  }

  // GET `path` as `login`: its JSON, expecting 200.
  json GetJson(const std::string& login, const std::string& path) {
    HttpResult r = Api("GET", path, TokenFor(login));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body);
  }
};

TEST_F(CasesWebTest, DoorQrPageLeadsToTheFormWithTheBuildingChosen) {
  auto [nb, building] = HomeArea();
  HttpClient c = Client();
  HttpResult page = c.Get("/buildings/" + std::to_string(building));
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("href=\"/buildings/" + std::to_string(building) + "/report\""));
  HttpResult form = c.Get("/buildings/" + std::to_string(building) + "/report");
  ASSERT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("<option value=\"" + std::to_string(building) + "\" selected>"));
  EXPECT_THAT(form.body, HasSubstr("name=\"channel\" value=\"door_qr\""));
  // The neighborhood is not a building: no door form for it.
  EXPECT_EQ(c.Get("/buildings/" + std::to_string(nb) + "/report").status, 404);
}

TEST_F(CasesWebTest, AnonymousReportNeedsTheCsrfTokenAndAPhone) {
  auto [nb, building] = HomeArea();
  HttpClient c = Client();
  c.Get("/buildings/" + std::to_string(building) + "/report");
  // Without the token: refused, nothing stored.
  HttpResult refused = PostMultipart(c, "/cases", Multipart(Fields(building, "匿名无令牌", false, ""), {}));
  EXPECT_EQ(refused.status, 403);
  // Without a phone: the form again, naming the field.
  auto fields = Fields(building, "匿名无电话", false, c.csrf());
  for (auto& [k, v] : fields) {
    if (k == "contact_phone") v = "";
  }
  HttpResult no_phone = PostMultipart(c, "/cases", Multipart(fields, {}));
  EXPECT_EQ(no_phone.status, 400);
  EXPECT_THAT(no_phone.body, HasSubstr("contact_phone"));
  // With both: the receipt, the phone masked.
  HttpResult ok = PostMultipart(c, "/cases", Multipart(Fields(building, "匿名反映楼道堆物", false, c.csrf()), {}));
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_THAT(ok.body, HasSubstr("139****1111"));
  EXPECT_THAT(ok.body, Not(HasSubstr("13900001111")));
  // Staff see it with the door_qr channel.
  json list = GetJson("nb-huayang", "/api/v1/cases?state=submitted&limit=200");
  bool found = false;
  for (const auto& item : list["items"]) {
    if (item["title"] == "匿名反映楼道堆物") {
      found = true;
      EXPECT_EQ(item["channel"], "door_qr");
      EXPECT_FALSE(item.contains("reporter_id") && !item["reporter_id"].is_null());
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(CasesWebTest, SecondStepShowsSimilarOpenCasesWithMeToo) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  const int64_t first = ReportAs(r1, building, "楼道堆物无人清理消防隐患", true);
  HttpClient r2 = SignedIn("resident2");
  r2.Get("/cases/new?area=" + std::to_string(building));
  HttpResult step2 = r2.PostForm("/cases/new", {{"type", "complaint"},
                                                {"category", "property_management"},
                                                {"area_id", std::to_string(building)},
                                                {"title", "楼道堆物没人清理"},
                                                {"description", "楼道堆物存在消防隐患"}});
  ASSERT_EQ(step2.status, 200) << step2.body;
  EXPECT_THAT(step2.body, HasSubstr("action=\"/cases/" + std::to_string(first) + "/me-too\""));
  EXPECT_THAT(step2.body, HasSubstr("enctype=\"multipart/form-data\""));
  // Without the token the draft step is refused too.
  EXPECT_EQ(r2.PostForm("/cases/new", {{"title", "x"}}, false).status, 403);
  // Me too from the second step.
  HttpResult me = r2.PostForm("/cases/" + std::to_string(first) + "/me-too", {});
  ASSERT_EQ(me.status, 303) << me.body;
  HttpResult page = r2.Get("/cases/" + std::to_string(first));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(GetJson("resident2", "/api/v1/cases/" + std::to_string(first))["me_too_count"], 1);
}

TEST_F(CasesWebTest, UploadsAreImagesOrPdfAndServedOnlyToThoseWhoSeeTheCase) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  r1.Get("/cases/new");
  // A text file named like a photo: refused by its sniffed type, and no case is stored.
  const json before = GetJson("resident1", "/api/v1/cases?mine=1&limit=200");
  HttpResult text = PostMultipart(r1, "/cases",
                                  Multipart(Fields(building, "带文本附件", false, r1.csrf()),
                                            {{"files", "photo.jpg", "image/jpeg", "just some text, not a picture"}}));
  EXPECT_EQ(text.status, 400);
  EXPECT_THAT(text.body, HasSubstr("text/plain"));
  EXPECT_EQ(GetJson("resident1", "/api/v1/cases?mine=1&limit=200")["items"].size(), before["items"].size());

  const std::string png = SourceFile("tests/record/photo.png");
  const std::string pdf = SourceFile("tests/record/sheet.pdf");
  ASSERT_FALSE(png.empty());
  const int64_t id = ReportAs(r1, building, "外墙瓷砖脱落有照片", false,
                              {{"files", "墙面.png", "image/png", png}, {"files", "说明.pdf", "application/pdf", pdf}});
  HttpResult page = r1.Get("/cases/" + std::to_string(id));
  ASSERT_EQ(page.status, 200);
  const std::string prefix = "/cases/" + std::to_string(id) + "/files/";
  const size_t at = page.body.find("src=\"" + prefix);
  ASSERT_NE(at, std::string::npos) << "a thumbnail is shown";
  const size_t start = at + 5 + prefix.size();
  const std::string file_id = page.body.substr(start, page.body.find('/', start) - start);
  HttpResult thumb = r1.Get(prefix + file_id + "/thumbnail");
  EXPECT_EQ(thumb.status, 200);
  EXPECT_EQ(thumb.Header("content-type"), "image/jpeg");
  HttpResult full = r1.Get(prefix + file_id);
  EXPECT_EQ(full.status, 200);
  EXPECT_EQ(full.body, png);
  // A stranger (another subdistrict's resident) and an anonymous visitor get nothing.
  HttpClient stranger = SignedIn("resident2");
  EXPECT_EQ(stranger.Get(prefix + file_id).status, 403);
  EXPECT_EQ(stranger.Get(prefix + file_id + "/thumbnail").status, 403);
  EXPECT_EQ(Client().Get(prefix + file_id).status, 401);
  // Staff over the area see it; a file id of another case is 404 here.
  HttpClient staff = SignedIn("nb-huayang");
  EXPECT_EQ(staff.Get(prefix + file_id).status, 200);
  EXPECT_EQ(staff.Get(prefix + "999999").status, 404);
}

TEST_F(CasesWebTest, PublicListShowsNoNameOrPhoneAndPlotsBuildings) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  ReportAs(r1, building, "小区路灯损坏不亮", true);
  ReportAs(r1, building, "私下反映的问题", false);
  HttpResult page = Client().Get("/neighborhoods/" + std::to_string(nb) + "/cases");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("小区路灯损坏不亮"));
  EXPECT_THAT(page.body, Not(HasSubstr("私下反映的问题")));
  EXPECT_THAT(page.body, Not(HasSubstr("陆小凤")));
  EXPECT_THAT(page.body, Not(HasSubstr("13900001111")));
  EXPECT_THAT(page.body, HasSubstr("<svg"));
  EXPECT_THAT(page.body, HasSubstr("role=\"img\""));
  // Signed-in staff get the same public page: no personal data either.
  HttpResult staff = SignedIn("nb-huayang").Get("/neighborhoods/" + std::to_string(nb) + "/cases");
  EXPECT_THAT(staff.body, Not(HasSubstr("陆小凤")));
  EXPECT_EQ(Client().Get("/neighborhoods/" + std::to_string(building) + "/cases").status, 404);
}

TEST_F(CasesWebTest, CasePageActionsAsFormsThroughToTheRating) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  const int64_t id = ReportAs(r1, building, "物业不公示收支", false);
  const std::string path = "/cases/" + std::to_string(id);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("value=\"dispatch\""));
  EXPECT_THAT(page.body, HasSubstr("13900001111"));  // staff over the area see the contact
  // The routing proposal (property management -> the housing bureau) is pre-selected.
  const json units = GetJson("nb-huayang", "/api/v1/handling-units");
  int64_t housing = 0;
  for (const auto& u : units["items"]) {
    if (u["code"] == "dept-housing") housing = u["id"].get<int64_t>();
  }
  EXPECT_THAT(page.body, HasSubstr("<option value=\"" + std::to_string(housing) + "\" selected>"));
  // Without the token: refused.
  EXPECT_EQ(staff.PostForm(path + "/act", {{"action", "dispatch"}}, false).status, 403);
  HttpResult d = staff.PostForm(
      path + "/act", {{"action", "dispatch"}, {"lead_unit_id", std::to_string(housing)}, {"complex_shown", "1"}});
  ASSERT_EQ(d.status, 303) << d.body;
  // The unit: sign from the inbox (batch), then a reply without text is the form again with 400, then the reply.
  HttpClient unit = SignedIn("unit-housing");
  HttpResult inbox = unit.Get("/inbox");
  ASSERT_EQ(inbox.status, 302);
  EXPECT_EQ(inbox.Header("location"), "/units/" + std::to_string(housing) + "/inbox");
  HttpResult box = unit.Get("/units/" + std::to_string(housing) + "/inbox");
  ASSERT_EQ(box.status, 200);
  EXPECT_THAT(box.body, HasSubstr("value=\"" + std::to_string(id) + "\""));
  HttpResult batch =
      unit.PostForm("/units/" + std::to_string(housing) + "/inbox", {{"action", "sign"}, {"case", std::to_string(id)}});
  ASSERT_EQ(batch.status, 303) << batch.body;
  EXPECT_THAT(batch.Header("location"), HasSubstr("done=1&failed=0"));
  unit.Get(path);
  HttpResult empty = unit.PostForm(path + "/act", {{"action", "reply"}, {"note", ""}});
  EXPECT_EQ(empty.status, 400);
  EXPECT_THAT(empty.body, HasSubstr("role=\"alert\""));
  EXPECT_EQ(unit.PostForm(path + "/act", {{"action", "reply"}, {"note", "已督促物业本周公示。"}}).status, 303);
  // An illegal action is 409 with the state named.
  HttpResult again = unit.PostForm(path + "/act", {{"action", "sign"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_THAT(again.body, HasSubstr("replied"));
  // The resident rates it.
  r1.Get(path);
  HttpResult rate = r1.PostForm(
      path + "/act",
      {{"action", "follow_up"}, {"resolved", "1"}, {"satisfaction", "satisfied"}, {"note", "很快就公示了"}});
  ASSERT_EQ(rate.status, 303) << rate.body;
  HttpResult after = r1.Get(path);
  EXPECT_THAT(after.body, HasSubstr("很快就公示了"));
  EXPECT_THAT(after.body, HasSubstr("已督促物业本周公示。"));
  EXPECT_EQ(GetJson("resident1", "/api/v1/cases/" + std::to_string(id))["state"], "followed_up");
  // My cases lists it; a stranger gets 403 on the page.
  EXPECT_THAT(r1.Get("/cases/mine").body, HasSubstr(path + "\""));
  EXPECT_EQ(SignedIn("resident2").Get(path).status, 403);
}

// The dispatch form's co-units are checkboxes under their kind (no multi-select to Ctrl-click), each picker has a
// filter box that is hidden until static/app.js shows it, and two ticked co-units post as two co_unit_ids fields,
// the contract the multi-select had: both are dispatched beside the lead unit.
TEST_F(CasesWebTest, DispatchCoUnitsAreCheckboxesWithAFilterAndTwoTickedAreBothDispatched) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  const int64_t id = ReportAs(r1, building, "楼前绿地被占用堆放建材", false);
  const std::string path = "/cases/" + std::to_string(id);
  std::map<std::string, int64_t> unit;
  const json units = GetJson("nb-huayang", "/api/v1/handling-units");  // kept: a loop over a temporary's part dangles
  for (const auto& u : units["items"]) {
    unit[u["code"].get<std::string>()] = u["id"].get<int64_t>();
  }
  const int64_t housing = unit["dept-housing"], greenery = unit["dept-greenery"];
  const int64_t environment = unit["dept-environment"];
  ASSERT_NE(greenery, 0);
  ASSERT_NE(environment, 0);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(path);
  ASSERT_EQ(page.status, 200);
  const std::string& html = page.body;
  EXPECT_THAT(html, Not(HasSubstr(" multiple")));
  EXPECT_THAT(html, Not(HasSubstr("<select id=\"co-dispatch\"")));
  EXPECT_THAT(
      html,
      HasSubstr("<fieldset class=\"picker\" aria-describedby=\"co-hint-dispatch\">\n"
                "      <legend>协办单位</legend>\n"
                "      <p class=\"hint\" id=\"co-hint-dispatch\">可勾选多个，最多 10 个；不选则不设协办单位。</p>"));
  EXPECT_THAT(html, HasSubstr("<fieldset class=\"picker-group\" data-picker-group><legend>区职能部门</legend>"));
  for (int64_t u : {housing, greenery, environment}) {
    EXPECT_THAT(html, HasSubstr("<label class=\"picker-option\" data-picker-option><input type=\"checkbox\" "
                                "name=\"co_unit_ids\" value=\"" +
                                std::to_string(u) + "\">"));
  }
  // Every unit is in both pickers.
  const size_t lead = html.find("<select id=\"lead-dispatch\"");
  ASSERT_NE(lead, std::string::npos);
  EXPECT_EQ(Count(html, "name=\"co_unit_ids\""),
            Count(html.substr(lead, html.find("</select>", lead) - lead), "<option value="));
  EXPECT_THAT(html, HasSubstr("<span>区绿化和市容管理局</span></label>"));
  EXPECT_THAT(html, Not(HasSubstr("<fieldset class=\"picker-group\" data-picker-group><legend>"
                                  "区职能部门</legend></fieldset>")));
  // Both filter boxes: hidden without the script, labelled, pointing at their list and at the no-match live region;
  // the filter inputs have no name, so they add nothing to the POST.
  EXPECT_EQ(Count(html, "<div class=\"picker-filter\" data-picker-box hidden>"), 2u);
  EXPECT_THAT(html, HasSubstr("<label for=\"lead-filter-dispatch\">筛选主办单位</label>\n      <input "
                              "id=\"lead-filter-dispatch\" type=\"search\" autocomplete=\"off\" "
                              "data-picker-filter=\"lead-dispatch\" data-picker-empty=\"lead-empty-dispatch\" "
                              "aria-controls=\"lead-dispatch\" aria-describedby=\"lead-empty-dispatch\">"));
  EXPECT_THAT(html, HasSubstr("<label for=\"co-filter-dispatch\">筛选协办单位</label>"));
  EXPECT_THAT(html, HasSubstr("data-picker-filter=\"co-dispatch\""));
  EXPECT_THAT(html, HasSubstr("<div class=\"picker-list\" id=\"co-dispatch\">"));
  EXPECT_THAT(html, HasSubstr("id=\"co-empty-dispatch\" role=\"status\" aria-live=\"polite\" "
                              "data-picker-empty-text=\"没有名称或类别匹配的单位。\"></p>"));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));  // no inline script: the CSP forbids it

  HttpResult d = staff.PostForm(path + "/act", {{"action", "dispatch"},
                                                {"lead_unit_id", std::to_string(housing)},
                                                {"co_unit_ids", std::to_string(greenery)},
                                                {"co_unit_ids", std::to_string(environment)},
                                                {"complex_shown", "1"}});
  ASSERT_EQ(d.status, 303) << d.body;
  {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto rows = (*conn)->Execute(
        "SELECT unit_id, role FROM case_assignments WHERE case_id = ? AND ended_at IS NULL ORDER BY unit_id", {id});
    ASSERT_OK(rows);
    std::set<std::pair<int64_t, std::string>> got;
    for (const auto& r : rows->rows) got.insert({r.Int(0), r.Text(1)});
    EXPECT_EQ(got,
              (std::set<std::pair<int64_t, std::string>>{{housing, "lead"}, {greenery, "co"}, {environment, "co"}}));
  }
  HttpResult after = staff.Get(path);
  ASSERT_EQ(after.status, 200);
  const size_t table = after.body.find("id=\"assign-heading\"");
  ASSERT_NE(table, std::string::npos);
  const std::string assignments = after.body.substr(table, after.body.find("</table>", table) - table);
  const std::vector<std::string> names = Between(assignments, "<th scope=\"row\" data-label=\"承办单位\">", "</th>");
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("区房屋管理局", "区绿化和市容管理局", "区生态环境局"));
}

// A rejected case cannot be reopened: the reject form has a box to tick that names the consequence, and staff who
// post it unticked get the form again (400, field "confirm") with the case unchanged. The other actions ask nothing.
TEST_F(CasesWebTest, RejectOnThePageAsksToConfirm) {
  auto [nb, building] = HomeArea();
  HttpClient r1 = SignedIn("resident1");
  const int64_t id = ReportAs(r1, building, "小区外马路占道经营", false);
  const std::string path = "/cases/" + std::to_string(id);
  const std::string api = "/api/v1/cases/" + std::to_string(id);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult page = staff.Get(path);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body,
              HasSubstr("<input id=\"confirm-reject\" name=\"confirm\" type=\"checkbox\" value=\"1\" required>"
                        "<label for=\"confirm-reject\">我知道：不予受理后本件即办结，不能再重新打开</label>"));
  EXPECT_THAT(page.body, HasSubstr("<button type=\"submit\" class=\"danger\">不予受理</button>"));
  // Only the reject form among the actions carries the box.
  size_t boxes = 0;
  for (size_t at = page.body.find("id=\"confirm-"); at != std::string::npos;
       at = page.body.find("id=\"confirm-", at + 1)) {
    ++boxes;
  }
  EXPECT_EQ(boxes, 1u);

  // The reporter may not reject: 403, never asked to confirm.
  r1.Get(path);
  EXPECT_EQ(r1.PostForm(path + "/act", {{"action", "reject"}, {"note", "不属于社区事务"}}).status, 403);
  // Staff without the box ticked: the form again with 400 naming the field; the case is unchanged.
  HttpResult unticked = staff.PostForm(path + "/act", {{"action", "reject"}, {"note", "不属于社区事务"}});
  EXPECT_EQ(unticked.status, 400) << unticked.body;
  EXPECT_THAT(unticked.body, HasSubstr("role=\"alert\">请勾选确认框：此操作不能撤销（确认框）"));
  EXPECT_THAT(unticked.body, HasSubstr("value=\"reject\""));
  EXPECT_EQ(GetJson("nb-huayang", api)["state"], "submitted");
  // Ticked: rejected, as before.
  HttpResult rejected =
      staff.PostForm(path + "/act", {{"action", "reject"}, {"note", "不属于社区事务"}, {"confirm", "1"}});
  ASSERT_EQ(rejected.status, 303) << rejected.body;
  EXPECT_EQ(rejected.Header("location"), path + "?done=reject");
  EXPECT_EQ(GetJson("nb-huayang", api)["state"], "rejected");
}

TEST_F(CasesWebTest, StaffEntryIsForStaff) {
  auto [nb, building] = HomeArea();
  EXPECT_EQ(SignedIn("resident1").Get("/cases/entry").status, 403);
  HttpClient staff = SignedIn("nb-huayang");
  HttpResult form = staff.Get("/cases/entry");
  ASSERT_EQ(form.status, 200);
  EXPECT_THAT(form.body, HasSubstr("name=\"channel\""));
  auto fields = Fields(building, "来电反映水压不足", false, staff.csrf());
  for (auto& [k, v] : fields) {
    if (k == "channel") v = "phone";
  }
  HttpResult r = PostMultipart(staff, "/cases", Multipart(fields, {}));
  ASSERT_EQ(r.status, 303) << r.body;
  HttpResult page = staff.Get(r.Header("location"));
  EXPECT_THAT(page.body, HasSubstr("来电反映水压不足"));
  // A resident cannot use a staff channel.
  HttpClient r1 = SignedIn("resident1");
  r1.Get("/cases/new");
  fields = Fields(building, "冒充电话渠道", false, r1.csrf());
  for (auto& [k, v] : fields) {
    if (k == "channel") v = "phone";
  }
  EXPECT_EQ(PostMultipart(r1, "/cases", Multipart(fields, {})).status, 403);
}

TEST_F(CasesWebTest, MetricsPageAndXlsxExportHoldTheApiNumbers) {
  HttpClient staff = SignedIn("sd-huayang");
  EXPECT_EQ(Client().Get("/cases/metrics").status, 401);
  EXPECT_EQ(SignedIn("resident1").Get("/cases/metrics").status, 403);
  HttpResult page = staff.Get("/cases/metrics?from=2026-01-01&to=2026-12-31");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("case-metrics"));
  HttpResult x = staff.Get("/cases/metrics.xlsx?group=unit&from=2026-01-01&to=2026-12-31");
  ASSERT_EQ(x.status, 200);
  EXPECT_EQ(x.body.substr(0, 2), "PK");
  EXPECT_THAT(x.Header("content-type"), HasSubstr("spreadsheetml"));
  ASSERT_OK_AND_ASSIGN(auto rows, areas::ReadXlsxFirstWorksheet(x.body));
  const json api = GetJson("sd-huayang", "/api/v1/case-metrics?group=unit&from=2026-01-01&to=2026-12-31");
  ASSERT_EQ(rows.size(), api["items"].size() + 1);  // the header row
  ASSERT_FALSE(api["items"].empty());
  for (size_t i = 0; i < api["items"].size(); ++i) {
    const json& m = api["items"][i];
    const auto& cells = rows[i + 1].cells;
    ASSERT_EQ(cells.size(), 18u);
    EXPECT_EQ(cells[0], m["name"].get<std::string>());
    EXPECT_EQ(cells[1], std::to_string(m["dispatched"].get<int64_t>()));
    EXPECT_EQ(cells[2], std::to_string(m["response_rate"]["numerator"].get<int64_t>()));
    EXPECT_EQ(cells[3], std::to_string(m["response_rate"]["denominator"].get<int64_t>()));
    EXPECT_EQ(cells[5], std::to_string(m["resolution_rate"]["numerator"].get<int64_t>()));
    EXPECT_EQ(cells[6], std::to_string(m["resolution_rate"]["denominator"].get<int64_t>()));
    EXPECT_EQ(cells[8], std::to_string(m["satisfaction_rate"]["numerator"].get<int64_t>()));
    if (!m["satisfaction_rate"]["value"].is_null()) {
      EXPECT_NEAR(std::stod(cells[10]), m["satisfaction_rate"]["value"].get<double>() * 100, 0.01);
    }
    if (!m["score"].is_null()) {
      EXPECT_NEAR(std::stod(cells[17]), m["score"].get<double>(), 0.06);
    }
  }
}

TEST_F(CasesWebTest, MetricsTableSortsOnTheServerAndChartsTheSatisfactionRate) {
  HttpClient staff = SignedIn("sd-huayang");
  const std::string period = "group=unit&from=2026-01-01&to=2026-12-31";
  const json items = GetJson("sd-huayang", "/api/v1/case-metrics?" + period)["items"];
  ASSERT_GE(items.size(), 2u) << "the demo routes cases to several units";

  // Without `sort`: the service's order (as the API and the .xlsx), no column marked; every header is a link.
  HttpResult plain = staff.Get("/cases/metrics?" + period);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_THAT(plain.body, Not(HasSubstr("aria-sort=")));
  std::vector<std::string> by_id;
  for (const auto& r : items) by_id.push_back(XmlEscape(r["name"].get<std::string>()));
  EXPECT_EQ(TableRowNames(plain.body), by_id);
  EXPECT_EQ(Count(plain.body, "<th scope=\"col\"><a href=\"/cases/metrics?"), 8u);

  // By the number dispatched, both ways; the headers keep the group and the period.
  const std::string escaped = "/cases/metrics?group=unit&amp;from=2026-01-01&amp;to=2026-12-31";
  HttpResult asc = staff.Get("/cases/metrics?" + period + "&sort=dispatched&dir=asc");
  ASSERT_EQ(asc.status, 200) << asc.body;
  EXPECT_EQ(TableRowNames(asc.body), ExpectedOrder(items, "dispatched", false));
  EXPECT_EQ(Count(asc.body, "aria-sort="), 1u);
  EXPECT_THAT(asc.body, HasSubstr("<th scope=\"col\" aria-sort=\"ascending\"><a href=\"" + escaped +
                                  "&amp;sort=dispatched&amp;dir=desc\">"));
  EXPECT_THAT(asc.body, HasSubstr("<span aria-hidden=\"true\">▲</span>"));
  EXPECT_THAT(asc.body, HasSubstr("<a href=\"" + escaped + "&amp;sort=score&amp;dir=asc\">"));
  // The filter form keeps the order, and offers it where the header row is hidden (a phone's cards).
  EXPECT_THAT(asc.body, HasSubstr("<option value=\"dispatched\" selected>"));
  EXPECT_THAT(asc.body, HasSubstr("<option value=\"asc\" selected>"));
  HttpResult desc = staff.Get("/cases/metrics?" + period + "&sort=dispatched&dir=desc");
  ASSERT_EQ(desc.status, 200) << desc.body;
  EXPECT_EQ(TableRowNames(desc.body), ExpectedOrder(items, "dispatched", true));
  EXPECT_THAT(desc.body, HasSubstr("<th scope=\"col\" aria-sort=\"descending\"><a href=\"" + escaped +
                                   "&amp;sort=dispatched&amp;dir=asc\">"));
  EXPECT_THAT(desc.body, HasSubstr("<span aria-hidden=\"true\">▼</span>"));
  EXPECT_THAT(desc.body, HasSubstr("<option value=\"desc\" selected>"));
  std::set<int64_t> dispatched;
  for (const auto& r : items) dispatched.insert(r["dispatched"].get<int64_t>());
  if (dispatched.size() > 1) {
    EXPECT_NE(TableRowNames(asc.body), TableRowNames(desc.body));
  }

  // By a rate, exactly; rows without cases to rate go last either way. `dir` defaults to ascending.
  for (const char* dir : {"asc", "desc"}) {
    HttpResult r = staff.Get("/cases/metrics?" + period + "&sort=satisfaction&dir=" + dir);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(TableRowNames(r.body), ExpectedOrder(items, "satisfaction_rate", std::string(dir) == "desc")) << dir;
  }
  EXPECT_EQ(TableRowNames(staff.Get("/cases/metrics?" + period + "&sort=satisfaction").body),
            ExpectedOrder(items, "satisfaction_rate", false));

  // The chart: one bar per row, in the table's order, drawn by the server.
  EXPECT_THAT(desc.body, HasSubstr("<figure class=\"bar-figure\">"));
  EXPECT_THAT(desc.body, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" width=\"100%\""));
  // In zh-CN punctuation (web::Punctuation): "：" after the title, "（n/d）" after a rate, "；" between the rows.
  EXPECT_THAT(desc.body, HasSubstr("role=\"img\" aria-label=\"满意率 2026-01-01 – 2026-12-31："));
  EXPECT_EQ(Count(desc.body, "<g class=\"bar-row\">"), items.size());
  EXPECT_EQ(Between(desc.body, "<text class=\"bar-label\" x=\"6\" y=\"", "</text>").size(), items.size());
  std::vector<std::string> labels;
  for (const std::string& t : Between(desc.body, "<text class=\"bar-label\" x=\"6\" y=\"", "</text>")) {
    labels.push_back(t.substr(t.find('>') + 1));
  }
  EXPECT_EQ(labels, TableRowNames(desc.body));
  for (const auto& r : items) {
    const json& s = r["satisfaction_rate"];
    if (s["denominator"].get<int64_t>() == 0) continue;
    EXPECT_THAT(desc.body, HasSubstr("（" + web::FormatNumber(s["numerator"].get<int64_t>()) + "/" +
                                     web::FormatNumber(s["denominator"].get<int64_t>()) + "）</text>"));
  }
  const size_t chart = desc.body.find("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\"");
  ASSERT_NE(chart, std::string::npos);
  const std::string aria = Between(desc.body, "aria-label=\"", "\"", chart).front();
  for (const char* ascii : {"(", ")", ": ", "; "}) EXPECT_EQ(aria.find(ascii), std::string::npos) << ascii << aria;
  for (const std::string& value : Between(desc.body, "<text class=\"bar-value bar-neutral\"", "</text>", chart)) {
    EXPECT_EQ(value.find('('), std::string::npos) << value;
  }
  // Below 600px every row is a card (static/app.css): each rate cell named by its column.
  EXPECT_THAT(desc.body, HasSubstr("<td data-label=\"派单数\">"));
  EXPECT_THAT(desc.body, HasSubstr("<td data-label=\"满意率\"><span>"));
  EXPECT_THAT(desc.body, HasSubstr("<td data-label=\"综合得分\"><strong>"));

  // Unknown columns and directions: 400 naming the field, in the visitor's language.
  HttpResult bad = staff.Get("/cases/metrics?" + period + "&sort=bogus&dir=asc");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("排序列应为以下之一：name, dispatched, response, resolution, satisfaction, on_time, "
                                  "reopen, score，而不是 &quot;bogus&quot;"));
  EXPECT_THAT(bad.body, HasSubstr("<code>排序列</code>"));
  HttpResult bad_dir = staff.Get("/cases/metrics?" + period + "&sort=name&dir=up");
  EXPECT_EQ(bad_dir.status, 400) << bad_dir.body;
  EXPECT_THAT(bad_dir.body, HasSubstr("排序方向应为以下之一：asc, desc，而不是 &quot;up&quot;"));
  // Who may not see the rates learns that first.
  EXPECT_EQ(SignedIn("resident1").Get("/cases/metrics?sort=bogus").status, 403);
  // Empty values are as if not given (a form may send them).
  EXPECT_EQ(staff.Get("/cases/metrics?" + period + "&sort=&dir=").status, 200);
}

}  // namespace
}  // namespace ningju::testing
