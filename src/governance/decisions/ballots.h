// Owners' ballots as objects (docs/BALLOTS.md "Ballots in ningju"): a ballot on one matter of 民法典 art. 278 ¶1
// over a scope (a building, one entrance, or a neighborhood's whole estate), its electorate frozen when it opens,
// ballots cast online by owners, entered by staff from paper sheets, or cast by proxies, and a result counted by
// Tally() (tally.h) when it closes, with its public notice (公示) and the objections recorded against it.
//
// States: draft -> open -> closed. Closing stores the result and starts the notice period (notice_days days).
// Authorization is inside every method:
//   - create, open, close, enter a paper or proxy ballot, see the owners' names: kManageRoster on the scope (the
//     staff who keep the owners' records: neighborhood staff, subdistrict staff, the district admin);
//   - cast online: a signed-in user linked (owners.user_id) to an owner of a unit in scope;
//   - object to the notice: any signed-in user, while the notice period runs;
//   - read: everyone; the result (and every count of ballots) only once the ballot is closed, for staff too.
// Every change is one transaction with its audit record and an event on "ballot:<id>".
#ifndef NINGJU_GOVERNANCE_DECISIONS_BALLOTS_H_
#define NINGJU_GOVERNANCE_DECISIONS_BALLOTS_H_

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
#include "governance/decisions/tally.h"
#include "record/attachments.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::decisions {

enum class BallotState { kDraft, kOpen, kClosed };
std::string_view BallotStateName(BallotState state);

enum class Channel { kOnline, kPaper, kProxy };
std::string_view ChannelName(Channel channel);
StatusOr<Channel> ParseChannel(std::string_view text);

inline constexpr size_t kMaxTitleBytes = 200;
inline constexpr size_t kMaxDescriptionBytes = 4000;
inline constexpr size_t kMaxObjectionBytes = 2000;
inline constexpr size_t kMaxProxyNameBytes = 100;
inline constexpr size_t kMaxReasonBytes = 500;  // the reason for replacing an owner's online ballot
inline constexpr int kDefaultNoticeDays = 7;
inline constexpr int kMaxObjectionsPerUser = 5;  // per ballot

struct OwnersBallot {
  int64_t id = 0;
  int64_t area_id = 0;  // the scope
  int64_t neighborhood_id = 0;
  std::string title;
  std::string description;
  Matter matter = Matter::kRebuild;
  BallotState state = BallotState::kDraft;
  Instant closes_at;
  int notice_days = kDefaultNoticeDays;
  std::optional<Instant> opened_at;
  std::optional<Instant> closed_at;  // also when the notice starts
  std::optional<int64_t> created_by;

  // The end of the notice period; none before closing.
  std::optional<Instant> notice_ends_at() const;
  // Open and before closes_at: ballots are accepted.
  bool accepting(Instant now) const { return state == BallotState::kOpen && now < closes_at; }
  // {"id","area_id","neighborhood_id","title","description","matter","matter_title","consent_rule","state",
  //  "closes_at","notice_days","opened_at","closed_at","notice_ends_at"}; times as RFC 3339 UTC or null.
  nlohmann::json ToJson() const;
};

struct NewBallot {
  std::string title;
  std::string description;
  int64_t matter = 0;  // 1..9
  int64_t area_id = 0;
  Instant closes_at;
  int notice_days = kDefaultNoticeDays;
};

// One unit of the frozen electorate.
struct ElectorateUnit {
  int64_t unit_id = 0;
  std::string label;  // "1号楼 1-101"
  int64_t area_centi = 0;
  bool developer_unsold = false;
  std::string voter;        // "o17", "developer", "u5"
  std::string owner_names;  // as recorded; masked unless the viewer may see personal data
};

// A voter of a ballot (one head: interpretation art. 9) with their units.
struct Voter {
  std::string key;
  std::string owner_names;  // masked unless permitted
  std::vector<std::string> units;
  int64_t area_centi = 0;
  bool developer = false;
};

struct Vote {
  int64_t id = 0;
  std::string voter;
  Choice choice = Choice::kAbstain;
  Channel channel = Channel::kOnline;
  Instant cast_at;
  std::optional<int64_t> cast_by;
  std::string proxy_name;
  std::optional<int64_t> attachment_id;
  bool current = true;
  std::string replace_reason;  // why staff entered it over the owner's own online ballot ("" otherwise)
};

// Staff replaced an owner's own online ballot with a paper or proxy one: what the owner's page shows (from the
// event "online_replaced" on the ballot's timeline).
struct Replacement {
  Instant at;
  std::string by_role;  // the role the staff member acted in ("neighborhood_staff", ...; "system" for the CLI)
  std::string channel;  // "paper" | "proxy"
  std::string reason;
};

// A paper or proxy ballot as staff enter it.
struct Entry {
  std::string voter;  // the voter key, from Electorate()
  Choice choice = Choice::kAbstain;
  Channel channel = Channel::kPaper;
  std::string proxy_name;        // required for kProxy
  std::string attachment_name;   // the scanned sheet (paper) or the written authorization (proxy); required
  std::string attachment_bytes;  //
  std::string reason;            // required when it replaces the owner's own online ballot (kMaxReasonBytes)
};

struct Objection {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;  // masked unless permitted
  std::string body;
  Instant created_at;
};

// One line of the notice: a unit, its owners' names (people's masked), the counted choice (none: did not vote).
struct NoticeLine {
  std::string label;
  std::string owners_masked;
  bool developer_unsold = false;
  std::optional<Choice> choice;
  std::optional<Channel> channel;
};

struct BallotResult {
  TallyResult tally;
  nlohmann::json stored;  // the JSON stored at closing (see ResultJson)
};

// What the caller may do and has done on a ballot page.
struct BallotViewer {
  bool is_staff = false;                 // kManageRoster on the scope
  std::optional<std::string> own_voter;  // the caller's voter key when they own units in scope
  std::optional<Vote> own_vote;          // their current ballot
  std::vector<std::string> own_units;
  std::vector<Replacement> replacements;  // of the caller's online ballots by staff, oldest first
};

// What an index of ballots keeps (every condition optional). Ballots are public (read: everyone).
struct BallotFilter {
  std::optional<int64_t> neighborhood_id;  // any scope inside this neighborhood
  std::optional<int64_t> area_id;          // a scope in this area or below, or one this area lies in
  std::optional<BallotState> state;
  bool managed = false;   // only those the viewer runs (kManageBallot on the scope)
  bool may_vote = false;  // only those whose frozen electorate holds a unit the viewer owns (Cast's rule)
};
class BallotService {
 public:
  BallotService(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

  // A draft. kInvalidArgument naming the field (title empty or too long, matter outside 1-9, notice_days outside
  // 1-90, closes_at not in the future, a scope that is not a building, entrance or neighborhood).
  StatusOr<OwnersBallot> Create(const auth::Principal& by, const NewBallot& ballot);
  StatusOr<OwnersBallot> Get(int64_t id);
  // The ballots of a neighborhood (any scope inside it), newest first, `limit` (1..200) after `cursor`.
  struct Page {
    std::vector<OwnersBallot> items;
    std::string next_cursor;
  };
  StatusOr<Page> ListForNeighborhood(int64_t neighborhood_id, std::string_view cursor, int limit);
  // The ballots `filter` keeps, newest first (the index page and the home page's card).
  StatusOr<Page> List(const auth::Principal& viewer, const BallotFilter& filter, std::string_view cursor, int limit);

  // Freezes the electorate and opens. kFailedPrecondition unless a draft, when closes_at has passed, or when the
  // scope holds no unit.
  StatusOr<OwnersBallot> Open(const auth::Principal& by, int64_t id);
  // Counts the current ballots with Tally(), stores the result, closes and starts the notice period.
  // kFailedPrecondition unless open.
  StatusOr<OwnersBallot> Close(const auth::Principal& by, int64_t id);

  // The caller's own ballot, covering all their units in scope. kUnauthenticated when anonymous;
  // kPermissionDenied when the caller owns no unit in scope; kFailedPrecondition "ballot closed" when the ballot is
  // not accepting (not yet open, closed, or past closes_at).
  StatusOr<Vote> Cast(const auth::Principal& by, int64_t id, Choice choice);
  // A paper or proxy ballot entered by staff, with the sheet or authorization attached; audited with who entered
  // it. kPermissionDenied without kManageRoster on the scope; kInvalidArgument for an unknown voter, a missing file
  // or proxy name, or a missing reason when it replaces the owner's own online ballot (the reason is stored with
  // the vote and the owner is told by the event "online_replaced" on the ballot's timeline, which their ballot page
  // shows); kFailedPrecondition when not accepting.
  StatusOr<Vote> Enter(const auth::Principal& by, int64_t id, const Entry& entry);

  // The frozen electorate (empty for a draft); names masked unless the viewer holds kViewPersonalData on the scope.
  StatusOr<std::vector<ElectorateUnit>> Electorate(const auth::Principal& viewer, int64_t id);
  // The same, grouped by voter, in the order of their first unit.
  StatusOr<std::vector<Voter>> Voters(const auth::Principal& viewer, int64_t id);
  // The electorate's totals (area and heads) without any ballot: public from opening.
  StatusOr<Figures> ElectorateTotals(int64_t id);
  StatusOr<BallotViewer> ViewerOf(const auth::Principal& viewer, int64_t id);
  // Every ballot of one voter, oldest first (staff only, or the voter themself; hidden until closing for others).
  StatusOr<std::vector<Vote>> History(const auth::Principal& viewer, int64_t id, std::string_view voter);

  // The stored result. kFailedPrecondition "results are hidden until the ballot closes" before closing.
  StatusOr<BallotResult> Result(int64_t id);
  // The notice lines, one per unit: for the owners of the scope (the frozen electorate's linked accounts) and staff
  // (kManageRoster on the scope), not the public: kUnauthenticated when anonymous, kPermissionDenied for others;
  // kFailedPrecondition before closing. People's names are masked; organizations' (owners of kind "organization")
  // are not.
  StatusOr<std::vector<NoticeLine>> Notice(const auth::Principal& viewer, int64_t id);

  // Records an objection while the notice period runs (kFailedPrecondition otherwise). kInvalidArgument for an
  // empty or too long text; kResourceExhausted past kMaxObjectionsPerUser.
  StatusOr<Objection> Object(const auth::Principal& by, int64_t id, std::string_view body);
  // Names masked unless the viewer may see personal data on the scope.
  StatusOr<std::vector<Objection>> Objections(const auth::Principal& viewer, int64_t id);

  // The scopes a ballot of a neighborhood may have: the neighborhood itself (the estate) first, then its buildings,
  // each followed by its entrances. kNotFound unless `neighborhood_id` is a neighborhood.
  struct Scope {
    int64_t id = 0;
    std::string kind;  // "neighborhood", "building", "entrance"
    std::string name;  // "1号楼", "1号楼 1号门"
  };
  StatusOr<std::vector<Scope>> Scopes(int64_t neighborhood_id);

  // The service's clock.
  Instant Now() const { return clock_.Now(); }
  // Whether the notice period of `ballot` runs now.
  bool NoticeRunning(const OwnersBallot& ballot) const;
  // A file attached to the ballot (a scanned sheet, a written authorization) with its bytes: for viewers holding
  // kViewPersonalData on the scope. kNotFound when the file is not this ballot's.
  StatusOr<std::pair<record::Attachment, std::string>> AttachmentOf(const auth::Principal& viewer, int64_t id,
                                                                    int64_t attachment_id);

  // Whether `viewer` holds kManageRoster on `area_id` (for the list page's "new ballot" form).
  bool IsStaffOn(const auth::Principal& viewer, int64_t area_id);
  // Whether `viewer` holds kManageRoster on the ballot's scope.
  bool IsStaff(const auth::Principal& viewer, const OwnersBallot& ballot);
  // OK when `by` may enter paper ballots in ballot `id` (staff of its scope): the upload routes ask it before the
  // scan's body is parsed. kNotFound, kUnauthenticated or kPermissionDenied as Enter() would answer.
  Status CheckEnter(const auth::Principal& by, int64_t id);
  // OK when `by` may close ballot `id` (staff of its scope): the close form asks it before it reads the
  // confirmation. kNotFound, kUnauthenticated or kPermissionDenied as Close() would answer.
  Status CheckClose(const auth::Principal& by, int64_t id);
  // OK when `by` owns a unit in ballot `id`'s scope (who casts their own ballot): the vote routes ask it before the
  // choice is read. kNotFound, kUnauthenticated or kPermissionDenied as Cast() would answer.
  Status CheckCast(const auth::Principal& by, int64_t id);

 private:
  StatusOr<OwnersBallot> Load(storage::Connection& conn, int64_t id);
  Status RequireStaff(storage::Connection& conn, const auth::Principal& by, const OwnersBallot& ballot);

  storage::Database& db_;
  const Clock& clock_;
};

// Builds the tally input of a ballot from its frozen electorate and current ballots (exposed for tests).
StatusOr<TallyInput> TallyInputFor(storage::Connection& conn, const OwnersBallot& ballot);

// Seeds the demo inside its transaction `tx`: the owners of the building where the demo account "resident1" owns a
// unit get logins "owner1", "owner2", ... (password hash `password_hash`, the resident role on the neighborhood),
// so that several owners can vote online; then an elevator ballot (item 7) over that building is created and opened,
// with a few online ballots. Returns the logins created (none when there is no "resident1").
StatusOr<std::vector<std::string>> SeedDemoBallot(storage::Connection& tx, Instant now,
                                                  const std::string& password_hash);

namespace internal {
// Validates and stores a draft as Create() does (authorization included), inside the caller's transaction `tx`, so
// that another service of this module (the elevator retrofit) can create, open and link a ballot atomically.
StatusOr<OwnersBallot> CreateDraft(storage::Connection& tx, const auth::Principal& by, const NewBallot& ballot,
                                   Instant now);
// The steps the service and the demo share. REQUIRES: inside `tx`; authorization done by the caller.
// Freezes the electorate of draft `b` and opens it (audited).
Status FreezeAndOpen(storage::Connection& tx, const OwnersBallot& b, Instant now, const record::Actor& actor);
// Records a ballot of `voter`, superseding their current one (audited; the choice stays out of the audit record).
StatusOr<Vote> RecordVote(storage::Connection& tx, const OwnersBallot& ballot, const std::string& voter, Choice choice,
                          Channel channel, const std::string& proxy_name, std::optional<int64_t> attachment_id,
                          Instant now, const record::Actor& actor, const std::string& replace_reason = "");
}  // namespace internal

}  // namespace ningju::decisions

#endif  // NINGJU_GOVERNANCE_DECISIONS_BALLOTS_H_
