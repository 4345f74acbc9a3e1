// The area tree (district -> subdistrict -> neighborhood -> building -> entrance), with the units under entrances
// and their owners. Reads are public except personal data; edits need Permission::kEditArea on the area.
#ifndef NINGJU_GOVERNANCE_AREAS_AREAS_H_
#define NINGJU_GOVERNANCE_AREAS_AREAS_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/clock.h"
#include "common/status.h"
#include "governance/areas/roster.h"
#include "storage/database.h"

namespace ningju::areas {

enum class AreaKind { kDistrict, kSubdistrict, kNeighborhood, kBuilding, kEntrance };
std::string_view AreaKindName(AreaKind kind);
std::optional<AreaKind> ParseAreaKind(std::string_view name);

// Neighborhood classes (居民区分类治理) and subdistrict kinds (街道 / 镇): the values of Area::subkind.
const std::vector<std::string>& NeighborhoodClasses();

struct Area {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  AreaKind kind = AreaKind::kDistrict;
  std::string code;
  std::string name;
  std::string subkind;
  std::string signature_project;
  std::string address;
  int64_t floors = 0;
  int64_t sort_key = 0;

  nlohmann::json ToJson() const;
};

// What the tree holds below an area (the area itself not counted).
struct AreaFigures {
  int64_t subdistricts = 0;
  int64_t neighborhoods = 0;
  int64_t buildings = 0;
  int64_t entrances = 0;
  int64_t units = 0;
  int64_t owners = 0;
  int64_t residents = 0;
  int64_t area_centi = 0;  // registered floor area of the units, 0.01 m²

  nlohmann::json ToJson() const;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty on the last page
};

struct UnitView {
  int64_t id = 0;
  std::string entrance;
  std::string number;
  int64_t floor = 0;
  int64_t area_centi = 0;
  bool developer_unsold = false;
  std::vector<std::string> owners;  // names, masked unless the viewer may see personal data
  // Whether area_centi, developer_unsold and owners are filled: only for viewers holding kManageRoster on the area
  // (the unit-by-unit table is the roster's, not the public's; others see the numbers and the area's figures).
  bool details = false;
};

// Changes to an area; unset fields stay as they are.
struct AreaUpdate {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<std::string> subkind;
  std::optional<std::string> signature_project;
};

inline constexpr int kMaxPageSize = 200;

class AreaService {
 public:
  // The tree changes seldom and is read on every page, and figures are counted over a whole subtree (the district
  // holds some 40,000 units), so areas, ancestors, pages of children and figures are kept for `cache_ttl_seconds`
  // (default 30) and dropped at once by this service's own writes; a change made by another process (or another
  // server) shows within that time. Figures older than that are still served while one background thread recounts
  // them (stale-while-revalidate): counting a subdistrict takes tens of milliseconds, and no request should wait for
  // it, nor every request arriving meanwhile count it again.
  AreaService(storage::Database& db, const Clock& clock, int cache_ttl_seconds = 30)
      : db_(db), clock_(clock), cache_ttl_(std::chrono::seconds(cache_ttl_seconds)) {}
  ~AreaService();  // stops the background recount
  AreaService(const AreaService&) = delete;
  AreaService& operator=(const AreaService&) = delete;

  StatusOr<Area> Get(int64_t id);
  // The district at the top of the tree; kNotFound before `ningju init` or `ningju demo`.
  StatusOr<Area> Root();
  // From the top down to the parent of `id`.
  StatusOr<std::vector<Area>> Ancestors(int64_t id);
  // Children in display order, `limit` (1..200) at a time after `cursor` ("" for the first page).
  StatusOr<Page<Area>> Children(int64_t id, std::string_view cursor, int limit);
  // Every area of a kind, in display order.
  StatusOr<Page<Area>> ListByKind(AreaKind kind, std::string_view cursor, int limit);
  StatusOr<AreaFigures> Figures(int64_t id);
  // Waits until no background recount is queued or running (tests).
  void WaitForRefreshes();
  // Forgets everything cached (after a write that changes the tree, its units or owners). Thread-safe.
  void InvalidateCache();
  // The units of a building (or entrance). Their numbers and floors for anyone (a resident picks an apartment when
  // reporting); floor areas and owners (UnitView::details) only for viewers holding kManageRoster on the area, the
  // names then masked unless they also hold kViewPersonalData.
  StatusOr<std::vector<UnitView>> Units(const auth::Principal& viewer, int64_t area_id);
  // Rosters of a neighborhood (docs/ROSTER.md); each needs kManageRoster on it.
  // The dry run: every bad row, or the plan. Writes nothing.
  StatusOr<RosterPlan> PlanRoster(const auth::Principal& by, int64_t neighborhood_id, const RosterTable& table);
  // Plans and, when no row is bad, writes in one audited transaction. A plan with problems is returned unwritten.
  StatusOr<RosterPlan> ImportRoster(const auth::Principal& by, int64_t neighborhood_id, const RosterTable& table);
  // The roster as "csv" or "xlsx" bytes; names and phones in full only when `unmasked` is asked for and `by` also
  // holds kViewPersonalData (else kPermissionDenied).
  StatusOr<std::string> ExportRoster(const auth::Principal& by, int64_t neighborhood_id, std::string_view format,
                                     bool unmasked);

  // Whether `viewer` may edit area `id` (policy action kEditArea): the page shows the edit link.
  StatusOr<bool> MayEdit(const auth::Principal& viewer, int64_t id);
  // Area `id` for its edit form, after checking kEditArea.
  StatusOr<Area> GetForEdit(const auth::Principal& by, int64_t id);
  // Neighborhood `id` for its roster page, after checking kViewRoster.
  StatusOr<Area> GetRoster(const auth::Principal& by, int64_t id);
  // OK when `by` may import a roster into `neighborhood_id` (kManageRoster): asked before an upload is parsed.
  Status MayImportRoster(const auth::Principal& by, int64_t neighborhood_id);

  // Applies `update` after checking kEditArea; audited with the before and after values.
  StatusOr<Area> Update(const auth::Principal& by, int64_t id, const AreaUpdate& update);

 private:
  StatusOr<AreaFigures> CountFigures(int64_t id);
  // The background recount of stale figures.
  void RefreshLoop();

  storage::Database& db_;
  const Clock& clock_;
  const std::chrono::seconds cache_ttl_;
  // What was read, with when; each map bounded (cleared when it outgrows the tree). Guarded by cache_mu_.
  std::mutex cache_mu_;
  std::map<int64_t, std::pair<Instant, Area>> areas_;
  std::map<int64_t, std::pair<Instant, std::vector<Area>>> ancestors_;
  std::map<std::tuple<int64_t, std::string, int>, std::pair<Instant, Page<Area>>> children_;
  std::map<int64_t, std::pair<Instant, AreaFigures>> figures_;
  uint64_t generation_ = 0;             // bumped by InvalidateCache: a count begun before it is not kept
  std::deque<int64_t> refresh_queue_;   // figures to recount, each at most once (refreshing_)
  std::set<int64_t> refreshing_;        // queued or being recounted
  std::condition_variable refresh_cv_;  // the refresher waits for work; WaitForRefreshes for none
  bool stopping_ = false;
  std::thread refresher_;  // started at the first stale figures
};

// Reads an Area from a row of `kAreaColumns`.
inline constexpr char kAreaColumns[] =
    "id, parent_id, kind, code, name, subkind, signature_project, address, floors, sort_key";
Area ReadArea(const storage::Row& row);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_AREAS_H_
