#include "governance/areas/areas.h"

#include <algorithm>
#include <map>

#include "auth/policy.h"
#include "common/decimal.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "record/record.h"
#include "storage/locking.h"

namespace ningju::areas {
namespace {

namespace policy = auth::policy;

// The policy's answer for `action` on area `id`.
Status Require(storage::Connection& conn, const auth::Principal& p, policy::Action action, int64_t id) {
  return policy::Require(conn, p, action, policy::Subject::Area(id));
}
StatusOr<bool> Allows(storage::Connection& conn, const auth::Principal& p, policy::Action action, int64_t id) {
  return policy::Allows(conn, p, action, policy::Subject::Area(id));
}

constexpr std::pair<AreaKind, std::string_view> kKinds[] = {
    {AreaKind::kDistrict, "district"},         {AreaKind::kSubdistrict, "subdistrict"},
    {AreaKind::kNeighborhood, "neighborhood"}, {AreaKind::kBuilding, "building"},
    {AreaKind::kEntrance, "entrance"},
};

Status CheckLimit(int limit) {
  if (limit < 1 || limit > kMaxPageSize) {
    return InvalidArgumentError(Msg("limit must be between 1 and {}", kMaxPageSize), "limit");
  }
  return OkStatus();
}

StatusOr<Page<Area>> PageOf(storage::Connection& conn, const std::string& where, storage::Params params,
                            std::string_view cursor, int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  std::string sql = std::string("SELECT ") + kAreaColumns + " FROM areas WHERE " + where;
  if (!cursor.empty()) {
    auto keys = DecodeCursor(cursor, 2);
    if (!keys) return InvalidArgumentError("malformed cursor", "cursor");
    sql += " AND (sort_key > ? OR (sort_key = ? AND id > ?))";
    params.push_back((*keys)[0]);
    params.push_back((*keys)[0]);
    params.push_back((*keys)[1]);
  }
  sql += " ORDER BY sort_key, id LIMIT ?";
  params.push_back(int64_t{limit + 1});
  ASSIGN_OR_RETURN(storage::Result result, conn.Execute(sql, params));
  Page<Area> page;
  for (const auto& row : result.rows) page.items.push_back(ReadArea(row));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_cursor = EncodeCursor({page.items.back().sort_key, page.items.back().id});
  }
  return page;
}

Status ValidateText(const std::optional<std::string>& value, const char* field, size_t max_chars, bool required) {
  if (!value) return OkStatus();
  RETURN_IF_ERROR(utf8::Validate(*value, field));
  size_t n = utf8::CodePointCount(*value);
  if (required && Trim(*value).empty())
    return InvalidArgumentError(Msg("{} must not be empty", FieldName{field}), field);
  if (n > max_chars) {
    return InvalidArgumentError(Msg("{} has at most {} characters", FieldName{field}, max_chars), field);
  }
  return OkStatus();
}

}  // namespace

std::string_view AreaKindName(AreaKind kind) {
  for (const auto& [k, n] : kKinds) {
    if (k == kind) return n;
  }
  return "unknown";
}

std::optional<AreaKind> ParseAreaKind(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

const std::vector<std::string>& NeighborhoodClasses() {
  static const std::vector<std::string> classes = {"commodity", "sold_public", "old_lane", "mixed"};
  return classes;
}

nlohmann::json Area::ToJson() const {
  return {{"id", id},
          {"parent_id", parent_id ? nlohmann::json(*parent_id) : nlohmann::json(nullptr)},
          {"kind", AreaKindName(kind)},
          {"code", code},
          {"name", name},
          {"subkind", subkind},
          {"signature_project", signature_project},
          {"address", address},
          {"floors", floors}};
}

nlohmann::json AreaFigures::ToJson() const {
  return {{"subdistricts", subdistricts},
          {"neighborhoods", neighborhoods},
          {"buildings", buildings},
          {"entrances", entrances},
          {"units", units},
          {"owners", owners},
          {"residents", residents},
          {"area_m2", ningju::Area::FromHundredths(area_centi).ToString()}};
}

Area ReadArea(const storage::Row& row) {
  Area a;
  a.id = row.Int(0);
  a.parent_id = row.OptInt(1);
  a.kind = ParseAreaKind(row.Text(2)).value_or(AreaKind::kDistrict);
  a.code = row.Text(3);
  a.name = row.Text(4);
  a.subkind = row.Text(5);
  a.signature_project = row.Text(6);
  a.address = row.Text(7);
  a.floors = row.Int(8);
  a.sort_key = row.Int(9);
  return a;
}

namespace {

// The cached value under `key` if it is younger than `ttl`. REQUIRES: the caller holds the cache's mutex.
template <typename Map, typename Key>
auto Fresh(Map& map, const Key& key, Instant now, std::chrono::seconds ttl) -> const
    decltype(map.begin()->second.second)* {
  auto it = map.find(key);
  if (it == map.end() || now - it->second.first >= ttl) return nullptr;
  return &it->second.second;
}

template <typename Map, typename Key, typename Value>
void Keep(Map& map, const Key& key, Instant now, const Value& value) {
  if (map.size() > 100000) map.clear();  // bounded: more than the tree has areas means stale keys
  map[key] = {now, value};
}

}  // namespace

StatusOr<Area> AreaService::Get(int64_t id) {
  const Instant now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (const Area* a = Fresh(areas_, id, now, cache_ttl_)) return *a;
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row,
                   conn->QueryOptional(std::string("SELECT ") + kAreaColumns + " FROM areas WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no area {}", id));
  Area area = ReadArea(*row);
  std::lock_guard<std::mutex> lock(cache_mu_);
  Keep(areas_, id, now, area);
  return area;
}

StatusOr<Area> AreaService::Root() {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto row, conn->QueryOptional(std::string("SELECT ") + kAreaColumns +
                                                 " FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
  if (!row) return NotFoundError("the area tree is empty: run `ningju init` or `ningju demo`");
  return ReadArea(*row);
}

StatusOr<std::vector<Area>> AreaService::Ancestors(int64_t id) {
  const Instant now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (const auto* a = Fresh(ancestors_, id, now, cache_ttl_)) return *a;
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(
      storage::Result result,
      conn->Execute("SELECT a.id, a.parent_id, a.kind, a.code, a.name, a.subkind, a.signature_project, "
                    "a.address, a.floors, a.sort_key FROM area_paths p JOIN areas a ON a.id = p.ancestor_id "
                    "WHERE p.descendant_id = ? AND p.depth > 0 ORDER BY p.depth DESC",
                    {id}));
  std::vector<Area> out;
  for (const auto& row : result.rows) out.push_back(ReadArea(row));
  std::lock_guard<std::mutex> lock(cache_mu_);
  Keep(ancestors_, id, now, out);
  return out;
}

StatusOr<Page<Area>> AreaService::Children(int64_t id, std::string_view cursor, int limit) {
  const Instant now = clock_.Now();
  const auto key = std::make_tuple(id, std::string(cursor), limit);
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (const auto* page = Fresh(children_, key, now, cache_ttl_)) return *page;
  }
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(auto exists, conn->QueryOptional("SELECT id FROM areas WHERE id = ?", {id}));
  if (!exists) return NotFoundError(Msg("no area {}", id));
  ASSIGN_OR_RETURN(Page<Area> page, PageOf(*conn, "parent_id = ?", {id}, cursor, limit));
  std::lock_guard<std::mutex> lock(cache_mu_);
  Keep(children_, key, now, page);
  return page;
}

StatusOr<Page<Area>> AreaService::ListByKind(AreaKind kind, std::string_view cursor, int limit) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return PageOf(*conn, "kind = ?", {std::string(AreaKindName(kind))}, cursor, limit);
}

AreaService::~AreaService() {
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    stopping_ = true;
  }
  refresh_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

StatusOr<AreaFigures> AreaService::Figures(int64_t id) {
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = figures_.find(id);
    if (it != figures_.end()) {
      if (clock_.Now() - it->second.first >= cache_ttl_ && !stopping_ && refreshing_.insert(id).second) {
        refresh_queue_.push_back(id);
        if (!refresher_.joinable()) refresher_ = std::thread([this] { RefreshLoop(); });
        refresh_cv_.notify_all();
      }
      return it->second.second;  // fresh, or stale while the recount runs
    }
    generation = generation_;
  }
  const Instant started = clock_.Now();
  ASSIGN_OR_RETURN(AreaFigures f, CountFigures(id));
  std::lock_guard<std::mutex> lock(cache_mu_);
  if (generation == generation_) Keep(figures_, id, started, f);
  return f;
}

void AreaService::RefreshLoop() {
  std::unique_lock<std::mutex> lock(cache_mu_);
  while (true) {
    refresh_cv_.wait(lock, [this] { return stopping_ || !refresh_queue_.empty(); });
    if (stopping_) return;
    const int64_t id = refresh_queue_.front();
    refresh_queue_.pop_front();
    const uint64_t generation = generation_;
    lock.unlock();
    const Instant started = clock_.Now();
    StatusOr<AreaFigures> f = CountFigures(id);
    lock.lock();
    // A failed recount keeps the old figures; the next request after the TTL tries again.
    if (f.ok() && generation == generation_) Keep(figures_, id, started, *f);
    refreshing_.erase(id);
    refresh_cv_.notify_all();
  }
}

void AreaService::WaitForRefreshes() {
  std::unique_lock<std::mutex> lock(cache_mu_);
  refresh_cv_.wait(lock, [this] { return refreshing_.empty(); });
}

void AreaService::InvalidateCache() {
  std::lock_guard<std::mutex> lock(cache_mu_);
  ++generation_;
  areas_.clear();
  ancestors_.clear();
  children_.clear();
  figures_.clear();
}

StatusOr<AreaFigures> AreaService::CountFigures(int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  AreaFigures f;
  ASSIGN_OR_RETURN(storage::Result kinds,
                   conn->Execute("SELECT a.kind, COUNT(*) FROM area_paths p JOIN areas a ON a.id = p.descendant_id "
                                 "WHERE p.ancestor_id = ? AND p.depth > 0 GROUP BY a.kind",
                                 {id}));
  for (const auto& row : kinds.rows) {
    auto kind = ParseAreaKind(row.Text(0));
    if (!kind) continue;
    switch (*kind) {
      case AreaKind::kSubdistrict:
        f.subdistricts = row.Int(1);
        break;
      case AreaKind::kNeighborhood:
        f.neighborhoods = row.Int(1);
        break;
      case AreaKind::kBuilding:
        f.buildings = row.Int(1);
        break;
      case AreaKind::kEntrance:
        f.entrances = row.Int(1);
        break;
      case AreaKind::kDistrict:
        break;
    }
  }
  ASSIGN_OR_RETURN(storage::Row units,
                   conn->QueryOne("SELECT COUNT(*), COALESCE(SUM(u.area_centi), 0) FROM units u "
                                  "JOIN area_paths p ON p.descendant_id = u.entrance_id WHERE p.ancestor_id = ?",
                                  {id}));
  f.units = units.Int(0);
  f.area_centi = units.Int(1);
  ASSIGN_OR_RETURN(storage::Row owners,
                   conn->QueryOne("SELECT COUNT(DISTINCT uo.owner_id) FROM unit_owners uo "
                                  "JOIN units u ON u.id = uo.unit_id "
                                  "JOIN area_paths p ON p.descendant_id = u.entrance_id WHERE p.ancestor_id = ?",
                                  {id}));
  f.owners = owners.Int(0);
  ASSIGN_OR_RETURN(storage::Row residents,
                   conn->QueryOne("SELECT COUNT(DISTINCT r.user_id) FROM residencies r "
                                  "JOIN area_paths p ON p.descendant_id = r.area_id WHERE p.ancestor_id = ?",
                                  {id}));
  f.residents = residents.Int(0);
  return f;
}

StatusOr<std::vector<UnitView>> AreaService::Units(const auth::Principal& viewer, int64_t area_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  ASSIGN_OR_RETURN(const bool details, Allows(*conn, viewer, policy::Action::kViewRoster, area_id));
  bool personal = false;
  if (details) {
    ASSIGN_OR_RETURN(personal, Allows(*conn, viewer, policy::Action::kViewPersonalData, area_id));
  }
  ASSIGN_OR_RETURN(
      storage::Result result,
      conn->Execute("SELECT u.id, e.name, u.number, u.floor, u.area_centi, u.developer_unsold, o.name, o.kind "
                    "FROM units u JOIN areas e ON e.id = u.entrance_id "
                    "JOIN area_paths p ON p.descendant_id = u.entrance_id AND p.ancestor_id = ? "
                    "LEFT JOIN unit_owners uo ON uo.unit_id = u.id "
                    "LEFT JOIN owners o ON o.id = uo.owner_id "
                    "ORDER BY e.sort_key, e.id, u.floor, u.number, o.id LIMIT 5000",
                    {area_id}));
  std::vector<UnitView> out;
  for (const auto& row : result.rows) {
    if (out.empty() || out.back().id != row.Int(0)) {
      if (details) {
        out.push_back({row.Int(0), row.Text(1), row.Text(2), row.Int(3), row.Int(4), row.Bool(5), {}, true});
      } else {
        out.push_back({row.Int(0), row.Text(1), row.Text(2), row.Int(3), 0, false, {}, false});
      }
    }
    if (details && !row.IsNull(6))
      out.back().owners.push_back(personal ? row.Text(6) : MaskOwnerName(row.Text(6), row.Text(7)));
  }
  return out;
}

StatusOr<RosterPlan> AreaService::PlanRoster(const auth::Principal& by, int64_t neighborhood_id,
                                             const RosterTable& table) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  RETURN_IF_ERROR(Require(*conn, by, policy::Action::kManageRoster, neighborhood_id));
  return PlanRosterImport(*conn, neighborhood_id, table);
}

StatusOr<RosterPlan> AreaService::ImportRoster(const auth::Principal& by, int64_t neighborhood_id,
                                               const RosterTable& table) {
  ASSIGN_OR_RETURN(RosterPlan plan, PlanRoster(by, neighborhood_id, table));
  if (!plan.ok()) return plan;
  record::Actor actor = auth::ActorOf(by);
  RETURN_IF_ERROR(ApplyRosterImport(db_, plan, clock_.Now(), actor));
  InvalidateCache();
  return plan;
}

StatusOr<std::string> AreaService::ExportRoster(const auth::Principal& by, int64_t neighborhood_id,
                                                std::string_view format, bool unmasked) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  RETURN_IF_ERROR(Require(*conn, by, policy::Action::kViewRoster, neighborhood_id));
  if (unmasked) RETURN_IF_ERROR(Require(*conn, by, policy::Action::kViewPersonalData, neighborhood_id));
  RosterExportOptions options{.unmasked = unmasked};
  if (format == "csv") return ExportRosterCsv(*conn, neighborhood_id, options);
  if (format == "xlsx") return ExportRosterXlsx(*conn, neighborhood_id, options);
  return InvalidArgumentError(Msg("unknown export format \"{}\" (csv or xlsx)", format), "format");
}

StatusOr<bool> AreaService::MayEdit(const auth::Principal& viewer, int64_t id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return Allows(*conn, viewer, policy::Action::kEditArea, id);
}

StatusOr<Area> AreaService::GetForEdit(const auth::Principal& by, int64_t id) {
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    RETURN_IF_ERROR(Require(*conn, by, policy::Action::kEditArea, id));
  }
  return Get(id);
}

StatusOr<Area> AreaService::GetRoster(const auth::Principal& by, int64_t id) {
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    RETURN_IF_ERROR(Require(*conn, by, policy::Action::kViewRoster, id));
  }
  return Get(id);
}

Status AreaService::MayImportRoster(const auth::Principal& by, int64_t neighborhood_id) {
  ASSIGN_OR_RETURN(auto conn, db_.Acquire());
  return Require(*conn, by, policy::Action::kManageRoster, neighborhood_id);
}

StatusOr<Area> AreaService::Update(const auth::Principal& by, int64_t id, const AreaUpdate& update) {
  // Who asks before what they sent (STYLE.md item 20); the transaction asks again over the locked row.
  {
    ASSIGN_OR_RETURN(auto conn, db_.Acquire());
    RETURN_IF_ERROR(Require(*conn, by, policy::Action::kEditArea, id));
  }
  RETURN_IF_ERROR(ValidateText(update.name, "name", 60, true));
  RETURN_IF_ERROR(ValidateText(update.address, "address", 120, false));
  RETURN_IF_ERROR(ValidateText(update.signature_project, "signature_project", 120, false));
  Area after;
  RETURN_IF_ERROR(db_.InTransaction([&](storage::Connection& tx) -> Status {
    const Instant now = clock_.Now();
    // Locked until the end: the update rewrites every column from this read (STYLE.md item 17).
    ASSIGN_OR_RETURN(auto row, tx.QueryOptional(std::string("SELECT ") + kAreaColumns + " FROM areas WHERE id = ?" +
                                                    storage::ForUpdate(tx.dialect()),
                                                {id}));
    if (!row) return NotFoundError(Msg("no area {}", id));
    RETURN_IF_ERROR(Require(tx, by, policy::Action::kEditArea, id));
    Area before = ReadArea(*row);
    after = before;
    if (update.name) after.name = std::string(Trim(*update.name));
    if (update.address) after.address = std::string(Trim(*update.address));
    if (update.subkind) {
      const auto& classes = NeighborhoodClasses();
      bool ok = false;
      if (before.kind == AreaKind::kNeighborhood) {
        ok = std::find(classes.begin(), classes.end(), *update.subkind) != classes.end();
      } else if (before.kind == AreaKind::kSubdistrict) {
        ok = *update.subkind == "street" || *update.subkind == "town";
      }
      if (!ok) {
        return InvalidArgumentError(Msg("\"{}\" is not a class of a {}", *update.subkind, AreaKindName(before.kind)),
                                    "subkind");
      }
      after.subkind = *update.subkind;
    }
    if (update.signature_project) {
      if (before.kind != AreaKind::kSubdistrict) {
        return InvalidArgumentError("only a subdistrict has a signature project", "signature_project");
      }
      after.signature_project = std::string(Trim(*update.signature_project));
    }
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE areas SET name = ?, address = ?, subkind = ?, signature_project = ?, updated_at = ? WHERE id = ?",
        {after.name, after.address, after.subkind, after.signature_project, ToUnix(now), id}));
    record::Actor actor = auth::ActorOf(by);
    // On the area's timeline too: its followers hear of it (src/platform/notify).
    RETURN_IF_ERROR(record::AddEvent(tx, record::Ref("area", id), now, actor, "updated", ""));
    return record::Audit(tx, now, actor, "area.update", record::Ref("area", id),
                         {{"before", before.ToJson()}, {"after", after.ToJson()}});
  }));
  InvalidateCache();
  return after;
}

}  // namespace ningju::areas
