// Writing areas of the tree (district -> subdistrict -> neighborhood -> building -> entrance) together with their
// ancestor closure in area_paths, and the codes the roster import gives to buildings and entrances. Used by the roster
// import, the demo generator and the staff pages that edit the tree.
#ifndef NINGJU_GOVERNANCE_AREAS_AREA_WRITER_H_
#define NINGJU_GOVERNANCE_AREAS_AREA_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "storage/database.h"

namespace ningju::areas {

struct NewArea {
  std::optional<int64_t> parent_id;  // empty only for a district
  std::string kind;                  // "district", "subdistrict", "neighborhood", "building", "entrance"
  std::string code;                  // unique among all areas
  std::string name;
  std::string subkind;            // subdistrict: "street" | "town"; neighborhood: its class
  std::string signature_project;  // subdistrict only (一街一品)
  std::string address;
  int64_t floors = 0;    // building or entrance; 0 when unknown
  int64_t sort_key = 0;  // order among siblings (then id)
};

// Inserts `area` (created_at = updated_at = `at`) and its area_paths rows: (itself, itself, 0) and one row per
// ancestor of the parent with depth + 1. Returns the new id.
// Does not write an audit record: the caller audits the change this insert is part of, in the same transaction.
// REQUIRES: `tx` is inside a transaction (the area and its paths commit together).
// Errors: kInvalidArgument for an unknown kind, an empty code or name, or a parent of the wrong kind (a building's
// parent must be a neighborhood, and so on; a district has no parent); kNotFound when the parent does not exist;
// kAlreadyExists when the code is taken; storage errors as they come.
StatusOr<int64_t> InsertArea(storage::Connection& tx, const NewArea& area, Instant at);

// The code fragment for a building or entrance name. A name that is ASCII letters and digits, once a trailing
// 号楼/号/栋/幢/座/楼/单元/门洞/门 is removed, gives that rest ("12号楼" -> "12", "A座" -> "A", "3单元" -> "3");
// any other name gives its ASCII letters and digits (at most 16) then "-" and the 8-hex-digit FNV-1a hash of its
// UTF-8 bytes ("东1号楼" -> "1-936d70ae", "甲" -> "-92ae36ec"). Deterministic; different names give different slugs
// except when two names differ only in such a suffix ("1号楼" and "1栋"), which the callers resolve with
// UniqueAreaCode.
std::string AreaCodeSlug(std::string_view name);

// neighborhood code + "-b" + slug, e.g. "CN-HY-007-b12".
std::string BuildingCode(std::string_view neighborhood_code, std::string_view building_name);
// building code + "-e" + slug, e.g. "CN-HY-007-b12-e2".
std::string EntranceCode(std::string_view building_code, std::string_view entrance_name);

// The first run of ASCII digits in `name` as a number ("12号楼" -> 12), 0 when none: the sort_key the import gives
// to buildings and entrances, so that siblings list 1, 2, ..., 10 rather than 1, 10, 2.
int64_t NameSortKey(std::string_view name);

// `code` when no area has it, otherwise the first of code-2, code-3, ... that none has.
StatusOr<std::string> UniqueAreaCode(storage::Connection& conn, std::string_view code);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_AREA_WRITER_H_
