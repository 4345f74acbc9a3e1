#include "governance/areas/area_writer.h"

#include <array>
#include <cstdio>
#include <string>

namespace ningju::areas {
namespace {

// The kind of parent each kind needs; "" for a district (no parent).
std::optional<std::string_view> ParentKind(std::string_view kind) {
  if (kind == "district") return "";
  if (kind == "subdistrict") return "district";
  if (kind == "neighborhood") return "subdistrict";
  if (kind == "building") return "neighborhood";
  if (kind == "entrance") return "building";
  return std::nullopt;
}

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool AllAsciiAlnum(std::string_view s) {
  for (char c : s) {
    if (!IsAsciiAlnum(c)) return false;
  }
  return true;
}

uint32_t Fnv1a32(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

StatusOr<int64_t> InsertArea(storage::Connection& tx, const NewArea& area, Instant at) {
  const std::optional<std::string_view> parent_kind = ParentKind(area.kind);
  if (!parent_kind) return InvalidArgumentError(Msg("unknown area kind \"{}\"", area.kind), "kind");
  if (area.code.empty()) return InvalidArgumentError("an area needs a code", "code");
  if (area.name.empty()) return InvalidArgumentError("an area needs a name", "name");
  if (parent_kind->empty()) {
    if (area.parent_id) return InvalidArgumentError("a district has no parent", "parent_id");
  } else {
    if (!area.parent_id) {
      return InvalidArgumentError(Msg("a {} needs a parent {}", area.kind, *parent_kind), "parent_id");
    }
    ASSIGN_OR_RETURN(std::optional<storage::Row> parent,
                     tx.QueryOptional("SELECT kind FROM areas WHERE id = ?", {*area.parent_id}));
    if (!parent) return NotFoundError(Msg("no area {}", *area.parent_id));
    if (parent->Text(0) != *parent_kind) {
      return InvalidArgumentError(
          Msg("the parent of a {} must be a {}, not a {}", area.kind, *parent_kind, parent->Text(0)), "parent_id");
    }
  }
  const int64_t now = ToUnix(at);
  ASSIGN_OR_RETURN(storage::Row inserted,
                   tx.QueryOne("INSERT INTO areas (parent_id, kind, code, name, subkind, signature_project, address, "
                               "floors, sort_key, created_at, updated_at) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                               {storage::Nullable(area.parent_id), area.kind, area.code, area.name, area.subkind,
                                area.signature_project, area.address, area.floors, area.sort_key, now, now}));
  const int64_t id = inserted.Int(0);
  RETURN_IF_ERROR(tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", {id, id}));
  if (area.parent_id) {
    // The CASTs give PostgreSQL the parameter types a SELECT list cannot infer.
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO area_paths (ancestor_id, descendant_id, depth) "
                   "SELECT ancestor_id, CAST(? AS BIGINT), depth + 1 FROM area_paths "
                   "WHERE descendant_id = ?",
                   {id, *area.parent_id}));
  }
  return id;
}

std::string AreaCodeSlug(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kSuffixes = {"号楼", "门洞", "单元", "号", "栋",
                                                                "幢",   "座",   "楼",   "门"};
  std::string_view rest = name;
  for (std::string_view suffix : kSuffixes) {
    if (rest.size() > suffix.size() && rest.ends_with(suffix)) {
      rest.remove_suffix(suffix.size());
      break;
    }
  }
  if (!rest.empty() && rest.size() <= 32 && AllAsciiAlnum(rest)) return std::string(rest);
  std::string slug;
  for (char c : name) {
    if (IsAsciiAlnum(c) && slug.size() < 16) slug.push_back(c);
  }
  char hash[16];
  std::snprintf(hash, sizeof hash, "-%08x", Fnv1a32(name));
  return slug + hash;
}

std::string BuildingCode(std::string_view neighborhood_code, std::string_view building_name) {
  return std::string(neighborhood_code) + "-b" + AreaCodeSlug(building_name);
}

std::string EntranceCode(std::string_view building_code, std::string_view entrance_name) {
  return std::string(building_code) + "-e" + AreaCodeSlug(entrance_name);
}

int64_t NameSortKey(std::string_view name) {
  size_t i = 0;
  while (i < name.size() && !(name[i] >= '0' && name[i] <= '9')) ++i;
  int64_t key = 0;
  for (int digits = 0; i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 9; ++i, ++digits) {
    key = key * 10 + (name[i] - '0');
  }
  return key;
}

StatusOr<std::string> UniqueAreaCode(storage::Connection& conn, std::string_view code) {
  std::string candidate(code);
  for (int n = 2;; ++n) {
    ASSIGN_OR_RETURN(std::optional<storage::Row> taken,
                     conn.QueryOptional("SELECT id FROM areas WHERE code = ?", {candidate}));
    if (!taken) return candidate;
    candidate = std::string(code) + "-" + std::to_string(n);
  }
}

}  // namespace ningju::areas
