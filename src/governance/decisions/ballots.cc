#include "governance/decisions/ballots.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "auth/accounts.h"
#include "auth/policy.h"
#include "common/decimal.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/decisions/tally_json.h"
#include "record/attachments.h"
#include "record/record.h"
#include "storage/locking.h"

namespace ningju::decisions {

namespace policy = auth::policy;
namespace {

constexpr char kBallotColumns[] =
    "id, area_id, neighborhood_id, title, description, matter, state, closes_at, notice_days, opened_at, closed_at, "
    "created_by";
constexpr char kVoteColumns[] =
    "id, voter, choice, channel, cast_at, cast_by, proxy_name, attachment_id, is_current, replace_reason";
constexpr char kDeveloperVoter[] = "developer";
constexpr int64_t kSecondsPerDay = 86400;

StatusOr<BallotState> ParseState(std::string_view s) {
  if (s == "draft") return BallotState::kDraft;
  if (s == "open") return BallotState::kOpen;
  if (s == "closed") return BallotState::kClosed;
  return InternalError("unknown ballot state in the database");
}

StatusOr<OwnersBallot> ReadBallot(const storage::Row& row) {
  OwnersBallot b;
  b.id = row.Int(0);
  b.area_id = row.Int(1);
  b.neighborhood_id = row.Int(2);
  b.title = row.Text(3);
  b.description = row.Text(4);
  ASSIGN_OR_RETURN(b.matter, MatterFromItem(row.Int(5)));
  ASSIGN_OR_RETURN(b.state, ParseState(row.Text(6)));
  b.closes_at = FromUnix(row.Int(7));
  b.notice_days = static_cast<int>(row.Int(8));
  if (row.Int(9) > 0) b.opened_at = FromUnix(row.Int(9));
  if (row.Int(10) > 0) b.closed_at = FromUnix(row.Int(10));
  b.created_by = row.OptInt(11);
  return b;
}

StatusOr<Vote> ReadVote(const storage::Row& row) {
  Vote v;
  v.id = row.Int(0);
  v.voter = row.Text(1);
  ASSIGN_OR_RETURN(v.choice, ParseChoice(row.Text(2)));
  ASSIGN_OR_RETURN(v.channel, ParseChannel(row.Text(3)));
  v.cast_at = FromUnix(row.Int(4));
  v.cast_by = row.OptInt(5);
  v.proxy_name = row.Text(6);
  v.attachment_id = row.OptInt(7);
  v.current = row.Bool(8);
  v.replace_reason = row.Text(9);
  return v;
}

nlohmann::json OptTime(const std::optional<Instant>& t) { return t ? nlohmann::json(FormatUtc(*t)) : nullptr; }

// "张三、李四" -> "张*、李*"; the names in `organizations` stay as they are (a company's name is not personal data).
std::string MaskNames(std::string_view names, const std::set<std::string, std::less<>>& organizations = {}) {
  std::string out;
  size_t start = 0;
  const std::string_view sep = "、";
  while (start <= names.size()) {
    size_t end = names.find(sep, start);
    if (end == std::string_view::npos) end = names.size();
    std::string_view one = names.substr(start, end - start);
    if (!one.empty()) out += (out.empty() ? "" : "、") + (organizations.count(one) ? std::string(one) : MaskName(one));
    start = end + sep.size();
  }
  return out;
}

// The names of a ballot's owners that are organizations (owners.kind), which MaskNames leaves as they are.
StatusOr<std::set<std::string, std::less<>>> OrganizationNames(storage::Connection& conn, int64_t ballot_id) {
  std::set<std::string, std::less<>> out;
  ASSIGN_OR_RETURN(auto rows, conn.Execute("SELECT DISTINCT o.name FROM ballot_owners bo JOIN owners o ON o.id = "
                                           "bo.owner_id WHERE bo.ballot_id = ? AND o.kind = ?",
                                           {ballot_id, std::string(kOwnerOrganization)}));
  for (const auto& r : rows.rows) out.insert(r.Text(0));
  return out;
}

Status CheckText(std::string_view text, size_t max_bytes, const std::string& field, bool required) {
  RETURN_IF_ERROR(utf8::Validate(text, field));
  if (required && Trim(text).empty()) return InvalidArgumentError(Msg("{} is required", FieldName{field}), field);
  if (text.size() > max_bytes) {
    return InvalidArgumentError(Msg("{} is longer than {} bytes", FieldName{field}, max_bytes), field);
  }
  return OkStatus();
}

// Union-find over owner ids: owners who hold a unit together, or who share a login, are one voter (interpretation
// art. 9: one person per unit; an owner of several units counts once).
class OwnerGroups {
 public:
  void Add(int64_t id) { parent_.try_emplace(id, id); }
  int64_t Find(int64_t id) {
    Add(id);
    while (parent_[id] != id) {
      parent_[id] = parent_[parent_[id]];
      id = parent_[id];
    }
    return id;
  }
  void Union(int64_t a, int64_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);  // the root is the smallest id
  }

 private:
  std::map<int64_t, int64_t> parent_;
};

nlohmann::json ConditionJson(const Condition& c) {
  const bool area = c.measure == Measure::kArea;
  auto figure = [&](int64_t n) -> nlohmann::json {
    return area ? nlohmann::json(ningju::Area::FromHundredths(n).ToString()) : nlohmann::json(n);
  };
  return {{"stage", c.stage == Stage::kParticipation ? "participation" : "consent"},
          {"measure", area ? "area" : "heads"},
          {"numerator", figure(c.numerator)},
          {"denominator", figure(c.denominator)},
          {"threshold", std::to_string(c.threshold_num) + "/" + std::to_string(c.threshold_den)},
          {"strict", c.strict},
          {"met", c.met},
          {"needed", figure(c.needed)}};
}

// What is stored at closing: the `ningju ballot tally` output, plus the four conditions, the rules and the reason.
nlohmann::json ResultJson(const OwnersBallot& ballot, const TallyResult& r, Instant at,
                          const nlohmann::json& channels) {
  nlohmann::json j = nlohmann::json::parse(TallyResultToJson(r));
  j["matter"] = MatterItem(ballot.matter);
  j["matter_title"] = std::string(MatterTitle(ballot.matter));
  j["conditions"] = nlohmann::json::array();
  for (const Condition& c : r.conditions) j["conditions"].push_back(ConditionJson(c));
  j["participation_rule_text"] = r.ParticipationRule();
  j["consent_rule_text"] = r.ConsentRuleText();
  j["reason"] = r.Reason();
  j["counted_at"] = FormatUtc(at);
  j["ballots_by_channel"] = channels;
  return j;
}

}  // namespace

std::string_view BallotStateName(BallotState state) {
  switch (state) {
    case BallotState::kDraft:
      return "draft";
    case BallotState::kOpen:
      return "open";
    case BallotState::kClosed:
      return "closed";
  }
  return "";
}

std::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kOnline:
      return "online";
    case Channel::kPaper:
      return "paper";
    case Channel::kProxy:
      return "proxy";
  }
  return "";
}

StatusOr<Channel> ParseChannel(std::string_view text) {
  if (text == "online") return Channel::kOnline;
  if (text == "paper") return Channel::kPaper;
  if (text == "proxy") return Channel::kProxy;
  return InvalidArgumentError(Msg("unknown channel {} (online, paper or proxy)", QuoteForMessage(text)), "channel");
}

std::optional<Instant> OwnersBallot::notice_ends_at() const {
  if (!closed_at) return std::nullopt;
  return *closed_at + std::chrono::seconds(int64_t{notice_days} * kSecondsPerDay);
}

nlohmann::json OwnersBallot::ToJson() const {
  return {{"id", id},
          {"area_id", area_id},
          {"neighborhood_id", neighborhood_id},
          {"title", title},
          {"description", description},
          {"matter", MatterItem(matter)},
          {"matter_title", std::string(MatterTitle(matter))},
          {"consent_rule", std::string(ConsentRuleName(ConsentRuleFor(matter)))},
          {"state", std::string(BallotStateName(state))},
          {"closes_at", FormatUtc(closes_at)},
          {"notice_days", notice_days},
          {"opened_at", OptTime(opened_at)},
          {"closed_at", OptTime(closed_at)},
          {"notice_ends_at", OptTime(notice_ends_at())}};
}

StatusOr<OwnersBallot> BallotService::Load(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto row,
                   conn.QueryOptional(std::string("SELECT ") + kBallotColumns + " FROM ballots WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no ballot {}", id));
  return ReadBallot(*row);
}

namespace {
// The voter key of `by`'s units in ballot `id` (the first when they own several keys): who casts their own ballot.
StatusOr<std::string> OwnVoter(storage::Connection& conn, const auth::Principal& by, int64_t id) {
  ASSIGN_OR_RETURN(auto voter,
                   conn.QueryOptional("SELECT bo.voter FROM ballot_owners bo JOIN owners o ON o.id = bo.owner_id "
                                      "WHERE bo.ballot_id = ? AND o.user_id = ? ORDER BY bo.voter LIMIT 1",
                                      {id, by.user_id}));
  if (!voter) return PermissionDeniedError("only owners of units in this ballot's scope vote");
  return voter->Text(0);
}

// Load for a read-modify-write: the ballot's row stays locked until `tx` ends. Open, Close, Cast, Enter and Object take
// it first, so a vote lands before the count or sees the ballot closed (STYLE.md item 17).
StatusOr<OwnersBallot> LoadForUpdate(storage::Connection& tx, int64_t id) {
  ASSIGN_OR_RETURN(auto row, tx.QueryOptional(std::string("SELECT ") + kBallotColumns + " FROM ballots WHERE id = ?" +
                                                  storage::ForUpdate(tx.dialect()),
                                              {id}));
  if (!row) return NotFoundError(Msg("no ballot {}", id));
  return ReadBallot(*row);
}
}  // namespace

Status BallotService::RequireStaff(storage::Connection& conn, const auth::Principal& by, const OwnersBallot& ballot) {
  return policy::Require(conn, by, policy::Action::kManageBallot, policy::Subject::Area(ballot.area_id));
}

bool BallotService::IsStaff(const auth::Principal& viewer, const OwnersBallot& ballot) {
  if (viewer.anonymous()) return false;
  auto conn = db_.Acquire();
  if (!conn.ok()) return false;
  return policy::Allows(**conn, viewer, policy::Action::kViewRoster, policy::Subject::Area(ballot.area_id))
      .value_or(false);
}

Status BallotService::CheckEnter(const auth::Principal& by, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot ballot, Load(*conn, id));
  return RequireStaff(*conn, by, ballot);
}

// Close() asks the same question of the same staff as entering a paper ballot.
Status BallotService::CheckClose(const auth::Principal& by, int64_t id) { return CheckEnter(by, id); }

bool BallotService::IsStaffOn(const auth::Principal& viewer, int64_t area_id) {
  if (!viewer.signed_in()) return false;
  auto conn = db_.Acquire();
  if (!conn.ok()) return false;
  return policy::Allows(**conn, viewer, policy::Action::kManageBallot, policy::Subject::Area(area_id)).value_or(false);
}

bool BallotService::NoticeRunning(const OwnersBallot& ballot) const {
  return ballot.state == BallotState::kClosed && clock_.Now() < *ballot.notice_ends_at();
}

StatusOr<std::pair<record::Attachment, std::string>> BallotService::AttachmentOf(const auth::Principal& viewer,
                                                                                 int64_t id, int64_t attachment_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  RETURN_IF_ERROR(policy::Require(*conn, viewer, policy::Action::kViewPersonalData, policy::Subject::Area(b.area_id)));
  auto attachment = record::GetAttachment(*conn, attachment_id);
  if (!attachment.ok() || attachment->object_ref != record::Ref("ballot", id)) {
    return NotFoundError(Msg("no file {} on ballot {}", attachment_id, id));
  }
  ASSIGN_OR_RETURN(std::string bytes, record::AttachmentBytes(*conn, attachment_id, false));
  return std::make_pair(std::move(attachment).value(), std::move(bytes));
}

StatusOr<std::vector<BallotService::Scope>> BallotService::Scopes(int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(
      auto nb, conn->QueryOptional("SELECT name FROM areas WHERE id = ? AND kind = 'neighborhood'", {neighborhood_id}));
  if (!nb) return NotFoundError(Msg("no neighborhood {}", neighborhood_id));
  std::vector<Scope> out{{neighborhood_id, "neighborhood", nb->Text(0)}};
  ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT b.id, b.name, e.id, e.name FROM areas b "
                                            "LEFT JOIN areas e ON e.parent_id = b.id AND e.kind = 'entrance' "
                                            "WHERE b.parent_id = ? AND b.kind = 'building' "
                                            "ORDER BY b.sort_key, b.id, e.sort_key, e.id LIMIT 2000",
                                            {neighborhood_id}));
  int64_t last_building = 0;
  for (const auto& r : rows.rows) {
    if (r.Int(0) != last_building) {
      out.push_back({r.Int(0), "building", r.Text(1)});
      last_building = r.Int(0);
    }
    if (!r.IsNull(2)) out.push_back({r.Int(2), "entrance", r.Text(1) + " " + r.Text(3)});
  }
  return out;
}

StatusOr<OwnersBallot> BallotService::Get(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return Load(*conn, id);
}

StatusOr<OwnersBallot> BallotService::Create(const auth::Principal& by, const NewBallot& in) {
  OwnersBallot out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(out, internal::CreateDraft(tx, by, in, clock_.Now()));
    return OkStatus();
  }));
  return out;
}

namespace internal {

StatusOr<OwnersBallot> CreateDraft(storage::Connection& tx, const auth::Principal& by, const NewBallot& in,
                                   Instant now) {
  std::string title(Trim(in.title));
  RETURN_IF_ERROR(CheckText(title, kMaxTitleBytes, "title", true));
  RETURN_IF_ERROR(CheckText(in.description, kMaxDescriptionBytes, "description", false));
  auto matter = MatterFromItem(in.matter);
  if (!matter.ok()) return InvalidArgumentError(matter.status().msg(), "matter");
  if (in.notice_days < 1 || in.notice_days > 90) {
    return InvalidArgumentError("the notice period is 1 to 90 days", "notice_days");
  }
  if (in.closes_at <= now) return InvalidArgumentError("the closing time must be in the future", "closes_at");
  ASSIGN_OR_RETURN(auto area, tx.QueryOptional("SELECT kind FROM areas WHERE id = ?", {in.area_id}));
  if (!area) return InvalidArgumentError(Msg("no area {}", in.area_id), "area_id");
  const std::string kind = area->Text(0);
  if (kind != "building" && kind != "entrance" && kind != "neighborhood") {
    return InvalidArgumentError("a ballot's scope is a building, an entrance or a neighborhood's estate", "area_id");
  }
  RETURN_IF_ERROR(policy::Require(tx, by, policy::Action::kManageBallot, policy::Subject::Area(in.area_id)));
  ASSIGN_OR_RETURN(storage::Row nb, tx.QueryOne("SELECT a.id FROM area_paths p JOIN areas a ON a.id = p.ancestor_id "
                                                "WHERE p.descendant_id = ? AND a.kind = 'neighborhood'",
                                                {in.area_id}));
  ASSIGN_OR_RETURN(
      storage::Row row,
      tx.QueryOne(std::string("INSERT INTO ballots (area_id, neighborhood_id, title, description, matter, state, "
                              "closes_at, notice_days, created_by, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING ") +
                      kBallotColumns,
                  {in.area_id, nb.Int(0), title, in.description, in.matter, ToUnix(in.closes_at),
                   int64_t{in.notice_days}, by.AccountOrNull(), ToUnix(now), ToUnix(now)}));
  ASSIGN_OR_RETURN(OwnersBallot out, ReadBallot(row));
  const std::string ref = record::Ref("ballot", out.id);
  RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "ballot.create", ref, {{"after", out.ToJson()}}));
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, auth::ActorOf(by), "created", title));
  return out;
}

}  // namespace internal

StatusOr<BallotService::Page> BallotService::ListForNeighborhood(int64_t neighborhood_id, std::string_view cursor,
                                                                 int limit) {
  BallotFilter filter;
  filter.neighborhood_id = neighborhood_id;
  return List(auth::Principal{}, filter, cursor, limit);
}

StatusOr<BallotService::Page> BallotService::List(const auth::Principal& viewer, const BallotFilter& filter,
                                                  std::string_view cursor, int limit) {
  if (limit < 1 || limit > 200) return InvalidArgumentError("limit is 1 to 200", "limit");
  int64_t before = INT64_MAX;
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 1);
    if (!keys) return InvalidArgumentError("bad cursor", "cursor");
    before = (*keys)[0];
  }
  std::string sql = std::string("SELECT ") + kBallotColumns + " FROM ballots b WHERE b.id < ?";
  storage::Params params = {before};
  if (filter.neighborhood_id) {
    sql += " AND b.neighborhood_id = ?";
    params.push_back(*filter.neighborhood_id);
  }
  if (filter.area_id) {
    // In the area or below, or a scope the area lies in (a building's owners vote in their estate's ballot too).
    sql +=
        " AND (b.area_id IN (SELECT fp.descendant_id FROM area_paths fp WHERE fp.ancestor_id = ?) OR b.area_id IN "
        "(SELECT fq.ancestor_id FROM area_paths fq WHERE fq.descendant_id = ? AND fq.ancestor_id IN (SELECT "
        "fr.descendant_id FROM area_paths fr WHERE fr.ancestor_id = b.neighborhood_id)))";
    params.push_back(*filter.area_id);
    params.push_back(*filter.area_id);
  }
  if (filter.state) {
    sql += " AND b.state = ?";
    params.push_back(std::string(BallotStateName(*filter.state)));
  }
  if (filter.managed) {
    policy::Subject columns;
    columns.area = policy::Operand::Column("b.area_id");
    const policy::Condition manage = policy::Filter(viewer, policy::Action::kManageBallot, columns);
    sql += " AND " + manage.sql;
    params.insert(params.end(), manage.params.begin(), manage.params.end());
  }
  if (filter.may_vote) {
    if (!viewer.has_account()) return UnauthenticatedError("sign in to see the ballots you may vote in");
    // An owner of a unit of the frozen electorate (the rule Cast applies), through the policy's relation.
    const policy::Condition owns = policy::OwnsUnit(viewer, policy::Operand::Column("bu.unit_id"));
    sql += " AND EXISTS (SELECT 1 FROM ballot_units bu WHERE bu.ballot_id = b.id AND " + owns.sql + ")";
    params.insert(params.end(), owns.params.begin(), owns.params.end());
  }
  sql += " ORDER BY b.id DESC LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto result, conn->Execute(sql, params));
  Page page;
  for (const auto& row : result.rows) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = EncodeCursor({page.items.back().id});
      break;
    }
    ASSIGN_OR_RETURN(OwnersBallot b, ReadBallot(row));
    page.items.push_back(std::move(b));
  }
  return page;
}

namespace internal {

Status FreezeAndOpen(storage::Connection& tx, const OwnersBallot& b, Instant now, const record::Actor& actor) {
  const int64_t id = b.id;
  // The units in scope, in display order.
  ASSIGN_OR_RETURN(auto units,
                   tx.Execute("SELECT u.id, bld.name, u.number, u.area_centi, u.developer_unsold "
                              "FROM units u JOIN area_paths p ON p.descendant_id = u.entrance_id "
                              "JOIN areas bld ON bld.id = u.building_id "
                              "WHERE p.ancestor_id = ? ORDER BY bld.sort_key, bld.id, u.entrance_id, u.floor, "
                              "u.number, u.id",
                              {b.area_id}));
  if (units.rows.empty()) return FailedPreconditionError("the scope holds no unit: import the roster first");
  ASSIGN_OR_RETURN(auto owners, tx.Execute("SELECT uo.unit_id, o.id, o.name, o.user_id FROM unit_owners uo "
                                           "JOIN owners o ON o.id = uo.owner_id JOIN units u ON u.id = uo.unit_id "
                                           "JOIN area_paths p ON p.descendant_id = u.entrance_id "
                                           "WHERE p.ancestor_id = ? ORDER BY uo.unit_id, o.id",
                                           {b.area_id}));
  std::set<int64_t> developer_units;
  for (const auto& u : units.rows) {
    if (u.Bool(4)) developer_units.insert(u.Int(0));
  }
  OwnerGroups groups;
  std::map<int64_t, std::vector<std::pair<int64_t, std::string>>> unit_owners;  // unit -> (owner, name)
  std::map<int64_t, int64_t> first_owner_of_user;
  for (const auto& o : owners.rows) {
    const int64_t unit = o.Int(0), owner = o.Int(1);
    unit_owners[unit].emplace_back(owner, o.Text(2));
    if (developer_units.count(unit)) continue;  // the developer's units are one voter of their own
    groups.Add(owner);
    if (!unit_owners[unit].empty()) groups.Union(unit_owners[unit].front().first, owner);
    if (auto user = o.OptInt(3)) {
      auto [it, inserted] = first_owner_of_user.try_emplace(*user, owner);
      if (!inserted) groups.Union(it->second, owner);
    }
  }
  std::set<std::string> voters;
  int64_t sort_key = 0;
  for (const auto& u : units.rows) {
    const int64_t unit = u.Int(0);
    const bool developer = u.Bool(4);
    std::string names;
    for (const auto& [owner, name] : unit_owners[unit]) names += (names.empty() ? "" : "、") + name;
    std::string voter;
    if (developer) {
      voter = kDeveloperVoter;
    } else if (!unit_owners[unit].empty()) {
      voter = "o" + std::to_string(groups.Find(unit_owners[unit].front().first));
    } else {
      voter = "u" + std::to_string(unit);
    }
    voters.insert(voter);
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO ballot_units (ballot_id, unit_id, label, area_centi, developer_unsold, "
        "voter, owner_names, sort_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {id, unit, u.Text(1) + " " + u.Text(2), u.Int(3), int64_t{developer ? 1 : 0}, voter, names, sort_key++}));
  }
  std::set<int64_t> mapped;
  for (const auto& o : owners.rows) {
    const int64_t owner = o.Int(1);
    if (developer_units.count(o.Int(0)) || !mapped.insert(owner).second) continue;
    RETURN_IF_ERROR(tx.Execute("INSERT INTO ballot_owners (ballot_id, owner_id, voter) VALUES (?, ?, ?)",
                               {id, owner, "o" + std::to_string(groups.Find(owner))}));
  }
  RETURN_IF_ERROR(tx.Execute("UPDATE ballots SET state = 'open', opened_at = ?, updated_at = ? WHERE id = ?",
                             {ToUnix(now), ToUnix(now), id}));
  const std::string ref = record::Ref("ballot", id);
  RETURN_IF_ERROR(
      record::Audit(tx, now, actor, "ballot.open", ref, {{"units", units.rows.size()}, {"voters", voters.size()}}));
  return record::AddEvent(tx, ref, now, actor, "opened", "", {{"units", units.rows.size()}, {"voters", voters.size()}});
}

}  // namespace internal

StatusOr<OwnersBallot> BallotService::Open(const auth::Principal& by, int64_t id) {
  const Instant now = clock_.Now();
  OwnersBallot out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(OwnersBallot b, LoadForUpdate(tx, id));
    RETURN_IF_ERROR(RequireStaff(tx, by, b));
    if (b.state != BallotState::kDraft) return FailedPreconditionError("only a draft ballot can be opened");
    if (b.closes_at <= now) return FailedPreconditionError("the closing time has passed; create a new ballot");
    RETURN_IF_ERROR(internal::FreezeAndOpen(tx, b, now, auth::ActorOf(by)));
    ASSIGN_OR_RETURN(out, Load(tx, id));
    return OkStatus();
  }));
  return out;
}

StatusOr<TallyInput> TallyInputFor(storage::Connection& conn, const OwnersBallot& ballot) {
  TallyInput input;
  input.matter = ballot.matter;
  ASSIGN_OR_RETURN(auto units, conn.Execute("SELECT unit_id, area_centi, voter, developer_unsold FROM ballot_units "
                                            "WHERE ballot_id = ? ORDER BY sort_key",
                                            {ballot.id}));
  for (const auto& row : units.rows) {
    input.units.push_back(
        {std::to_string(row.Int(0)), ningju::Area::FromHundredths(row.Int(1)), row.Text(2), row.Bool(3)});
  }
  // Only each voter's current ballot: it is the latest by construction, and earlier ones cast within the same
  // second must not look like two ballots at one instant.
  ASSIGN_OR_RETURN(auto votes, conn.Execute("SELECT voter, choice, cast_at FROM ballot_votes "
                                            "WHERE ballot_id = ? AND is_current = 1 AND cast_at < ? ORDER BY id",
                                            {ballot.id, ToUnix(ballot.closes_at)}));
  for (const auto& row : votes.rows) {
    ASSIGN_OR_RETURN(Choice choice, ParseChoice(row.Text(1)));
    input.ballots.push_back({row.Text(0), choice, Timestamp{row.Int(2), 0}});
  }
  return input;
}

StatusOr<OwnersBallot> BallotService::Close(const auth::Principal& by, int64_t id) {
  const Instant now = clock_.Now();
  OwnersBallot out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(OwnersBallot b, LoadForUpdate(tx, id));
    RETURN_IF_ERROR(RequireStaff(tx, by, b));
    if (b.state != BallotState::kOpen) return FailedPreconditionError("only an open ballot can be closed");
    ASSIGN_OR_RETURN(TallyInput input, TallyInputFor(tx, b));
    ASSIGN_OR_RETURN(TallyResult result, Tally(input));
    ASSIGN_OR_RETURN(auto channels, tx.Execute("SELECT channel, COUNT(*) FROM ballot_votes WHERE ballot_id = ? AND "
                                               "is_current = 1 AND cast_at < ? GROUP BY channel ORDER BY channel",
                                               {id, ToUnix(b.closes_at)}));
    nlohmann::json by_channel = {{"online", 0}, {"paper", 0}, {"proxy", 0}};
    for (const auto& row : channels.rows) by_channel[row.Text(0)] = row.Int(1);
    nlohmann::json stored = ResultJson(b, result, now, by_channel);
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE ballots SET state = 'closed', closed_at = ?, result = ?, passed = ?, updated_at = ? WHERE id = ?",
        {ToUnix(now), stored.dump(), int64_t{result.passed ? 1 : 0}, ToUnix(now), id}));
    ASSIGN_OR_RETURN(out, Load(tx, id));
    const std::string ref = record::Ref("ballot", id);
    nlohmann::json summary = {{"passed", result.passed},
                              {"participating", stored["participating"]},
                              {"consenting", stored["consenting"]},
                              {"total", stored["total"]},
                              {"early", now < b.closes_at}};
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "ballot.close", ref, summary));
    RETURN_IF_ERROR(
        record::AddEvent(tx, ref, now, auth::ActorOf(by), "closed", result.passed ? "passed" : "failed", summary));
    return record::AddEvent(tx, ref, now, auth::ActorOf(by), "notice_published", "",
                            {{"days", b.notice_days}, {"ends_at", FormatUtc(*out.notice_ends_at())}});
  }));
  return out;
}

namespace internal {

StatusOr<Vote> RecordVote(storage::Connection& tx, const OwnersBallot& ballot, const std::string& voter, Choice choice,
                          Channel channel, const std::string& proxy_name, std::optional<int64_t> attachment_id,
                          Instant now, const record::Actor& actor, const std::string& replace_reason) {
  ASSIGN_OR_RETURN(auto previous, tx.QueryOptional("SELECT id FROM ballot_votes WHERE ballot_id = ? AND voter = ? "
                                                   "AND is_current = 1",
                                                   {ballot.id, voter}));
  if (previous) {
    RETURN_IF_ERROR(tx.Execute("UPDATE ballot_votes SET is_current = 0 WHERE id = ?", {previous->Int(0)}));
  }
  ASSIGN_OR_RETURN(
      storage::Row row,
      tx.QueryOne(std::string("INSERT INTO ballot_votes (ballot_id, voter, choice, channel, cast_at, "
                              "cast_by, proxy_name, attachment_id, is_current, replace_reason) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING ") +
                      kVoteColumns,
                  {ballot.id, voter, std::string(ChoiceName(choice)), std::string(ChannelName(channel)), ToUnix(now),
                   storage::Nullable(actor.user_id), proxy_name, storage::Nullable(attachment_id), replace_reason}));
  ASSIGN_OR_RETURN(Vote vote, ReadVote(row));
  const std::string ref = record::Ref("ballot", ballot.id);
  // The choice stays out of the audit chain and the timeline: results are hidden until the ballot closes.
  nlohmann::json summary = {{"vote", vote.id},
                            {"voter", voter},
                            {"channel", std::string(ChannelName(channel))},
                            {"replaces", previous ? nlohmann::json(previous->Int(0)) : nlohmann::json(nullptr)},
                            {"attachment", attachment_id ? nlohmann::json(*attachment_id) : nlohmann::json(nullptr)}};
  if (channel == Channel::kProxy) summary["proxy_name"] = proxy_name;
  if (!replace_reason.empty()) summary["reason"] = replace_reason;
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "ballot.vote." + std::string(ChannelName(channel)), ref, summary));
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "vote", std::string(ChannelName(channel))));
  return vote;
}

}  // namespace internal

namespace {
Status CheckAccepting(const OwnersBallot& b, Instant now) {
  if (b.state == BallotState::kDraft) return FailedPreconditionError("the ballot is not open yet");
  if (!b.accepting(now)) return FailedPreconditionError("ballot closed: no more ballots are accepted");
  return OkStatus();
}

// The role in which `by` manages the roster of `area_id` (the highest of their grants over it), shown to the owner
// whose ballot they replaced; "system" for the CLI and jobs.
StatusOr<std::string> ActingRole(storage::Connection& conn, const auth::Principal& by, int64_t area_id) {
  if (!by.has_account()) return std::string("system");
  std::optional<auth::Role> best;
  for (const auth::Grant& g : by.grants) {
    ASSIGN_OR_RETURN(bool held, policy::Holds(conn, policy::HoldsPermission(auth::Principal::User(by.user_id, "", {g}),
                                                                            auth::Permission::kManageRoster,
                                                                            policy::Operand::Value(area_id))));
    if (!held) continue;
    if (!best || static_cast<int>(g.role) > static_cast<int>(*best)) best = g.role;
  }
  return best ? std::string(auth::RoleName(*best)) : std::string("staff");
}
}  // namespace

Status BallotService::CheckCast(const auth::Principal& by, int64_t id) {
  if (!by.has_account()) return UnauthenticatedError("sign in to vote");
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  RETURN_IF_ERROR(CheckAccepting(b, clock_.Now()));  // as Cast: a draft or closed ballot says so first
  return OwnVoter(*conn, by, id).status();
}

StatusOr<Vote> BallotService::Cast(const auth::Principal& by, int64_t id, Choice choice) {
  if (!by.has_account()) return UnauthenticatedError("sign in to vote");
  Vote out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(OwnersBallot b, LoadForUpdate(tx, id));
    RETURN_IF_ERROR(CheckAccepting(b, now));
    ASSIGN_OR_RETURN(std::string voter, OwnVoter(tx, by, id));
    ASSIGN_OR_RETURN(out, internal::RecordVote(tx, b, voter, choice, Channel::kOnline, "", std::nullopt, now,
                                               auth::ActorOf(by), ""));
    return OkStatus();
  }));
  return out;
}

StatusOr<Vote> BallotService::Enter(const auth::Principal& by, int64_t id, const Entry& entry) {
  if (entry.channel == Channel::kOnline) {
    return InvalidArgumentError("staff enter paper or proxy ballots; owners vote online themselves", "channel");
  }
  std::string proxy_name(Trim(entry.proxy_name));
  std::string reason(Trim(entry.reason));
  RETURN_IF_ERROR(CheckText(reason, kMaxReasonBytes, "reason", false));
  if (entry.channel == Channel::kProxy) {
    RETURN_IF_ERROR(CheckText(proxy_name, kMaxProxyNameBytes, "proxy_name", true));
  } else {
    proxy_name.clear();
  }
  Vote out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    const Instant now = clock_.Now();
    ASSIGN_OR_RETURN(OwnersBallot b, LoadForUpdate(tx, id));
    RETURN_IF_ERROR(RequireStaff(tx, by, b));
    RETURN_IF_ERROR(CheckAccepting(b, now));
    ASSIGN_OR_RETURN(auto known, tx.QueryOptional("SELECT 1 FROM ballot_units WHERE ballot_id = ? AND voter = ?",
                                                  {id, entry.voter}));
    if (!known) return InvalidArgumentError(Msg("no voter {} in this ballot", QuoteForMessage(entry.voter)), "voter");
    // Over the owner's own online ballot: a reason, kept with the vote and told to the owner on the timeline.
    ASSIGN_OR_RETURN(auto current, tx.QueryOptional("SELECT channel FROM ballot_votes WHERE ballot_id = ? AND "
                                                    "voter = ? AND is_current = 1",
                                                    {id, entry.voter}));
    const bool replaces_online = current && current->Text(0) == ChannelName(Channel::kOnline);
    if (replaces_online && reason.empty()) {
      return InvalidArgumentError("say why the owner's own online ballot is replaced", "reason");
    }
    const std::string stored_reason = replaces_online ? reason : "";
    if (entry.attachment_bytes.empty()) {
      return InvalidArgumentError(entry.channel == Channel::kProxy
                                      ? Msg("attach the written authorization (a scan or photo)")
                                      : Msg("attach the scanned ballot sheet"),
                                  "file");
    }
    record::AttachmentLimits limits;
    limits.max_per_object = 100000;  // every sheet of an estate's ballot hangs on the ballot
    ASSIGN_OR_RETURN(record::Attachment attachment,
                     record::AddAttachment(tx, record::Ref("ballot", id),
                                           entry.attachment_name.empty() ? "sheet" : entry.attachment_name,
                                           entry.attachment_bytes, std::max<int64_t>(by.user_id, 0), now, limits));
    ASSIGN_OR_RETURN(out, internal::RecordVote(tx, b, entry.voter, entry.choice, entry.channel, proxy_name,
                                               attachment.id, now, auth::ActorOf(by), stored_reason));
    if (replaces_online) {
      ASSIGN_OR_RETURN(std::string role, ActingRole(tx, by, b.area_id));
      RETURN_IF_ERROR(record::AddEvent(tx, record::Ref("ballot", id), now, auth::ActorOf(by), "online_replaced",
                                       stored_reason,
                                       {{"voter", entry.voter},
                                        {"vote", out.id},
                                        {"channel", std::string(ChannelName(entry.channel))},
                                        {"role", role}}));
    }
    return OkStatus();
  }));
  return out;
}

StatusOr<std::vector<ElectorateUnit>> BallotService::Electorate(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  ASSIGN_OR_RETURN(const bool names,
                   policy::Allows(*conn, viewer, policy::Action::kViewPersonalData, policy::Subject::Area(b.area_id)));
  ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT unit_id, label, area_centi, developer_unsold, voter, owner_names "
                                            "FROM ballot_units WHERE ballot_id = ? ORDER BY sort_key",
                                            {id}));
  std::set<std::string, std::less<>> organizations;
  if (!names) {
    ASSIGN_OR_RETURN(organizations, OrganizationNames(*conn, id));
  }
  std::vector<ElectorateUnit> out;
  for (const auto& r : rows.rows) {
    out.push_back(
        {r.Int(0), r.Text(1), r.Int(2), r.Bool(3), r.Text(4), names ? r.Text(5) : MaskNames(r.Text(5), organizations)});
  }
  return out;
}

StatusOr<std::vector<Voter>> BallotService::Voters(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto units, Electorate(viewer, id));
  std::vector<Voter> out;
  std::map<std::string, size_t> index;
  for (const auto& u : units) {
    auto [it, inserted] = index.try_emplace(u.voter, out.size());
    if (inserted) out.push_back({u.voter, u.owner_names, {}, 0, u.developer_unsold});
    Voter& v = out[it->second];
    v.units.push_back(u.label);
    v.area_centi += u.area_centi;
  }
  return out;
}

StatusOr<Figures> BallotService::ElectorateTotals(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  ASSIGN_OR_RETURN(TallyInput input, TallyInputFor(*conn, b));
  if (input.units.empty()) return Figures{};
  input.ballots.clear();
  ASSIGN_OR_RETURN(TallyResult r, Tally(input));
  return r.total;
}

StatusOr<BallotViewer> BallotService::ViewerOf(const auth::Principal& viewer, int64_t id) {
  BallotViewer out;
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  if (!viewer.signed_in()) return out;
  ASSIGN_OR_RETURN(out.is_staff,
                   policy::Allows(*conn, viewer, policy::Action::kViewRoster, policy::Subject::Area(b.area_id)));
  ASSIGN_OR_RETURN(auto voter,
                   conn->QueryOptional("SELECT bo.voter FROM ballot_owners bo JOIN owners o ON o.id = bo.owner_id "
                                       "WHERE bo.ballot_id = ? AND o.user_id = ? ORDER BY bo.voter LIMIT 1",
                                       {id, viewer.user_id}));
  if (!voter) return out;
  out.own_voter = voter->Text(0);
  ASSIGN_OR_RETURN(auto units, conn->Execute("SELECT label FROM ballot_units WHERE ballot_id = ? AND voter = ? "
                                             "ORDER BY sort_key",
                                             {id, *out.own_voter}));
  for (const auto& r : units.rows) out.own_units.push_back(r.Text(0));
  ASSIGN_OR_RETURN(auto vote, conn->QueryOptional(std::string("SELECT ") + kVoteColumns +
                                                      " FROM ballot_votes WHERE ballot_id = ? AND voter = ? AND "
                                                      "is_current = 1",
                                                  {id, *out.own_voter}));
  if (vote) {
    ASSIGN_OR_RETURN(Vote v, ReadVote(*vote));
    out.own_vote = std::move(v);
  }
  // Only this kind of the ballot's events (an estate's ballot has one "vote" event per ballot cast).
  ASSIGN_OR_RETURN(auto events, conn->Execute("SELECT at, note, data FROM events WHERE object_ref = ? AND kind = "
                                              "'online_replaced' ORDER BY id",
                                              {record::Ref("ballot", id)}));
  for (const auto& e : events.rows) {
    auto data = nlohmann::json::parse(e.Text(2), nullptr, false);
    if (!data.is_object() || data.value("voter", "") != *out.own_voter) continue;
    out.replacements.push_back({FromUnix(e.Int(0)), data.value("role", ""), data.value("channel", ""), e.Text(1)});
  }
  return out;
}

StatusOr<std::vector<Vote>> BallotService::History(const auth::Principal& viewer, int64_t id, std::string_view voter) {
  ASSIGN_OR_RETURN(BallotViewer who, ViewerOf(viewer, id));
  ASSIGN_OR_RETURN(OwnersBallot b, Get(id));
  const bool own = who.own_voter && *who.own_voter == voter;
  if (!own && !(who.is_staff && b.state == BallotState::kClosed)) {
    if (!viewer.signed_in()) return UnauthenticatedError("sign in first");
    return PermissionDeniedError("a voter's ballots are shown to the voter, and to staff once the ballot closes");
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto rows, conn->Execute(std::string("SELECT ") + kVoteColumns +
                                                " FROM ballot_votes WHERE ballot_id = ? AND voter = ? ORDER BY id",
                                            {id, std::string(voter)}));
  std::vector<Vote> out;
  for (const auto& r : rows.rows) {
    ASSIGN_OR_RETURN(Vote v, ReadVote(r));
    out.push_back(std::move(v));
  }
  return out;
}

StatusOr<BallotResult> BallotService::Result(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  if (b.state != BallotState::kClosed) {
    return FailedPreconditionError("results are hidden until the ballot closes");
  }
  ASSIGN_OR_RETURN(storage::Row row, conn->QueryOne("SELECT result FROM ballots WHERE id = ?", {id}));
  BallotResult out;
  try {
    out.stored = nlohmann::json::parse(row.Text(0));
  } catch (const nlohmann::json::exception&) {
    return InternalError(Msg("the stored result of ballot {} is not JSON", id));
  }
  // The full figures again, from the frozen electorate and ballots (nothing changes them after closing).
  ASSIGN_OR_RETURN(TallyInput input, TallyInputFor(*conn, b));
  ASSIGN_OR_RETURN(out.tally, Tally(input));
  return out;
}

StatusOr<std::vector<NoticeLine>> BallotService::Notice(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  // For the owners of the scope and staff: the notice names every unit's owners and how they voted.
  // Staff read it as they read the roster (a read-only token too).
  ASSIGN_OR_RETURN(bool staff,
                   policy::Allows(*conn, viewer, policy::Action::kViewRoster, policy::Subject::Area(b.area_id)));
  if (!staff) {
    if (!viewer.signed_in()) return UnauthenticatedError("sign in to read the notice of a ballot");
    ASSIGN_OR_RETURN(auto owner, conn->QueryOptional("SELECT 1 FROM ballot_owners bo JOIN owners o ON o.id = "
                                                     "bo.owner_id WHERE bo.ballot_id = ? AND o.user_id = ? LIMIT 1",
                                                     {id, viewer.user_id}));
    if (!owner) return PermissionDeniedError("the notice of a ballot is for the owners of its scope and staff");
  }
  if (b.state != BallotState::kClosed) {
    return FailedPreconditionError("the notice is published when the ballot closes");
  }
  ASSIGN_OR_RETURN(auto organizations, OrganizationNames(*conn, id));
  ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT bu.label, bu.owner_names, bu.developer_unsold, v.choice, v.channel "
                                            "FROM ballot_units bu LEFT JOIN ballot_votes v ON v.ballot_id = "
                                            "bu.ballot_id AND v.voter = bu.voter AND v.is_current = 1 AND "
                                            "v.cast_at < ? WHERE bu.ballot_id = ? ORDER BY bu.sort_key",
                                            {ToUnix(b.closes_at), id}));
  std::vector<NoticeLine> out;
  for (const auto& r : rows.rows) {
    NoticeLine line{r.Text(0), MaskNames(r.Text(1), organizations), r.Bool(2), std::nullopt, std::nullopt};
    if (!r.IsNull(3)) {
      ASSIGN_OR_RETURN(line.choice, ParseChoice(r.Text(3)));
      ASSIGN_OR_RETURN(line.channel, ParseChannel(r.Text(4)));
    }
    out.push_back(std::move(line));
  }
  return out;
}

StatusOr<Objection> BallotService::Object(const auth::Principal& by, int64_t id, std::string_view body) {
  if (!by.has_account()) return UnauthenticatedError("sign in to object");
  std::string text(Trim(body));
  RETURN_IF_ERROR(CheckText(text, kMaxObjectionBytes, "body", true));
  const Instant now = clock_.Now();
  Objection out;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(OwnersBallot b, LoadForUpdate(tx, id));
    if (b.state != BallotState::kClosed || now >= *b.notice_ends_at()) {
      return FailedPreconditionError("objections are recorded while the notice period runs");
    }
    ASSIGN_OR_RETURN(storage::Row count, tx.QueryOne("SELECT COUNT(*) FROM ballot_objections WHERE ballot_id = ? "
                                                     "AND user_id = ?",
                                                     {id, by.user_id}));
    if (count.Int(0) >= kMaxObjectionsPerUser) {
      return ResourceExhaustedError(Msg("at most {} objections per person on one ballot", kMaxObjectionsPerUser));
    }
    // An objection is a person's: a phone that has not come back with its code is not yet one.
    RETURN_IF_ERROR(auth::RequireSettledPhone(tx, by));
    ASSIGN_OR_RETURN(storage::Row row, tx.QueryOne("INSERT INTO ballot_objections (ballot_id, user_id, name, body, "
                                                   "created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                                                   {id, by.user_id, by.display_name, text, ToUnix(now)}));
    out = {row.Int(0), by.user_id, by.display_name, text, now};
    const std::string ref = record::Ref("ballot", id);
    RETURN_IF_ERROR(record::Audit(tx, now, auth::ActorOf(by), "ballot.objection", ref,
                                  {{"objection", out.id}, {"bytes", text.size()}}));
    return record::AddEvent(tx, ref, now, auth::ActorOf(by), "objection", "");
  }));
  return out;
}

StatusOr<std::vector<Objection>> BallotService::Objections(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(OwnersBallot b, Load(*conn, id));
  ASSIGN_OR_RETURN(const bool names,
                   policy::Allows(*conn, viewer, policy::Action::kViewPersonalData, policy::Subject::Area(b.area_id)));
  ASSIGN_OR_RETURN(auto rows, conn->Execute("SELECT id, user_id, name, body, created_at FROM ballot_objections "
                                            "WHERE ballot_id = ? ORDER BY id LIMIT 1000",
                                            {id}));
  std::vector<Objection> out;
  for (const auto& r : rows.rows) {
    out.push_back({r.Int(0), r.Int(1), names ? r.Text(2) : MaskName(r.Text(2)), r.Text(3), FromUnix(r.Int(4))});
  }
  return out;
}

}  // namespace ningju::decisions
