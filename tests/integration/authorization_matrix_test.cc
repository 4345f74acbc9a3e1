// The authorization matrix: every route of the real App's router, asked by every kind of principal about objects of
// their own area and of another, their own and another resident's, over real HTTP. The expected answers are the
// table below, written from the rules in docs/API.md ("Who may do what"), not computed by the policy: a route that
// has no row fails the test, so a new route must declare its rule here.
//
// Cells: 'A' allowed (any answer but 401, 403 and 404: a 400 for the empty body means authorization passed),
// 'U' 401, 'F' 403, 'N' 404 (the service hides that the object exists), 'D' a redirect to the sign-in page, '*' any
// answer, 'V' 400 for everyone who may not take the action (below). A route whose input names what is decided asks
// the policy before it reads the input (web::Site's gate), so a refused caller learns "not allowed", never "bad
// input" first. One route is 'V' by design: POST /cases/{id}/act carries the action in its form, and who may take
// it depends on which action it is (an empty form names none).
// Columns, in this order: anonymous, resident of neighborhood A (resident1), resident of B (resident2), building
// leader in A (leader1), neighborhood staff of A (nb-huayang), of B (nb-jiangsu), subdistrict staff over A
// (sd-huayang), district admin, deputy, and a read-only API token of A's staff (writes refused at the door, 403).
//
// Writes carry an empty body (form or JSON) with a valid CSRF token, or the API token. Rows run in table order
// (the sign-out row last: it ends each session).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app_fixture.h"
#include "testing/status_matchers.h"

namespace ningju::testing {
namespace {

using json = nlohmann::json;

constexpr int kWho = 10;
constexpr std::array<const char*, kWho> kLogins = {
    "",           "resident1",  "resident2", "leader1",      "nb-huayang",
    "nb-jiangsu", "sd-huayang", "admin",     "deputy-party", "nb-huayang"};
constexpr int kReadToken = 9;

// Rows: method, the router's pattern, the concrete path ({nbA}, {bldA}, ... filled in by the fixture), the cells.
struct Cell {
  const char* method;
  const char* pattern;
  const char* path;
  const char* expected;
};

// The common rules, by name. The read-only token is A's staff: it reads what they read and writes nothing.
constexpr char kPublic[] = "AAAAAAAAAA";       // anyone reads
constexpr char kPublicWrite[] = "AAAAAAAAAF";  // anyone writes (the read-only token: 403 at the door)
constexpr char kSignedIn[] = "UAAAAAAAAA";
constexpr char kSignedInWrite[] = "UAAAAAAAAF";
constexpr char kStaffOfA[] = "UFFFAFAAFA";  // staff over A: its neighborhood, its subdistrict, the admin
constexpr char kStaffOfAWrite[] = "UFFFAFAAFF";
constexpr char kStaffOfB[] = "UFFFFAFAFF";
constexpr char kAdmin[] = "UFFFFFFAFF";
constexpr char kRatesReaders[] = "UFFFAAAAAA";  // staff anywhere, deputies, handling units
constexpr char kAnyAnswer[] = "**********";
constexpr char kNobodysObject[] = "UNNNNNNNNF";       // another account's token or grant: hidden (404)
constexpr char kStaffAnywhereWrite[] = "UFFFAAAAFF";  // a create whose area is in the body: staff of any area
constexpr char kBallotOwners[] = "UAFFFFFFFF";        // the owners of the ballot's scope (resident1 owns in A)
constexpr char kJoinDeciders[] = "UNFNANAANF";  // A's staff; the requester (resident2) is refused, others see none

const std::vector<Cell>& Table() {
  static const std::vector<Cell> table = {
      // Site, account, administration.
      {"GET", "/static/{path...}", "/static/app.css", kPublic},
      {"GET", "/healthz", "/healthz", kPublic},
      {"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", kPublic},
      {"GET", "/", "/", kPublic},
      {"POST", "/lang", "/lang", kPublicWrite},
      {"GET", "/sign-in", "/sign-in", kPublic},
      {"POST", "/sign-in", "/sign-in", kAnyAnswer},  // 401 is its answer to wrong credentials
      {"GET", "/sign-up", "/sign-up", kPublic},
      {"POST", "/sign-up", "/sign-up", kPublicWrite},
      {"GET", "/account", "/account", "DAAAAAAAAA"},
      {"POST", "/account/password", "/account/password", kSignedInWrite},
      {"POST", "/account/tokens", "/account/tokens", kSignedInWrite},
      {"POST", "/account/tokens/{id}/revoke", "/account/tokens/{otherToken}/revoke", kNobodysObject},
      {"GET", "/api/v1/account/tokens", "/api/v1/account/tokens", kSignedIn},
      {"POST", "/api/v1/account/tokens", "/api/v1/account/tokens", kSignedInWrite},
      {"DELETE", "/api/v1/account/tokens/{id}", "/api/v1/account/tokens/{otherToken}", kNobodysObject},
      // One's own email address (src/platform/contacts); this server sends no email, so a code is refused (409).
      {"GET", "/account/email", "/account/email", "DAAAAAAAAA"},
      {"POST", "/account/email", "/account/email", kSignedInWrite},
      {"POST", "/account/email/verify", "/account/email/verify", kSignedInWrite},
      {"POST", "/account/email/remove", "/account/email/remove", kSignedInWrite},
      {"GET", "/api/v1/account/email", "/api/v1/account/email", kSignedIn},
      {"POST", "/api/v1/account/email", "/api/v1/account/email", kSignedInWrite},
      {"POST", "/api/v1/account/email/verify", "/api/v1/account/email/verify", kSignedInWrite},
      {"DELETE", "/api/v1/account/email", "/api/v1/account/email", kSignedInWrite},
      // One's own phone (src/platform/contacts); this server has no SMS gateway, so a code is refused (409).
      {"GET", "/account/phone", "/account/phone", "DAAAAAAAAA"},
      {"POST", "/account/phone", "/account/phone", kSignedInWrite},
      {"POST", "/account/phone/verify", "/account/phone/verify", kSignedInWrite},
      {"GET", "/api/v1/account/phone", "/api/v1/account/phone", kSignedIn},
      {"POST", "/api/v1/account/phone", "/api/v1/account/phone", kSignedInWrite},
      {"POST", "/api/v1/account/phone/verify", "/api/v1/account/phone/verify", kSignedInWrite},
      {"GET", "/admin/roles", "/admin/roles", kAdmin},
      {"POST", "/admin/roles", "/admin/roles", kAdmin},
      {"POST", "/admin/roles/{id}/revoke", "/admin/roles/{noGrant}/revoke", kNobodysObject},
      {"GET", "/api/v1/me", "/api/v1/me", kSignedIn},
      {"GET", "/admin/holidays", "/admin/holidays", kAdmin},
      {"POST", "/admin/holidays", "/admin/holidays", kAdmin},
      // Search: anyone searches; what each one finds is the policy's (search_test.cc).
      {"GET", "/search", "/search?q=%E6%A5%BC%E9%81%93", kPublic},
      {"GET", "/api/v1/search", "/api/v1/search?q=%E6%A5%BC%E9%81%93&kind=case", kPublic},
      // Areas and rosters.
      {"GET", "/areas", "/areas", kPublic},
      {"GET", "/areas/{id}", "/areas/{nbA}", kPublic},
      {"GET", "/buildings/{id}", "/buildings/{bldA}", kPublic},
      {"GET", "/areas/{id}/door-sheet", "/areas/{bldA}/door-sheet", kPublic},
      {"GET", "/areas/{id}/edit", "/areas/{nbA}/edit", kStaffOfAWrite},  // a form to write: not for a read token
      {"GET", "/areas/{id}/edit", "/areas/{nbB}/edit", kStaffOfB},
      {"POST", "/areas/{id}/edit", "/areas/{nbA}/edit", kStaffOfAWrite},
      {"POST", "/areas/{id}/edit", "/areas/{nbB}/edit", kStaffOfB},
      {"GET", "/areas/{id}/roster", "/areas/{nbA}/roster", kStaffOfA},
      {"GET", "/areas/{id}/roster", "/areas/{nbB}/roster", kStaffOfB},
      {"POST", "/areas/{id}/roster", "/areas/{nbA}/roster", kStaffOfAWrite},
      {"POST", "/areas/{id}/roster", "/areas/{nbB}/roster", kStaffOfB},
      {"GET", "/areas/{id}/roster.csv", "/areas/{nbA}/roster.csv", kStaffOfA},
      {"GET", "/areas/{id}/roster.xlsx", "/areas/{nbB}/roster.xlsx", kStaffOfB},
      {"GET", "/api/v1/areas", "/api/v1/areas", kPublic},
      {"GET", "/api/v1/areas/{id}", "/api/v1/areas/{nbA}", kPublic},
      {"GET", "/api/v1/areas/{id}/children", "/api/v1/areas/{nbA}/children", kPublic},
      {"GET", "/api/v1/areas/{id}/units", "/api/v1/areas/{bldA}/units", kPublic},
      {"PATCH", "/api/v1/areas/{id}", "/api/v1/areas/{nbA}", kStaffOfAWrite},
      {"PATCH", "/api/v1/areas/{id}", "/api/v1/areas/{nbB}", kStaffOfB},
      // Joining a neighborhood: joinA is resident2's request to join A (made by Prepare); its decisions come last.
      {"GET", "/areas/{id}/join", "/areas/{nbA}/join", kPublic},
      {"POST", "/areas/{id}/join", "/areas/{nbA}/join", kSignedInWrite},
      {"GET", "/account/join-requests", "/account/join-requests", kSignedIn},
      {"GET", "/areas/{id}/join-requests", "/areas/{nbA}/join-requests", kStaffOfA},
      {"GET", "/api/v1/areas/{id}/join-requests", "/api/v1/areas/{nbB}/join-requests", kStaffOfB},
      {"POST", "/api/v1/join-requests", "/api/v1/join-requests", kSignedInWrite},
      {"GET", "/api/v1/join-requests", "/api/v1/join-requests", kSignedIn},
      // The requester and A's staff see it; anyone else finds none.
      {"GET", "/api/v1/join-requests/{id}", "/api/v1/join-requests/{joinA}", "UNANANAANA"},
      // Owners and their accounts.
      {"GET", "/areas/{id}/owners", "/areas/{bldA}/owners", kStaffOfA},
      {"GET", "/areas/{id}/owners", "/areas/{bldB}/owners", kStaffOfB},
      {"POST", "/owners/{id}/letter", "/owners/{ownerA}/letter", kStaffOfAWrite},
      {"POST", "/owners/{id}/letter", "/owners/{ownerB}/letter", kStaffOfB},
      {"POST", "/areas/{id}/letters", "/areas/{bldB}/letters", kStaffOfB},
      {"POST", "/owners/{id}/link", "/owners/{ownerA}/link", kStaffOfAWrite},
      {"POST", "/owners/{id}/unlink", "/owners/{ownerB}/unlink", kStaffOfB},
      {"GET", "/claim", "/claim", kPublic},
      {"POST", "/claim", "/claim", kSignedInWrite},
      {"POST", "/api/v1/owners/{id}/invitations", "/api/v1/owners/{ownerB}/invitations", kStaffOfB},
      {"POST", "/api/v1/claims", "/api/v1/claims", kSignedInWrite},
      {"POST", "/api/v1/owners/{id}/link", "/api/v1/owners/{ownerA}/link", kStaffOfAWrite},
      {"POST", "/api/v1/owners/{id}/unlink", "/api/v1/owners/{ownerB}/unlink", kStaffOfB},
      // Ballots: the demo's open ballot is in A's building 1.
      {"GET", "/areas/{id}/ballots", "/areas/{nbA}/ballots", kPublic},
      {"GET", "/ballots", "/ballots", kPublic},
      {"GET", "/ballots", "/ballots?area={bldA}&state=open", kPublic},
      {"POST", "/ballots", "/ballots", kStaffAnywhereWrite},
      {"GET", "/ballots/{id}", "/ballots/{ballot}", kPublic},
      {"POST", "/ballots/{id}/vote", "/ballots/{ballot}/vote", kBallotOwners},
      {"POST", "/ballots/{id}/entries", "/ballots/{ballot}/entries", kStaffOfAWrite},
      {"GET", "/ballots/{id}/attachments/{file}", "/ballots/{ballot}/attachments/999999", "UFFNNFNNFN"},
      {"GET", "/ballots/{id}/result", "/ballots/{ballot}/result", kPublic},
      {"GET", "/ballots/{id}/notice", "/ballots/{ballot}/notice", "UAFFAFAAFA"},  // the scope's owners and staff
      {"POST", "/ballots/{id}/objections", "/ballots/{ballot}/objections", kSignedInWrite},
      {"GET", "/api/v1/ballots", "/api/v1/ballots", kPublic},
      {"POST", "/api/v1/ballots", "/api/v1/ballots", kStaffAnywhereWrite},
      {"GET", "/api/v1/ballots/{id}", "/api/v1/ballots/{ballot}", kPublic},
      {"POST", "/api/v1/ballots/{id}/votes", "/api/v1/ballots/{ballot}/votes", kBallotOwners},
      {"GET", "/api/v1/ballots/{id}/result", "/api/v1/ballots/{ballot}/result", kPublic},
      {"GET", "/api/v1/ballots/{id}/objections", "/api/v1/ballots/{ballot}/objections", kPublic},
      {"POST", "/api/v1/ballots/{id}/objections", "/api/v1/ballots/{ballot}/objections", kSignedInWrite},
      {"POST", "/ballots/{id}/open", "/ballots/{ballot}/open", kStaffOfAWrite},
      {"POST", "/api/v1/ballots/{id}/open", "/api/v1/ballots/{ballot}/open", kStaffOfAWrite},
      // Meetings: the demo's meeting in A.
      {"GET", "/neighborhoods/{id}/meetings", "/neighborhoods/{nbA}/meetings", kPublic},
      {"GET", "/meetings", "/meetings", kPublic},  // drafts only for their managers
      {"GET", "/meetings", "/meetings?area={nbA}&state=draft", kPublic},
      {"GET", "/neighborhoods/{id}/meetings.ics", "/neighborhoods/{nbA}/meetings.ics", kPublic},
      {"GET", "/neighborhoods/{id}/meetings/new", "/neighborhoods/{nbA}/meetings/new", kStaffOfAWrite},
      {"POST", "/neighborhoods/{id}/meetings", "/neighborhoods/{nbA}/meetings", kStaffOfAWrite},
      {"GET", "/meetings/{id}", "/meetings/{meeting}", kPublic},
      {"GET", "/meetings/{id}/edit", "/meetings/{meeting}/edit", kStaffOfA},
      {"POST", "/meetings/{id}/edit", "/meetings/{meeting}/edit", kStaffOfAWrite},
      {"POST", "/meetings/{id}/register", "/meetings/{meeting}/register", kSignedInWrite},
      {"POST", "/meetings/{id}/sign-in", "/meetings/{meeting}/sign-in", kStaffOfAWrite},  // managers sign people in
      {"POST", "/meetings/{id}/minutes", "/meetings/{meeting}/minutes", kStaffOfAWrite},
      {"POST", "/meetings/{id}/decisions", "/meetings/{meeting}/decisions", kStaffOfAWrite},
      {"POST", "/meetings/{id}/actions", "/meetings/{meeting}/actions", kStaffOfAWrite},
      // The action is looked up first: an unknown one is 404 whoever asks (the meeting itself is public).
      {"POST", "/meetings/{id}/actions/{action_id}", "/meetings/{meeting}/actions/999999", "UNNNNNNNNF"},
      {"GET", "/api/v1/meeting-kinds", "/api/v1/meeting-kinds", kPublic},
      {"POST", "/api/v1/meeting-kinds", "/api/v1/meeting-kinds", kAdmin},
      {"GET", "/api/v1/meetings", "/api/v1/meetings?neighborhood={nbA}", kPublic},
      {"POST", "/api/v1/meetings", "/api/v1/meetings", kStaffAnywhereWrite},
      {"GET", "/api/v1/meetings/{id}", "/api/v1/meetings/{meeting}", kPublic},
      {"PUT", "/api/v1/meetings/{id}", "/api/v1/meetings/{meeting}", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/register", "/api/v1/meetings/{meeting}/register", kSignedInWrite},
      {"POST", "/api/v1/meetings/{id}/sign-in", "/api/v1/meetings/{meeting}/sign-in", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/minutes", "/api/v1/meetings/{meeting}/minutes", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/decisions", "/api/v1/meetings/{meeting}/decisions", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/actions", "/api/v1/meetings/{meeting}/actions", kStaffOfAWrite},
      {"PATCH", "/api/v1/meetings/{id}/actions/{action_id}", "/api/v1/meetings/{meeting}/actions/999999", "UNNNNNNNNF"},
      {"POST", "/meetings/{id}/notice", "/meetings/{meeting}/notice", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/notice", "/api/v1/meetings/{meeting}/notice", kStaffOfAWrite},
      // Elevator retrofit: the demo's project in A's building 1.
      {"GET", "/areas/{id}/elevator", "/areas/{bldA}/elevator", kPublic},
      {"GET", "/elevator", "/elevator", kPublic},
      {"GET", "/elevator", "/elevator?area={nbA}&state=active", kPublic},
      {"POST", "/elevator", "/elevator", kStaffAnywhereWrite},
      {"GET", "/elevator/{id}", "/elevator/{project}", kPublic},
      {"POST", "/elevator/{id}/survey", "/elevator/{project}/survey", kSignedInWrite},
      {"POST", "/elevator/{id}/plan", "/elevator/{project}/plan", kStaffOfAWrite},
      {"POST", "/elevator/{id}/drawings", "/elevator/{project}/drawings", kStaffOfAWrite},
      {"GET", "/elevator/{id}/drawings/{file}", "/elevator/{project}/drawings/999999", "NNNNNNNNNN"},  // public
      {"POST", "/elevator/{id}/ballots", "/elevator/{project}/ballots", kStaffOfAWrite},
      {"POST", "/elevator/{id}/cost-shares", "/elevator/{project}/cost-shares", kStaffOfAWrite},
      {"POST", "/elevator/{id}/notice", "/elevator/{project}/notice", kStaffOfAWrite},
      {"POST", "/elevator/{id}/objections", "/elevator/{project}/objections", kStaffOfAWrite},
      {"POST", "/elevator/{id}/meetings", "/elevator/{project}/meetings", kStaffOfAWrite},
      {"GET", "/api/v1/elevator-projects", "/api/v1/elevator-projects?building={bldA}", kPublic},
      {"POST", "/api/v1/elevator-projects", "/api/v1/elevator-projects", kStaffAnywhereWrite},
      {"GET", "/api/v1/elevator-projects/{id}", "/api/v1/elevator-projects/{project}", kPublic},
      {"POST", "/api/v1/elevator-projects/{id}/survey", "/api/v1/elevator-projects/{project}/survey", kSignedInWrite},
      {"PUT", "/api/v1/elevator-projects/{id}/plan", "/api/v1/elevator-projects/{project}/plan", kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/drawings", "/api/v1/elevator-projects/{project}/drawings",
       kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/ballots", "/api/v1/elevator-projects/{project}/ballots", kStaffOfAWrite},
      // None before the plan is entered: 404 for everyone.
      {"GET", "/api/v1/elevator-projects/{id}/cost-shares", "/api/v1/elevator-projects/{project}/cost-shares",
       "NNNNNNNNNN"},
      {"PUT", "/api/v1/elevator-projects/{id}/cost-shares", "/api/v1/elevator-projects/{project}/cost-shares",
       kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/notice", "/api/v1/elevator-projects/{project}/notice", kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/objections", "/api/v1/elevator-projects/{project}/objections",
       kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/meetings", "/api/v1/elevator-projects/{project}/meetings",
       kStaffOfAWrite},
      {"POST", "/elevator/{id}/steps/{step}", "/elevator/{project}/steps/survey", kStaffOfAWrite},
      {"POST", "/api/v1/elevator-projects/{id}/steps/{step}", "/api/v1/elevator-projects/{project}/steps/survey",
       kStaffOfAWrite},
      // Cases: caseA is resident1's private case in A, caseB resident2's in B.
      {"POST", "/api/v1/cases", "/api/v1/cases", kPublicWrite},
      {"GET", "/api/v1/cases", "/api/v1/cases", kPublic},
      {"GET", "/api/v1/cases/similar", "/api/v1/cases/similar?area={bldA}&title=x", kPublic},
      {"GET", "/api/v1/cases/{id}", "/api/v1/cases/{caseA}", "UAFFAFAAFA"},
      {"GET", "/api/v1/cases/{id}", "/api/v1/cases/{caseB}", "UFAFFAFAFF"},
      {"POST", "/api/v1/cases/{id}/actions/{action}", "/api/v1/cases/{caseA}/actions/accept", kStaffOfAWrite},
      {"POST", "/api/v1/cases/{id}/actions/{action}", "/api/v1/cases/{caseB}/actions/accept", kStaffOfB},
      {"POST", "/api/v1/cases/{id}/me-too", "/api/v1/cases/{caseA}/me-too", "UAFFAFAAFF"},
      {"POST", "/api/v1/cases/{id}/merge", "/api/v1/cases/{caseA}/merge", kStaffOfAWrite},
      {"GET", "/api/v1/cases/{id}/routing", "/api/v1/cases/{caseA}/routing", kStaffOfA},
      {"POST", "/api/v1/cases/{id}/consultations/{consultation}/outcome",
       "/api/v1/cases/{caseA}/consultations/999999/outcome", kStaffOfAWrite},
      {"GET", "/api/v1/handling-units", "/api/v1/handling-units", kPublic},
      {"GET", "/api/v1/handling-units/{id}/inbox", "/api/v1/handling-units/{unit}/inbox", "UFFFFFFAFF"},
      {"GET", "/api/v1/case-metrics", "/api/v1/case-metrics", kRatesReaders},
      {"GET", "/api/v1/case-categories", "/api/v1/case-categories", kPublic},
      {"GET", "/cases/new", "/cases/new", kPublic},
      {"POST", "/cases/new", "/cases/new", kPublicWrite},
      {"GET", "/buildings/{id}/report", "/buildings/{bldA}/report", kPublic},
      {"GET", "/cases/entry", "/cases/entry", kStaffAnywhereWrite},  // any staff: a form to write, not for a read token
      {"POST", "/cases/entry", "/cases/entry", kStaffAnywhereWrite},
      {"POST", "/cases", "/cases", kPublicWrite},
      {"GET", "/cases", "/cases", kPublic},  // what the viewer may see: the public cases for a visitor
      {"GET", "/cases", "/cases?area={nbA}&state=submitted", kPublic},
      {"GET", "/cases/mine", "/cases/mine", kSignedIn},
      {"GET", "/cases/metrics", "/cases/metrics", kRatesReaders},
      {"GET", "/cases/metrics.xlsx", "/cases/metrics.xlsx", kRatesReaders},
      {"GET", "/cases/{id}", "/cases/{caseA}", "UAFFAFAAFA"},
      {"GET", "/cases/{id}", "/cases/{caseB}", "UFAFFAFAFF"},
      {"POST", "/cases/{id}/act", "/cases/{caseA}/act", "VVVVAVAAVF"},
      {"POST", "/cases/{id}/merge", "/cases/{caseA}/merge", kStaffOfAWrite},
      {"POST", "/cases/{id}/me-too", "/cases/{caseA}/me-too", "UAFFAFAAFF"},
      {"POST", "/cases/{id}/consultations/{k}", "/cases/{caseA}/consultations/999999", kStaffOfAWrite},
      {"GET", "/neighborhoods/{id}/cases", "/neighborhoods/{nbA}/cases", kPublic},  // its public cases
      // Members of a handling unit, and staff over an intake unit's area (a neighborhood committee, a subdistrict
      // office): to their one inbox, or the home page's list of them.
      {"GET", "/inbox", "/inbox", "UFFFAAAAFA"},
      {"GET", "/units/{id}/inbox", "/units/{unit}/inbox", "UFFFFFFAFF"},
      {"POST", "/units/{id}/inbox", "/units/{unit}/inbox", kAdmin},
      // Open311 (GeoReport v2).
      {"GET", "/open311/v2/services.json", "/open311/v2/services.json", kPublic},
      {"GET", "/open311/v2/services.xml", "/open311/v2/services.xml", kPublic},
      {"GET", "/open311/v2/services/{file}", "/open311/v2/services/property_management.json", kPublic},
      {"GET", "/open311/v2/requests.json", "/open311/v2/requests.json", kPublic},
      {"GET", "/open311/v2/requests.xml", "/open311/v2/requests.xml", kPublic},
      // Open311 knows callers by api_key (or a bearer token) only, never by a session: anonymous for a private case.
      {"GET", "/open311/v2/requests/{file}", "/open311/v2/requests/{caseA}.json", "UUUUUUUUUA"},
      {"GET", "/open311/v2/tokens/{file}", "/open311/v2/tokens/999999.json", kAnyAnswer},
      // A GeoReport POST needs its api_key (403 without; the read-only token may not write).
      {"POST", "/open311/v2/requests.json", "/open311/v2/requests.json", "FFFFFFFFFF"},
      {"POST", "/open311/v2/requests.xml", "/open311/v2/requests.xml", "FFFFFFFFFF"},
      {"GET", "/cases/{id}/files/{file}", "/cases/{caseA}/files/999999", "UNFFNFNNFN"},
      {"GET", "/cases/{id}/files/{file}/thumbnail", "/cases/{caseA}/files/999999/thumbnail", "UNFFNFNNFN"},
      // Last but one: they end the demo ballot and meeting.
      {"POST", "/ballots/{id}/close", "/ballots/{ballot}/close", kStaffOfAWrite},
      {"POST", "/api/v1/ballots/{id}/close", "/api/v1/ballots/{ballot}/close", kStaffOfAWrite},
      {"POST", "/meetings/{id}/cancel", "/meetings/{meeting}/cancel", kStaffOfAWrite},
      {"POST", "/api/v1/meetings/{id}/cancel", "/api/v1/meetings/{meeting}/cancel", kStaffOfAWrite},
      // Deciding joinA: refusals without a reason (400 for staff) leave it pending, the first approval takes it (409
      // for the next), and withdrawing is the requester's alone (409: decided already).
      {"POST", "/join-requests/{id}/refuse", "/join-requests/{joinA}/refuse", kJoinDeciders},
      {"POST", "/api/v1/join-requests/{id}/refuse", "/api/v1/join-requests/{joinA}/refuse", kJoinDeciders},
      {"POST", "/join-requests/{id}/approve", "/join-requests/{joinA}/approve", kJoinDeciders},
      {"POST", "/api/v1/join-requests/{id}/approve", "/api/v1/join-requests/{joinA}/approve", kJoinDeciders},
      {"POST", "/join-requests/{id}/withdraw", "/join-requests/{joinA}/withdraw", "UNANNNNNNF"},
      {"POST", "/api/v1/join-requests/{id}/withdraw", "/api/v1/join-requests/{joinA}/withdraw", "UNANNNNNNF"},
      // Notifications and following (src/platform/notify): one's own only; another's notification is not found. The
      // follow forms and the API's follow need the reference in the body (empty here: 400 after the sign-in check);
      // who may follow what is the object's visibility (notifications_test.cc).
      {"GET", "/notifications", "/notifications", "DAAAAAAAAA"},
      {"POST", "/notifications/{id}/read", "/notifications/999999/read", kNobodysObject},
      {"POST", "/notifications/read-all", "/notifications/read-all", kSignedInWrite},
      {"GET", "/notifications/settings", "/notifications/settings", "DAAAAAAAAA"},
      {"POST", "/notifications/settings", "/notifications/settings", kSignedInWrite},
      {"POST", "/follow", "/follow", kSignedInWrite},
      {"POST", "/unfollow", "/unfollow", kSignedInWrite},
      {"GET", "/api/v1/notifications", "/api/v1/notifications", kSignedIn},
      {"POST", "/api/v1/notifications/{id}/read", "/api/v1/notifications/999999/read", kNobodysObject},
      {"POST", "/api/v1/notifications/read-all", "/api/v1/notifications/read-all", kSignedInWrite},
      {"GET", "/api/v1/follows", "/api/v1/follows", kSignedIn},
      {"POST", "/api/v1/follows", "/api/v1/follows", kSignedInWrite},
      {"DELETE", "/api/v1/follows", "/api/v1/follows", kSignedInWrite},
      // Last: it ends the session of the client that sends it.
      {"POST", "/sign-out", "/sign-out", kPublicWrite},
  };
  return table;
}

class AuthorizationMatrixTest : public AppTest {
 protected:
  // Once per suite (the app fixture is the suite's): fills `vars_` with the objects the rows name, and signs in
  // every principal.
  void Prepare() {
    if (!vars_.empty()) return;
    LookUpObjects();
    if (HasFatalFailure()) return;
    SignInEveryone();
    // The cases of the rows: private, one per resident, in each one's first building.
    vars_["caseA"] = Report(clients_[1], vars_["bldA"]);
    vars_["caseB"] = Report(clients_[2], vars_["bldB"]);
    vars_["joinA"] = AskToJoin(clients_[2], vars_["nbA"]);
  }

  void LookUpObjects() {
    auto conn = app_->db().Acquire();
    ASSERT_OK(conn);
    auto one = [&](const std::string& sql, const storage::Params& params = {}) -> int64_t {
      auto row = (*conn)->QueryOne(sql, params);
      EXPECT_TRUE(row.ok()) << sql;
      return row.ok() ? row->Int(0) : 0;
    };
    const int64_t res1 = one("SELECT id FROM users WHERE username = 'resident1'");
    const int64_t res2 = one("SELECT id FROM users WHERE username = 'resident2'");
    vars_["nbA"] = one("SELECT area_id FROM role_grants WHERE user_id = ? AND role = 'resident'", {res1});
    vars_["nbB"] = one("SELECT area_id FROM role_grants WHERE user_id = ? AND role = 'resident'", {res2});
    const std::string first_building = "SELECT id FROM areas WHERE parent_id = ? AND kind = 'building' ORDER BY id";
    vars_["bldA"] = one(first_building, {vars_["nbA"]});
    vars_["bldB"] = one(first_building, {vars_["nbB"]});
    vars_["ownerA"] = one("SELECT id FROM owners WHERE user_id = ?", {res1});
    vars_["ownerB"] = one("SELECT id FROM owners WHERE user_id = ?", {res2});
    vars_["ballot"] = one("SELECT id FROM ballots ORDER BY id");
    vars_["meeting"] = one("SELECT id FROM meetings WHERE neighborhood_id = ? ORDER BY id", {vars_["nbA"]});
    vars_["project"] = one("SELECT id FROM elevator_projects ORDER BY id");
    vars_["unit"] = one("SELECT id FROM handling_units ORDER BY id");
    vars_["otherToken"] = 999999;
    vars_["noGrant"] = 999999;
  }

  void SignInEveryone() {
    for (int w = 0; w < kWho; ++w) {
      if (w == 0) {
        clients_.push_back(Client());
        clients_.back().Get("/");  // the anonymous CSRF cookie and token
      } else if (w == kReadToken) {
        clients_.push_back(Client());
        auto user = app_->accounts().FindByLogin(kLogins[w]);
        ASSERT_OK(user);
        auto token = app_->accounts().CreateApiToken(user->id, auth::NewApiToken{"matrix", "read"});
        ASSERT_OK(token);
        read_token_ = *token;
      } else {
        clients_.push_back(SignedIn(kLogins[w]));
        clients_.back().Get("/");
      }
    }
  }

  int64_t Report(HttpClient& client, int64_t building) {
    const json body = {{"type", "complaint"},      {"category", "property_management"},
                       {"title", "楼道堆物"},      {"description", "楼道里堆满纸箱。"},
                       {"area_id", building},      {"channel", "web"},
                       {"contact_name", "陆小凤"}, {"contact_phone", "13900001111"},
                       {"public", false}};
    HttpResult r = client.Send("POST", "/api/v1/cases", body.dump(),
                               {{"Content-Type", "application/json"}, {"X-CSRF-Token", client.csrf()}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }

  int64_t AskToJoin(HttpClient& client, int64_t neighborhood) {
    const json body = {{"neighborhood_id", neighborhood}, {"unit_number", "3-201"}};
    HttpResult r = client.Send("POST", "/api/v1/join-requests", body.dump(),
                               {{"Content-Type", "application/json"}, {"X-CSRF-Token", client.csrf()}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? json::parse(r.body)["id"].get<int64_t>() : 0;
  }

  static std::string Fill(std::string path) {
    for (const auto& [name, value] : vars_) {
      const std::string key = "{" + name + "}";
      for (size_t at = path.find(key); at != std::string::npos; at = path.find(key)) {
        path.replace(at, key.size(), std::to_string(value));
      }
    }
    return path;
  }

  HttpResult Send(int who, const Cell& cell) {
    HttpClient& c = clients_[who];
    const std::string path = Fill(cell.path);
    std::vector<std::pair<std::string, std::string>> headers;
    if (who == kReadToken) headers.push_back({"Authorization", "Bearer " + read_token_});
    if (std::string(cell.method) == "GET") return c.Get(path, headers);
    headers.push_back({"X-CSRF-Token", c.csrf()});
    const bool api = path.rfind("/api/", 0) == 0 || path.rfind("/open311/", 0) == 0;
    if (api) {
      headers.push_back({"Content-Type", "application/json"});
      return c.Send(cell.method, path, "{}", headers);
    }
    headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    return c.Send(cell.method, path, "_csrf=" + UrlEncode(c.csrf()), headers);
  }

  static bool Matches(char expected, int status, const HttpResult& r) {
    switch (expected) {
      case 'A':
        return status != 401 && status != 403 && status != 404;
      case 'U':
        return status == 401;
      case 'F':
        return status == 403;
      case 'N':
        return status == 404;
      case '*':
        return true;
      case 'V':
        return status == 400;
      case 'D':
        return (status == 302 || status == 303) && r.Header("location").rfind("/sign-in", 0) == 0;
    }
    return false;
  }

  static inline std::map<std::string, int64_t> vars_;
  static inline std::vector<HttpClient> clients_;
  static inline std::string read_token_;
};

TEST_F(AuthorizationMatrixTest, EveryRouteHasARuleInTheTable) {
  std::set<std::pair<std::string, std::string>> declared;
  for (const Cell& c : Table()) declared.insert({c.method, c.pattern});
  std::vector<std::string> missing;
  for (const http::RouteInfo& route : app_->router().Routes()) {
    if (!declared.count({route.method, route.pattern})) missing.push_back(route.method + " " + route.pattern);
  }
  EXPECT_TRUE(missing.empty()) << "routes without a row in the authorization matrix:\n"
                               << ::testing::PrintToString(missing);
  // And no row for a route that is gone.
  std::set<std::pair<std::string, std::string>> registered;
  for (const http::RouteInfo& route : app_->router().Routes()) registered.insert({route.method, route.pattern});
  for (const auto& [method, pattern] : declared) {
    EXPECT_TRUE(registered.count({method, pattern})) << "a row for no route: " << method << " " << pattern;
  }
}

TEST_F(AuthorizationMatrixTest, EveryCellIsAllowedOrRefusedWithTheRightStatus) {
  ASSERT_NO_FATAL_FAILURE(Prepare());
  for (const auto& [name, value] : vars_) ASSERT_GT(value, 0) << name;
  const auto start = std::chrono::steady_clock::now();
  int cells = 0;
  int validated_first = 0;
  for (const Cell& cell : Table()) {
    ASSERT_EQ(std::string(cell.expected).size(), static_cast<size_t>(kWho)) << cell.path;
    std::string actual;
    bool ok = true;
    std::vector<int> statuses;
    for (int who = 0; who < kWho; ++who) {
      HttpResult r = Send(who, cell);
      statuses.push_back(r.status);
      ++cells;
      if (!Matches(cell.expected[who], r.status, r)) ok = false;
      if (cell.expected[who] == 'V') ++validated_first;
    }
    EXPECT_TRUE(ok) << cell.method << " " << Fill(cell.path) << " expected " << cell.expected << ", got "
                    << ::testing::PrintToString(statuses);
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("cells", cells);
  std::printf("authorization matrix: %d cells in %.1f s; %d refused cells still answer 400 (validated first)\n", cells,
              seconds, validated_first);
}

}  // namespace
}  // namespace ningju::testing
