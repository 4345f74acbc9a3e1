// Meetings (docs/MEETINGS.md): consultations, hearings, coordination and review meetings (the "三会" of the Shanghai
// residents' committee regulation art. 16), residents' meetings and owners' assemblies, from the draft through the
// notice with its agenda, registration, sign-in, minutes, decisions and follow-up actions.
//
// States: draft -> noticed -> held -> minuted; draft or noticed -> cancelled. Every change is one transaction with
// its audit record and an event on the timeline of "meeting:<id>". Authorization is here, not in the routes:
//   - staff of the area (Permission::kEditArea) create meetings; they and the convener edit, notice, record sign-in,
//     minutes, decisions and actions, and cancel;
//   - residents and owners of the area register (only owners for an owners' assembly);
//   - everyone sees noticed meetings with their agenda and attendance counts by role, and the minutes, decisions
//     and actions once the minutes are published; a draft is seen only by its managers (others get kNotFound);
//   - names of attendees and registrants are shown only to managers, and in full only to holders of
//     kViewPersonalData on the area; the convener's and assignees' names are masked for everyone else.
#ifndef NINGJU_GOVERNANCE_DECISIONS_MEETINGS_H_
#define NINGJU_GOVERNANCE_DECISIONS_MEETINGS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::decisions {

enum class MeetingState { kDraft, kNoticed, kHeld, kMinuted, kCancelled };
std::string_view MeetingStateName(MeetingState state);
std::optional<MeetingState> ParseMeetingState(std::string_view name);

// Who came, as counted on the sign-in sheet.
enum class AttendeeRole { kResident, kOwner, kDeputy, kStaff, kOrganization, kGuest };
std::string_view AttendeeRoleName(AttendeeRole role);
std::optional<AttendeeRole> ParseAttendeeRole(std::string_view name);
const std::vector<AttendeeRole>& AllAttendeeRoles();

// A row of the meeting_kinds table.
struct MeetingKind {
  std::string code;  // [a-z_]{2,32}
  std::string name_zh;
  std::string name_en;
  int notice_days = 0;  // the notice must be published at least this many days before the start (0-90)
  int sort_key = 0;
  bool active = true;  // inactive kinds are kept for old meetings but offered for no new one

  const std::string& Name(std::string_view locale) const { return locale == "en" ? name_en : name_zh; }
  nlohmann::json ToJson() const;
};

// The fields a manager writes when creating or editing a meeting.
struct MeetingInput {
  std::string kind;
  std::string subject;              // 1-120 characters
  int64_t area_id = 0;              // a neighborhood or a building of it
  std::string convener;             // the login of the convener; empty: the one who creates
  Instant starts_at;                // UTC
  Instant ends_at;                  // after starts_at, at most 24 hours later
  std::string place;                // 1-120 characters
  std::string description;          // up to 2,000 characters
  std::vector<std::string> agenda;  // up to 20 items of 1-200 characters
  // Objects the meeting is about: {relation, "case:12"}; relation one of the links table's (default refers_to).
  // Added to the links of "meeting:<id>"; links are never removed.
  std::vector<std::pair<std::string, std::string>> links;
};

struct SignInInput {
  int64_t user_id = 0;  // a person with an account, by id (a registrant on the sheet), or
  std::string login;    // by login, or
  std::string name;     // a walk-in known by name (1-40 characters)
  // Empty with a login: owner if they own a unit in the area, else deputy / staff by their roles, else resident.
  std::string role;
};

struct DecisionInput {
  std::string text;  // 1-2,000 characters
  // The show of hands: all three or none; their sum may not exceed the attendance.
  std::optional<int64_t> votes_for;
  std::optional<int64_t> votes_against;
  std::optional<int64_t> votes_abstain;
};

struct ActionInput {
  std::string title;     // 1-200 characters
  std::string assignee;  // login of the person responsible
  std::string due_date;  // YYYY-MM-DD, not before the meeting's day (Asia/Shanghai)
};

struct Person {
  int64_t user_id = 0;
  std::string name;  // masked unless the viewer may see personal data
};

struct Registration {
  Person person;
  std::string role;  // resident | owner
  Instant at;
};

struct Attendee {
  int64_t id = 0;
  std::optional<int64_t> user_id;
  std::string name;
  AttendeeRole role = AttendeeRole::kResident;
  Instant at;
};

struct Decision {
  int64_t id = 0;
  std::string text;
  std::optional<int64_t> votes_for;
  std::optional<int64_t> votes_against;
  std::optional<int64_t> votes_abstain;
  Instant at;
};

struct FollowUp {
  int64_t id = 0;
  std::string title;
  Person assignee;
  std::string due_date;
  bool done = false;
  Instant done_at;
};

struct Meeting {
  int64_t id = 0;
  std::string kind;
  std::string subject;
  int64_t area_id = 0;
  std::string area_name;
  int64_t neighborhood_id = 0;
  std::string neighborhood_name;
  Person convener;
  Instant starts_at;
  Instant ends_at;
  std::string place;
  std::string description;
  MeetingState state = MeetingState::kDraft;
  Instant noticed_at;  // epoch when not noticed
  Instant held_at;
  Instant minuted_at;
  std::string cancel_reason;
  int64_t sequence = 0;  // changes after the notice (iCalendar SEQUENCE)
  Instant updated_at;
  std::vector<std::string> agenda;
  std::vector<record::Link> links;

  // Filled by Get() for the viewer.
  int64_t registered_count = 0;
  bool viewer_registered = false;
  std::vector<std::pair<AttendeeRole, int64_t>> attendance;  // every role, in AllAttendeeRoles() order
  int64_t attendance_total = 0;
  std::optional<std::string> minutes;  // published minutes, or the draft for managers
  bool record_visible = false;         // decisions and actions below are shown to the viewer
  std::vector<Decision> decisions;
  std::vector<FollowUp> actions;
  std::vector<Registration> registrations;  // managers only
  std::vector<Attendee> attendees;          // managers only
  bool can_manage = false;
  bool can_register = false;  // a resident of the area, the meeting open for registration, not yet registered

  // The API shape; lists the viewer may not see are left out.
  nlohmann::json ToJson() const;
};

// What an index of meetings shows (every condition optional; drafts only to their managers, always).
struct MeetingFilter {
  std::optional<int64_t> area_id;  // meetings in this area or below (a district, subdistrict, neighborhood...)
  std::optional<MeetingState> state;
  bool managed = false;              // only those the viewer manages (staff of the area, the convener)
  bool of_my_neighborhoods = false;  // only in neighborhoods where the viewer has a role or owns a unit
  bool upcoming = false;             // only those not yet over, earliest first (else latest start first)
};

template <typename T>
struct MeetingPage {
  std::vector<T> items;
  std::string next_cursor;
};

class MeetingService {
 public:
  MeetingService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // The kinds in display order; inactive ones too when `include_inactive`.
  StatusOr<std::vector<MeetingKind>> Kinds(bool include_inactive);
  // Adds or changes a kind; needs kEditArea on the root of the area tree (the district's administrators).
  StatusOr<MeetingKind> SaveKind(const auth::Principal& by, const MeetingKind& kind);

  // Whether `by` may create meetings in the area (staff of it); for showing the button, the service checks again.
  bool MayCreate(const auth::Principal& by, int64_t area_id);

  // The checks of the actions below, for a route to ask before it reads its input (web::Site's gate): the answers
  // the action itself would give a caller who may not take it (401, 403, or 404 for a draft they may not see).
  // Creating in the area; managing the meeting (edit, minutes, decisions, actions); ticking action `action_id` (its
  // assignee or a manager); the kinds (the district's administrators).
  Status CheckCreate(const auth::Principal& by, int64_t area_id);
  Status CheckManage(const auth::Principal& by, int64_t id);
  Status CheckSetActionDone(const auth::Principal& by, int64_t id, int64_t action_id);
  Status CheckManageKinds(const auth::Principal& by);
  StatusOr<Meeting> Create(const auth::Principal& by, const MeetingInput& input);
  // Draft or noticed meetings only; a change to a noticed meeting raises its sequence and, when the start moves,
  // needs the notice period again from now.
  StatusOr<Meeting> Update(const auth::Principal& by, int64_t id, const MeetingInput& input);
  // kNotFound for a draft the viewer may not manage.
  StatusOr<Meeting> Get(const auth::Principal& viewer, int64_t id);
  // The meetings of a neighborhood (its buildings' too), latest start first; drafts only for their managers.
  StatusOr<MeetingPage<Meeting>> List(const auth::Principal& viewer, int64_t neighborhood_id, std::string_view cursor,
                                      int limit);
  // The meetings `filter` keeps, `limit` (1..200) after `cursor`; the convener's name masked unless the viewer may
  // see personal data on the meeting's area. The index page and the home page's card read this.
  StatusOr<MeetingPage<Meeting>> List(const auth::Principal& viewer, const MeetingFilter& filter,
                                      std::string_view cursor, int limit);
  // The public meetings of a neighborhood for its calendar feed: noticed and later (cancelled ones after a notice
  // too), starting from 180 days ago, at most 500, earliest first.
  StatusOr<std::vector<Meeting>> Calendar(int64_t neighborhood_id);
  // Where a meeting of a neighborhood may take place: the neighborhood itself first, then its buildings.
  struct Place {
    int64_t id = 0;
    std::string name;
  };
  StatusOr<std::vector<Place>> Places(int64_t neighborhood_id);

  // draft -> noticed: needs an agenda, an active kind, and the start at least the kind's notice days away.
  StatusOr<Meeting> Notice(const auth::Principal& by, int64_t id);
  // A resident or owner of the area signs up for a noticed meeting before it starts (kAlreadyExists twice).
  StatusOr<Meeting> Register(const auth::Principal& by, int64_t id);
  // Sign-in opens 2 hours before the start of a noticed meeting; the first one marks it held.
  StatusOr<Meeting> SignIn(const auth::Principal& by, int64_t id, const SignInInput& input);
  // Saves the minutes of a held meeting; `publish` makes them public and the meeting minuted.
  StatusOr<Meeting> SaveMinutes(const auth::Principal& by, int64_t id, const std::string& text, bool publish);
  // Held meetings only (the published minutes close the record).
  StatusOr<Meeting> AddDecision(const auth::Principal& by, int64_t id, const DecisionInput& input);
  // Held or minuted meetings.
  StatusOr<Meeting> AddAction(const auth::Principal& by, int64_t id, const ActionInput& input);
  // The managers or the assignee mark an action done or not done.
  StatusOr<Meeting> SetActionDone(const auth::Principal& by, int64_t id, int64_t action_id, bool done);
  // Draft or noticed meetings; a noticed one needs a reason (1-200 characters), shown to the public.
  StatusOr<Meeting> Cancel(const auth::Principal& by, int64_t id, const std::string& reason);

 private:
  StatusOr<Meeting> Load(storage::Connection& conn, const auth::Principal& viewer, int64_t id, bool details);

  storage::Database& db_;
  const Clock& clock_;
};

// The demo's meetings: in the neighborhood of the first neighborhood staff grant, convened by that staff member,
// one meeting in each state, with registrations of the neighborhood's residents, a sign-in sheet, minutes, decisions
// and actions. Written through `tx` (inside the demo's transaction) with audit records and events. Does nothing
// when no neighborhood has staff.
Status SeedDemoMeetings(storage::Connection& tx, Instant now);

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_MEETINGS_H_
