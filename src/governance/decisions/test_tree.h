// Test-only: the small tree the ballot and elevator tests stand on -- a district, one subdistrict, two
// neighborhoods, and in the first two buildings of one entrance each.
#ifndef NINGJU_GOVERNANCE_DECISIONS_TEST_TREE_H_
#define NINGJU_GOVERNANCE_DECISIONS_TEST_TREE_H_

#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "common/status.h"
#include "governance/areas/areas.h"
#include "storage/database.h"

namespace ningju::decisions::testing {

struct SmallTree {
  int64_t neighborhood = 0, other_neighborhood = 0, building = 0, entrance = 0, building2 = 0, entrance2 = 0;
};

inline StatusOr<SmallTree> AddSmallTree(storage::Database& db, Instant now) {
  SmallTree t;
  auto add = [&](storage::Connection& tx, std::optional<int64_t> parent, const char* kind, const char* code,
                 const char* name) {
    areas::NewArea a;
    a.parent_id = parent;
    a.kind = kind;
    a.code = code;
    a.name = name;
    return areas::InsertArea(tx, a, now);
  };
  RETURN_IF_ERROR(db.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(int64_t district, add(tx, std::nullopt, "district", "d", "区"));
    ASSIGN_OR_RETURN(int64_t sd, add(tx, district, "subdistrict", "s", "街道"));
    ASSIGN_OR_RETURN(t.neighborhood, add(tx, sd, "neighborhood", "n", "居民区"));
    ASSIGN_OR_RETURN(t.other_neighborhood, add(tx, sd, "neighborhood", "n2", "另一居民区"));
    ASSIGN_OR_RETURN(t.building, add(tx, t.neighborhood, "building", "b1", "1号楼"));
    ASSIGN_OR_RETURN(t.entrance, add(tx, t.building, "entrance", "b1e1", "1号门"));
    ASSIGN_OR_RETURN(t.building2, add(tx, t.neighborhood, "building", "b2", "2号楼"));
    ASSIGN_OR_RETURN(t.entrance2, add(tx, t.building2, "entrance", "b2e1", "1号门"));
    return OkStatus();
  }));
  return t;
}

}  // namespace ningju::decisions::testing

#endif  // NINGJU_GOVERNANCE_DECISIONS_TEST_TREE_H_
