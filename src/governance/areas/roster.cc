#include "governance/areas/roster.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <set>
#include <span>
#include <string>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/decimal.h"
#include "common/text_util.h"
#include "common/utf8.h"
#include "governance/areas/area_writer.h"
#include "governance/areas/csv.h"
#include "governance/areas/xlsx.h"
#include "storage/locking.h"

namespace ningju::areas {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// Columns

struct ColumnSpec {
  RosterColumn column;
  std::string_view english;
  std::string_view chinese;
  bool required;
};

constexpr std::array<ColumnSpec, kRosterColumnCount> kColumns = {{
    {RosterColumn::kBuilding, "building", "楼栋", true},
    {RosterColumn::kEntrance, "entrance", "门洞", true},
    {RosterColumn::kUnit, "unit", "室号", true},
    {RosterColumn::kFloor, "floor", "楼层", false},
    {RosterColumn::kArea, "area_m2", "建筑面积", true},
    {RosterColumn::kOwnerName, "owner_name", "业主姓名", true},
    {RosterColumn::kOwnerPhone, "owner_phone", "业主电话", false},
    {RosterColumn::kDeveloperUnsold, "developer_unsold", "开发商未售", false},
}};

size_t Index(RosterColumn c) { return static_cast<size_t>(c); }

// The largest registered area of one unit; a larger value is almost surely a slip (a phone number in the area column).
constexpr int64_t kMaxAreaCenti = 100'000'00;
constexpr int64_t kMinFloor = -9;
constexpr int64_t kMaxFloor = 200;

// ---------------------------------------------------------------------------------------------------------------
// Text helpers

// Strips ASCII white space, U+00A0 (no-break space), U+3000 (ideographic space) and U+FEFF (BOM) at both ends.
std::string_view TrimCell(std::string_view s) {
  static constexpr std::array<std::string_view, 3> kWide = {"\xC2\xA0", "\xE3\x80\x80", "\xEF\xBB\xBF"};
  bool again = true;
  while (again && !s.empty()) {
    again = false;
    const char f = s.front();
    if (f == ' ' || f == '\t' || f == '\r' || f == '\n' || f == '\v' || f == '\f') {
      s.remove_prefix(1);
      again = true;
      continue;
    }
    const char b = s.back();
    if (b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' || b == '\f') {
      s.remove_suffix(1);
      again = true;
      continue;
    }
    for (std::string_view w : kWide) {
      if (s.starts_with(w)) {
        s.remove_prefix(w.size());
        again = true;
      } else if (s.ends_with(w)) {
        s.remove_suffix(w.size());
        again = true;
      }
    }
  }
  return s;
}

std::string Quote(std::string_view text) { return QuoteForMessage(text, 40); }

// C0 controls, DEL, and C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
bool HasControlCharacter(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u < 0x20 || u == 0x7F) return true;
    if (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) return true;
  }
  return false;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A value a spreadsheet would take for a formula: =, + or @ first, or - first when not a negative number ("-101").
bool LooksLikeFormula(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == '=' || s[0] == '+' || s[0] == '@') return true;
  return s[0] == '-' && !AllDigits(s.substr(1));
}

bool ValidPhone(std::string_view p) {
  if (p.empty()) return true;
  if (p[0] == '1') return p.size() == 11 && AllDigits(p) && p[1] >= '3' && p[1] <= '9';
  if (p.size() > 20 || p.front() == '-' || p.back() == '-' || p.find("--") != std::string_view::npos) return false;
  size_t digits = 0;
  for (char c : p) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != '-') {
      return false;
    }
  }
  return digits >= 7 && digits <= 16;
}

std::optional<bool> ParseFlag(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lower.empty() || lower == "0" || lower == "否" || lower == "false") return false;
  if (lower == "1" || lower == "是" || lower == "true") return true;
  return std::nullopt;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string LowerExtension(std::string_view filename) {
  const size_t slash = filename.find_last_of("/\\");
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  const size_t dot = filename.rfind('.');
  if (dot == std::string_view::npos) return "";
  std::string ext(filename.substr(dot));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ext;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

// The problems of one table, collected with the column index for sorting.
class ProblemList {
 public:
  void Add(int64_t row, std::optional<size_t> column, std::string column_name, std::string code, std::string reason) {
    items_.push_back({row, column,
                      RosterProblem{row, column ? ColumnLetters(*column) : std::string(), std::move(column_name),
                                    std::move(code), std::move(reason)}});
    rows_.insert(row);
  }
  bool RowHasProblem(int64_t row) const { return rows_.contains(row); }
  std::vector<RosterProblem> Sorted() && {
    std::stable_sort(items_.begin(), items_.end(), [](const Item& a, const Item& b) {
      const int64_t ca = a.column ? static_cast<int64_t>(*a.column) : -1;
      const int64_t cb = b.column ? static_cast<int64_t>(*b.column) : -1;
      return std::tie(a.row, ca) < std::tie(b.row, cb);
    });
    std::vector<RosterProblem> out;
    out.reserve(items_.size());
    for (Item& item : items_) out.push_back(std::move(item.problem));
    return out;
  }

 private:
  struct Item {
    int64_t row;
    std::optional<size_t> column;
    RosterProblem problem;
  };
  std::vector<Item> items_;
  std::set<int64_t> rows_;
};

struct HeaderMap {
  // Column index in the file for each RosterColumn, when present.
  std::array<std::optional<size_t>, kRosterColumnCount> position;
  // The header text as written, for each RosterColumn present.
  std::array<std::string, kRosterColumnCount> written;
};

HeaderMap ReadHeader(const SheetRow& header, std::span<const SheetRow> data, ProblemList& problems) {
  HeaderMap map;
  std::vector<size_t> unnamed;
  for (size_t c = 0; c < header.cells.size(); ++c) {
    const std::string_view name = TrimCell(header.cells[c]);
    if (name.empty()) {
      unnamed.push_back(c);
      continue;
    }
    const ColumnSpec* spec = nullptr;
    for (const ColumnSpec& s : kColumns) {
      if (name == s.english || name == s.chinese) spec = &s;
    }
    if (spec == nullptr) {
      problems.Add(header.number, c, std::string(name), "unknown_column",
                   "unknown column " + Quote(name) +
                       "; the columns are building, entrance, unit, floor, area_m2, owner_name, owner_phone, "
                       "developer_unsold (or 楼栋, 门洞, 室号, 楼层, 建筑面积, 业主姓名, 业主电话, 开发商未售)");
      continue;
    }
    const size_t k = Index(spec->column);
    if (map.position[k]) {
      problems.Add(header.number, c, std::string(name), "duplicate_column",
                   "column " + std::string(spec->english) + " (" + std::string(spec->chinese) +
                       ") appears twice (also column " + ColumnLetters(*map.position[k]) + ")");
      continue;
    }
    map.position[k] = c;
    map.written[k] = std::string(name);
  }
  for (const ColumnSpec& s : kColumns) {
    if (s.required && !map.position[Index(s.column)]) {
      problems.Add(header.number, std::nullopt, std::string(s.english), "missing_column",
                   "required column " + std::string(s.english) + " (" + std::string(s.chinese) + ") is missing");
    }
  }
  for (size_t c : unnamed) {
    for (const SheetRow& row : data) {
      if (c < row.cells.size() && !TrimCell(row.cells[c]).empty()) {
        problems.Add(header.number, c, "", "unnamed_column",
                     "column " + ColumnLetters(c) + " has values (first in row " + std::to_string(row.number) +
                         ") but no header");
        break;
      }
    }
  }
  return map;
}

// The header is the first of the first few rows that names a known column; rows above it are titles
// ("华院居民区业主花名册"). Without such a row, the first row is the header (and its problems are reported).
size_t FindHeaderRow(const std::vector<SheetRow>& rows) {
  constexpr size_t kMaxTitleRows = 10;
  for (size_t r = 0; r < rows.size() && r <= kMaxTitleRows; ++r) {
    for (const std::string& cell : rows[r].cells) {
      const std::string_view name = TrimCell(cell);
      for (const ColumnSpec& s : kColumns) {
        if (name == s.english || name == s.chinese) return r;
      }
    }
  }
  return 0;
}

class RowValidator {
 public:
  RowValidator(const HeaderMap& header, ProblemList& problems) : header_(header), problems_(problems) {}

  // The normalized entry, or nullopt when the row has a problem (recorded).
  std::optional<RosterEntry> Validate(const SheetRow& row) {
    row_ = &row;
    bad_ = false;
    RosterEntry e;
    e.row = row.number;
    e.building = Text(RosterColumn::kBuilding, /*required=*/true);
    e.entrance = Text(RosterColumn::kEntrance, /*required=*/true);
    e.unit = Text(RosterColumn::kUnit, /*required=*/true);

    if (auto floor = Cell(RosterColumn::kFloor); floor && !floor->empty()) {
      const std::optional<int64_t> n = ParseInt(*floor);
      if (!n) {
        Problem(RosterColumn::kFloor, "malformed_floor", "malformed floor " + Quote(*floor) + " (a whole number)");
      } else if (*n == 0 || *n < kMinFloor || *n > kMaxFloor) {
        Problem(RosterColumn::kFloor, "floor_out_of_range",
                "floor " + std::to_string(*n) + " out of range (" + std::to_string(kMinFloor) + " to -1 or 1 to " +
                    std::to_string(kMaxFloor) + "; leave it empty when unknown)");
      } else {
        e.floor = *n;
      }
    }

    if (auto area = Cell(RosterColumn::kArea)) {
      if (area->empty()) {
        Problem(RosterColumn::kArea, "empty", "the area is required");
      } else {
        StatusOr<Area> parsed = Area::Parse(*area);
        if (!parsed.ok()) {
          Problem(RosterColumn::kArea, "malformed_area", parsed.status().message());
        } else if (parsed->hundredths() <= 0) {
          Problem(RosterColumn::kArea, "area_not_positive", "the area must be greater than 0");
        } else if (parsed->hundredths() > kMaxAreaCenti) {
          Problem(RosterColumn::kArea, "area_too_large",
                  "area " + parsed->ToString() + " m² is larger than " +
                      Area::FromHundredths(kMaxAreaCenti).ToString() + " m²");
        } else {
          e.area_centi = parsed->hundredths();
        }
      }
    }

    std::optional<bool> unsold = false;
    if (auto flag = Cell(RosterColumn::kDeveloperUnsold)) {
      unsold = ParseFlag(*flag);
      if (!unsold) {
        Problem(RosterColumn::kDeveloperUnsold, "malformed_flag",
                "malformed developer_unsold " + Quote(*flag) + " (1/0, 是/否, true/false, or empty for 0)");
      }
    }
    e.developer_unsold = unsold.value_or(false);

    std::optional<std::string> name = Cell(RosterColumn::kOwnerName);
    if (name) {
      if (unsold && *unsold && !name->empty()) {
        Problem(RosterColumn::kOwnerName, "owner_of_unsold",
                "a developer-unsold unit has no owner: leave the owner empty or set developer_unsold to 0");
      } else if (unsold && !*unsold && name->empty()) {
        Problem(RosterColumn::kOwnerName, "empty",
                "the owner's name is required (a unit without an owner must have developer_unsold = 1)");
      } else if (name->find('*') != std::string::npos) {
        Problem(RosterColumn::kOwnerName, "masked_value",
                "the name " + Quote(*name) + " is masked (export with full names to import it back)");
      } else if (LooksLikeFormula(*name)) {
        FormulaProblem(RosterColumn::kOwnerName, *name);
      } else {
        e.owner_name = *name;
      }
    }

    if (std::optional<std::string> phone = Cell(RosterColumn::kOwnerPhone); phone && !phone->empty()) {
      std::string compact;
      for (char c : *phone) {
        if (c != ' ') compact.push_back(c);
      }
      if (unsold && *unsold) {
        Problem(RosterColumn::kOwnerPhone, "owner_of_unsold", "a developer-unsold unit has no owner's phone");
      } else if (compact.find('*') != std::string::npos) {
        Problem(RosterColumn::kOwnerPhone, "masked_value",
                "the phone " + Quote(compact) + " is masked (export with full phones to import it back)");
      } else if (!ValidPhone(compact)) {
        Problem(RosterColumn::kOwnerPhone, "malformed_phone",
                "malformed phone " + Quote(*phone) +
                    " (a mobile number is 11 digits starting with 1; a landline is digits and '-', e.g. "
                    "021-62345678)");
      } else {
        e.owner_phone = std::move(compact);
      }
    }

    if (bad_) return std::nullopt;
    return e;
  }

 private:
  // The trimmed cell of `column`, or nullopt when the file has no such column or the cell fails the checks every
  // cell must pass (length, control characters; recorded).
  std::optional<std::string> Cell(RosterColumn column) {
    const std::optional<size_t> pos = header_.position[Index(column)];
    if (!pos) return std::nullopt;
    const std::string_view raw = *pos < row_->cells.size() ? std::string_view(row_->cells[*pos]) : std::string_view();
    const std::string_view value = TrimCell(raw);
    if (utf8::CodePointCount(value) > kMaxRosterCellChars) {
      Problem(column, "too_long",
              "longer than " + std::to_string(kMaxRosterCellChars) + " characters: " + Quote(value));
      return std::nullopt;
    }
    if (HasControlCharacter(value)) {
      Problem(column, "control_character", "contains a control character (a line break?): " + Quote(value));
      return std::nullopt;
    }
    return std::string(value);
  }

  std::string Text(RosterColumn column, bool required) {
    std::optional<std::string> value = Cell(column);
    if (!value) return "";
    if (required && value->empty()) {
      Problem(column, "empty", "the " + std::string(kColumns[Index(column)].english) + " is required");
      return "";
    }
    if (LooksLikeFormula(*value)) {
      FormulaProblem(column, *value);
      return "";
    }
    return *value;
  }

  void FormulaProblem(RosterColumn column, std::string_view value) {
    Problem(column, "formula_like",
            Quote(value) + " starts with " + std::string(1, value[0]) +
                ": a value may not start with =, +, - or @ (a spreadsheet would take it for a formula)");
  }

  void Problem(RosterColumn column, std::string code, std::string reason) {
    bad_ = true;
    problems_.Add(row_->number, header_.position[Index(column)], header_.written[Index(column)], std::move(code),
                  std::move(reason));
  }

  const HeaderMap& header_;
  ProblemList& problems_;
  const SheetRow* row_ = nullptr;
  bool bad_ = false;
};

// The rows of one unit must agree on everything but the owner; a developer-unsold unit has one row; one owner is
// listed once per unit.
void CheckUnits(const std::vector<RosterEntry>& entries, const HeaderMap& header, ProblemList& problems) {
  std::map<std::pair<std::string, std::string>, std::vector<const RosterEntry*>> units;
  auto add = [&](const RosterEntry& e, RosterColumn column, std::string code, std::string reason) {
    problems.Add(e.row, header.position[Index(column)], header.written[Index(column)], std::move(code),
                 std::move(reason));
  };
  for (const RosterEntry& e : entries) {
    std::vector<const RosterEntry*>& earlier = units[{e.building, e.unit}];
    if (!earlier.empty()) {
      const RosterEntry& first = *earlier.front();
      auto differs = [&](const std::string& mine, const std::string& theirs) {
        return "differs from row " + std::to_string(first.row) + " for the same unit " + e.unit + " of " + e.building +
               ": " + mine + " here, " + theirs + " there (the rows of one unit must agree)";
      };
      auto floor_text = [](int64_t floor) { return floor == 0 ? std::string("empty") : std::to_string(floor); };
      if (e.entrance != first.entrance) {
        add(e, RosterColumn::kEntrance, "unit_disagrees", "the entrance " + differs(e.entrance, first.entrance));
      }
      if (e.floor != first.floor) {
        add(e, RosterColumn::kFloor, "unit_disagrees",
            "the floor " + differs(floor_text(e.floor), floor_text(first.floor)));
      }
      if (e.area_centi != first.area_centi) {
        add(e, RosterColumn::kArea, "unit_disagrees",
            "the area " + differs(Area::FromHundredths(e.area_centi).ToString(),
                                  Area::FromHundredths(first.area_centi).ToString()));
      }
      if (e.developer_unsold != first.developer_unsold) {
        add(e, RosterColumn::kDeveloperUnsold, "unit_disagrees",
            "developer_unsold " + differs(e.developer_unsold ? "1" : "0", first.developer_unsold ? "1" : "0"));
      } else if (e.developer_unsold) {
        add(e, RosterColumn::kUnit, "duplicate_row",
            "a developer-unsold unit is listed once (also in row " + std::to_string(first.row) + ")");
      }
      for (const RosterEntry* other : earlier) {
        if (!e.developer_unsold && other->owner_name == e.owner_name && other->owner_phone == e.owner_phone) {
          add(e, RosterColumn::kOwnerName, "duplicate_row",
              "the same owner of the same unit as row " + std::to_string(other->row));
          break;
        }
      }
    }
    earlier.push_back(&e);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The database side

struct Neighborhood {
  std::string code;
  std::string name;
};

StatusOr<Neighborhood> LoadNeighborhood(storage::Connection& conn, int64_t id) {
  ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                   conn.QueryOptional("SELECT kind, code, name FROM areas WHERE id = ?", {id}));
  if (!row) return NotFoundError(Msg("no area {}", id));
  if (row->Text(0) != "neighborhood") {
    return InvalidArgumentError(Msg("area {} is a {}, not a neighborhood", id, row->Text(0)), "neighborhood_id");
  }
  return Neighborhood{row->Text(1), row->Text(2)};
}

struct ExistingUnit {
  int64_t id = 0;
  int64_t entrance_id = 0;
  int64_t floor = 0;
  int64_t area_centi = 0;
  bool developer_unsold = false;
};

// What the database holds for one neighborhood.
struct Existing {
  std::map<std::string, std::pair<int64_t, std::string>> buildings;  // name -> (id, code); lowest id wins
  std::map<std::pair<int64_t, std::string>, std::pair<int64_t, std::string>> entrances;  // (building, name)
  std::map<std::pair<int64_t, std::string>, ExistingUnit> units;                         // (building, number)
  std::unordered_map<int64_t, std::vector<int64_t>> links;                               // unit -> owner ids
  std::map<std::pair<std::string, std::string>, int64_t> owners;                         // (name, phone) -> id
  std::set<std::string> codes;  // codes of this neighborhood's buildings and entrances
};

StatusOr<Existing> LoadExisting(storage::Connection& conn, int64_t neighborhood_id) {
  Existing ex;
  ASSIGN_OR_RETURN(
      storage::Result buildings,
      conn.Execute("SELECT id, name, code FROM areas WHERE parent_id = ? AND kind = 'building' ORDER BY id",
                   {neighborhood_id}));
  for (const storage::Row& r : buildings.rows) {
    ex.buildings.try_emplace(r.Text(1), r.Int(0), r.Text(2));
    ex.codes.insert(r.Text(2));
  }
  ASSIGN_OR_RETURN(
      storage::Result entrances,
      conn.Execute("SELECT e.id, e.parent_id, e.name, e.code FROM areas e JOIN areas b ON b.id = e.parent_id "
                   "WHERE b.parent_id = ? AND b.kind = 'building' AND e.kind = 'entrance' ORDER BY e.id",
                   {neighborhood_id}));
  for (const storage::Row& r : entrances.rows) {
    ex.entrances.try_emplace({r.Int(1), r.Text(2)}, r.Int(0), r.Text(3));
    ex.codes.insert(r.Text(3));
  }
  ASSIGN_OR_RETURN(storage::Result units,
                   conn.Execute("SELECT u.id, u.building_id, u.entrance_id, u.number, u.floor, u.area_centi, "
                                "u.developer_unsold FROM units u JOIN areas b ON b.id = u.building_id "
                                "WHERE b.parent_id = ? ORDER BY u.id",
                                {neighborhood_id}));
  for (const storage::Row& r : units.rows) {
    ex.units.try_emplace({r.Int(1), r.Text(3)}, ExistingUnit{r.Int(0), r.Int(2), r.Int(4), r.Int(5), r.Bool(6)});
  }
  ASSIGN_OR_RETURN(storage::Result links,
                   conn.Execute("SELECT uo.unit_id, o.id, o.name, o.phone FROM unit_owners uo "
                                "JOIN owners o ON o.id = uo.owner_id JOIN units u ON u.id = uo.unit_id "
                                "JOIN areas b ON b.id = u.building_id WHERE b.parent_id = ? ORDER BY o.id, uo.unit_id",
                                {neighborhood_id}));
  for (const storage::Row& r : links.rows) {
    ex.links[r.Int(0)].push_back(r.Int(1));
    ex.owners.try_emplace({r.Text(2), r.Text(3)}, r.Int(1));
  }
  return ex;
}

// A code for a new area: `base`, or base-2, base-3, ... when another area (or one planned before) has it.
StatusOr<std::string> NewCode(storage::Connection& conn, const std::string& base, std::set<std::string>& planned) {
  std::string candidate = base;
  for (int n = 2;; ++n) {
    if (!planned.contains(candidate)) {
      ASSIGN_OR_RETURN(std::optional<storage::Row> taken,
                       conn.QueryOptional("SELECT id FROM areas WHERE code = ?", {candidate}));
      if (!taken) break;
    }
    candidate = base + "-" + std::to_string(n);
  }
  planned.insert(candidate);
  return candidate;
}

// Runs a multi-row INSERT for `count` rows in batches; `add(i, params)` appends row i's parameters. Batches hold a
// power of two of rows (at most 512), so that the connections' prepared-statement caches see at most ten shapes of
// each statement however many rows come.
Status InsertBatched(storage::Connection& tx, std::string_view head, std::string_view row_placeholders,
                     std::string_view tail, size_t count, const std::function<void(size_t, storage::Params&)>& add,
                     const std::function<Status(const storage::Result&)>& on_result) {
  constexpr size_t kMaxBatch = 512;
  for (size_t start = 0; start < count;) {
    size_t batch = kMaxBatch;
    while (batch > count - start) batch /= 2;
    const size_t end = start + batch;
    std::string sql(head);
    storage::Params params;
    for (size_t i = start; i < end; ++i) {
      if (i > start) sql += ", ";
      sql += row_placeholders;
      add(i, params);
    }
    sql += tail;
    ASSIGN_OR_RETURN(storage::Result result, tx.Execute(sql, params));
    if (on_result) RETURN_IF_ERROR(on_result(result));
    start = end;
  }
  return OkStatus();
}

// ---------------------------------------------------------------------------------------------------------------
// Export

struct ExportRow {
  std::string building;
  std::string entrance;
  std::string unit;
  int64_t floor = 0;
  int64_t area_centi = 0;
  std::string owner_name;
  std::string owner_phone;
  bool developer_unsold = false;
};

StatusOr<std::vector<std::vector<std::string>>> ExportRows(storage::Connection& conn, int64_t neighborhood_id,
                                                           const RosterExportOptions& options) {
  RETURN_IF_ERROR(LoadNeighborhood(conn, neighborhood_id));
  ASSIGN_OR_RETURN(storage::Result result,
                   conn.Execute("SELECT b.name, e.name, u.number, u.floor, u.area_centi, u.developer_unsold, o.name, "
                                "o.phone FROM units u JOIN areas b ON b.id = u.building_id "
                                "JOIN areas e ON e.id = u.entrance_id "
                                "LEFT JOIN unit_owners uo ON uo.unit_id = u.id "
                                "LEFT JOIN owners o ON o.id = uo.owner_id WHERE b.parent_id = ?",
                                {neighborhood_id}));
  std::vector<ExportRow> rows;
  rows.reserve(result.rows.size());
  for (const storage::Row& r : result.rows) {
    rows.push_back(ExportRow{r.Text(0), r.Text(1), r.Text(2), r.Int(3), r.Int(4), r.Text(6), r.Text(7), r.Bool(5)});
  }
  std::sort(rows.begin(), rows.end(), [](const ExportRow& a, const ExportRow& b) {
    if (a.building != b.building) return NaturalLess(a.building, b.building);
    if (a.entrance != b.entrance) return NaturalLess(a.entrance, b.entrance);
    if (a.unit != b.unit) return NaturalLess(a.unit, b.unit);
    return std::tie(a.owner_name, a.owner_phone) < std::tie(b.owner_name, b.owner_phone);
  });
  std::vector<std::vector<std::string>> out;
  out.reserve(rows.size());
  for (const ExportRow& r : rows) {
    out.push_back({r.building, r.entrance, r.unit, r.floor == 0 ? std::string() : std::to_string(r.floor),
                   Area::FromHundredths(r.area_centi).ToString(),
                   options.unmasked ? r.owner_name : ningju::MaskName(r.owner_name),
                   options.unmasked ? r.owner_phone : ningju::MaskPhone(r.owner_phone),
                   r.developer_unsold ? "是" : "否"});
  }
  return out;
}

std::vector<std::string> ChineseHeader() {
  std::vector<std::string> header;
  for (const ColumnSpec& s : kColumns) header.emplace_back(s.chinese);
  return header;
}

}  // namespace

// -------------------------------------------------------------------------------------------------------------------

std::string_view RosterColumnName(RosterColumn column) { return kColumns[Index(column)].english; }
std::string_view RosterColumnChineseName(RosterColumn column) { return kColumns[Index(column)].chinese; }

std::string RosterProblem::ToString() const {
  std::string out;
  if (row > 0) out += "row " + std::to_string(row);
  if (!column.empty()) out += (out.empty() ? "" : ", ") + std::string("column ") + column;
  if (!column_name.empty()) out += (out.empty() ? "" : " ") + std::string("(") + column_name + ")";
  if (!out.empty()) out += ": ";
  return out + reason;
}

StatusOr<RosterTable> ReadRosterBytes(std::string_view bytes, std::string_view filename) {
  if (bytes.size() > kMaxRosterFileBytes) {
    return ResourceExhaustedError(Msg("the roster file is larger than {} MB", kMaxRosterFileBytes >> 20));
  }
  SheetLimits limits;
  limits.max_rows = kMaxRosterRows + 1;  // the header
  const std::string ext = LowerExtension(filename);
  RosterTable table;
  table.source = std::string(filename);
  if (ext == ".csv") {
    if (bytes.starts_with("PK\x03\x04")) {
      return InvalidArgumentError("the file is named .csv but holds a workbook (a zip archive); name it .xlsx");
    }
    if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
      return InvalidArgumentError("the CSV file is in UTF-16; save it as \"CSV UTF-8\"");
    }
    StatusOr<std::vector<SheetRow>> rows = ParseCsv(bytes, limits);
    if (!rows.ok()) {
      const Status& s = rows.status();
      if (s.message().starts_with("invalid UTF-8")) {
        return Status(
            s.code(),
            s.message() + " (Excel's \"CSV (逗号分隔)\" writes GBK: save as \"CSV UTF-8 (逗号分隔)\" or .xlsx)",
            s.field());
      }
      return s;
    }
    table.rows = std::move(rows).value();
  } else if (ext == ".xlsx") {
    ASSIGN_OR_RETURN(table.rows, ReadXlsxFirstWorksheet(bytes, limits));
    // Strings inside an archive are not checked by the XML parser.
    for (const SheetRow& row : table.rows) {
      for (size_t c = 0; c < row.cells.size(); ++c) {
        if (auto at = utf8::FindInvalid(row.cells[c])) {
          return InvalidArgumentError(Msg("invalid UTF-8 at byte {} of the cell", *at),
                                      "row " + std::to_string(row.number) + ", column " + ColumnLetters(c));
        }
      }
    }
  } else if (ext == ".xls" || ext == ".et") {
    return InvalidArgumentError(Msg("old {} workbooks are not read; save the roster as .xlsx (or CSV UTF-8)", ext));
  } else {
    return InvalidArgumentError(Msg("a roster is a .csv or .xlsx file, not {}",
                                    (ext.empty() ? std::string("a file without extension") : "\"" + ext + "\"")));
  }
  return table;
}

StatusOr<RosterTable> ReadRosterFile(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return NotFoundError(Msg("no file {}", path));
    return InternalError(Msg("cannot read {}: {}", path, ec.message()));
  }
  if (size > kMaxRosterFileBytes) {
    return ResourceExhaustedError(Msg("{} is larger than {} MB", path, kMaxRosterFileBytes >> 20));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InternalError(Msg("cannot open {}", path));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return InternalError(Msg("cannot read {}", path));
  const size_t slash = path.find_last_of('/');
  ASSIGN_OR_RETURN(RosterTable table,
                   ReadRosterBytes(bytes, slash == std::string::npos ? path : path.substr(slash + 1)));
  return table;
}

RosterValidation ValidateRoster(const RosterTable& table) {
  ProblemList problems;
  RosterValidation out;
  if (table.rows.empty()) {
    problems.Add(0, std::nullopt, "", "empty_file", "the file has no rows (the header row is missing)");
    out.problems = std::move(problems).Sorted();
    return out;
  }
  const size_t header_index = FindHeaderRow(table.rows);
  const SheetRow& header_row = table.rows[header_index];
  const std::span<const SheetRow> data(table.rows.data() + header_index + 1, table.rows.size() - header_index - 1);
  out.data_rows = static_cast<int64_t>(data.size());
  if (data.empty()) {
    problems.Add(header_row.number, std::nullopt, "", "no_data_rows", "the file has a header row but no data rows");
  }
  if (data.size() > kMaxRosterRows) {
    problems.Add(0, std::nullopt, "", "too_many_rows",
                 "the file has " + std::to_string(data.size()) + " data rows; at most " +
                     std::to_string(kMaxRosterRows) + " are accepted");
  }
  const HeaderMap header = ReadHeader(header_row, data, problems);
  RowValidator validator(header, problems);
  std::vector<RosterEntry> entries;
  entries.reserve(data.size());
  for (const SheetRow& row : data) {
    if (std::optional<RosterEntry> e = validator.Validate(row)) entries.push_back(std::move(*e));
  }
  CheckUnits(entries, header, problems);
  for (RosterEntry& e : entries) {
    if (!problems.RowHasProblem(e.row)) out.entries.push_back(std::move(e));
  }
  out.problems = std::move(problems).Sorted();
  return out;
}

StatusOr<RosterPlan> PlanRosterImport(storage::Connection& conn, int64_t neighborhood_id, const RosterTable& table) {
  ASSIGN_OR_RETURN(Neighborhood neighborhood, LoadNeighborhood(conn, neighborhood_id));
  RosterPlan plan;
  plan.neighborhood_id = neighborhood_id;
  plan.neighborhood_code = neighborhood.code;
  plan.neighborhood_name = neighborhood.name;
  plan.table = table;

  RosterValidation validation = ValidateRoster(table);
  plan.counts.rows = validation.data_rows;
  if (!validation.problems.empty()) {
    plan.problems = std::move(validation.problems);
    return plan;
  }
  ASSIGN_OR_RETURN(Existing ex, LoadExisting(conn, neighborhood_id));

  std::map<std::string, size_t> building_index;
  std::map<std::pair<size_t, std::string>, size_t> entrance_index;
  std::map<std::pair<size_t, std::string>, size_t> unit_index;
  std::map<std::pair<std::string, std::string>, size_t> owner_index;
  for (const RosterEntry& e : validation.entries) {
    auto [b_it, b_new] = building_index.try_emplace(e.building, plan.buildings.size());
    if (b_new) {
      PlannedArea b;
      b.name = e.building;
      if (auto it = ex.buildings.find(e.building); it != ex.buildings.end()) {
        b.id = it->second.first;
        b.code = it->second.second;
      }
      plan.buildings.push_back(std::move(b));
    }
    const size_t bi = b_it->second;
    plan.buildings[bi].floors = std::max(plan.buildings[bi].floors, e.floor);

    auto [e_it, e_new] = entrance_index.try_emplace({bi, e.entrance}, plan.entrances.size());
    if (e_new) {
      PlannedArea en;
      en.name = e.entrance;
      en.building = bi;
      if (plan.buildings[bi].id) {
        if (auto it = ex.entrances.find({*plan.buildings[bi].id, e.entrance}); it != ex.entrances.end()) {
          en.id = it->second.first;
          en.code = it->second.second;
        }
      }
      plan.entrances.push_back(std::move(en));
    }
    const size_t ei = e_it->second;
    plan.entrances[ei].floors = std::max(plan.entrances[ei].floors, e.floor);

    auto [u_it, u_new] = unit_index.try_emplace({bi, e.unit}, plan.units.size());
    if (u_new) {
      PlannedUnit u;
      u.building = bi;
      u.entrance = ei;
      u.number = e.unit;
      u.floor = e.floor;
      u.area_centi = e.area_centi;
      u.developer_unsold = e.developer_unsold;
      plan.units.push_back(std::move(u));
    }
    if (!e.developer_unsold) {
      auto [o_it, o_new] = owner_index.try_emplace({e.owner_name, e.owner_phone}, plan.owners.size());
      if (o_new) {
        PlannedOwner o;
        o.name = e.owner_name;
        o.phone = e.owner_phone;
        if (auto it = ex.owners.find({e.owner_name, e.owner_phone}); it != ex.owners.end()) o.id = it->second;
        plan.owners.push_back(std::move(o));
      }
      plan.units[u_it->second].owners.push_back(o_it->second);
    }
  }

  // Codes for the areas to create, in file order so that the outcome does not depend on map iteration.
  std::set<std::string> planned_codes = ex.codes;
  for (PlannedArea& b : plan.buildings) {
    if (b.id) {
      b.floors = 0;  // only created areas take floors from the file
      continue;
    }
    ASSIGN_OR_RETURN(b.code, NewCode(conn, BuildingCode(neighborhood.code, b.name), planned_codes));
    ++plan.counts.buildings_created;
  }
  for (PlannedArea& en : plan.entrances) {
    if (en.id) {
      en.floors = 0;
      continue;
    }
    ASSIGN_OR_RETURN(en.code, NewCode(conn, EntranceCode(plan.buildings[en.building].code, en.name), planned_codes));
    ++plan.counts.entrances_created;
  }
  for (const PlannedOwner& o : plan.owners) {
    if (!o.id) ++plan.counts.owners_created;
  }

  int64_t matched_units = 0;
  for (PlannedUnit& u : plan.units) {
    const PlannedArea& building = plan.buildings[u.building];
    const ExistingUnit* existing = nullptr;
    if (building.id) {
      if (auto it = ex.units.find({*building.id, u.number}); it != ex.units.end()) existing = &it->second;
    }
    std::set<int64_t> linked;
    if (existing) {
      ++matched_units;
      u.id = existing->id;
      const std::optional<int64_t> entrance_id = plan.entrances[u.entrance].id;
      const bool same = entrance_id && *entrance_id == existing->entrance_id && u.floor == existing->floor &&
                        u.area_centi == existing->area_centi && u.developer_unsold == existing->developer_unsold;
      u.change = same ? PlannedUnit::Change::kNone : PlannedUnit::Change::kUpdate;
      if (auto it = ex.links.find(existing->id); it != ex.links.end())
        linked.insert(it->second.begin(), it->second.end());
    } else {
      u.change = PlannedUnit::Change::kCreate;
    }
    std::set<int64_t> wanted;
    for (size_t oi : u.owners) {
      const std::optional<int64_t> id = plan.owners[oi].id;
      if (id) wanted.insert(*id);
      if (!id || !linked.contains(*id)) u.owners_to_link.push_back(oi);
    }
    for (int64_t id : linked) {
      if (!wanted.contains(id)) u.owners_to_unlink.push_back(id);
    }
    switch (u.change) {
      case PlannedUnit::Change::kCreate:
        ++plan.counts.units_created;
        break;
      case PlannedUnit::Change::kUpdate:
        ++plan.counts.units_updated;
        break;
      case PlannedUnit::Change::kNone:
        ++plan.counts.units_unchanged;
        break;
    }
    plan.counts.owner_links_added += static_cast<int64_t>(u.owners_to_link.size());
    plan.counts.owner_links_removed += static_cast<int64_t>(u.owners_to_unlink.size());
  }
  plan.counts.units_not_in_roster = static_cast<int64_t>(ex.units.size()) - matched_units;
  return plan;
}

Status ApplyRosterImport(storage::Database& db, const RosterPlan& plan, Instant at, const record::Actor& actor) {
  if (!plan.ok()) {
    return FailedPreconditionError(Msg("the roster has {} problems; nothing was imported", plan.problems.size()));
  }
  const Status status = db.InTransaction([&](storage::Connection& tx) -> Status {
    // Two imports into one neighborhood run one after the other: the second plans again on what the first wrote,
    // finds it changed and imports nothing (STYLE.md item 17).
    RETURN_IF_ERROR(
        tx.Execute("SELECT id FROM areas WHERE id = ?" + storage::ForUpdate(tx.dialect()), {plan.neighborhood_id})
            .status());
    ASSIGN_OR_RETURN(RosterPlan fresh, PlanRosterImport(tx, plan.neighborhood_id, plan.table));
    if (!(fresh == plan)) {
      return FailedPreconditionError(
          "the roster of this neighborhood changed since the dry run; nothing was imported: run the dry run again");
    }
    const int64_t now = ToUnix(at);

    std::vector<int64_t> building_ids;
    building_ids.reserve(plan.buildings.size());
    for (const PlannedArea& b : plan.buildings) {
      if (b.id) {
        building_ids.push_back(*b.id);
        continue;
      }
      NewArea area;
      area.parent_id = plan.neighborhood_id;
      area.kind = "building";
      area.code = b.code;
      area.name = b.name;
      area.floors = b.floors;
      area.sort_key = NameSortKey(b.name);
      ASSIGN_OR_RETURN(int64_t id, InsertArea(tx, area, at));
      building_ids.push_back(id);
    }
    std::vector<int64_t> entrance_ids;
    entrance_ids.reserve(plan.entrances.size());
    for (const PlannedArea& e : plan.entrances) {
      if (e.id) {
        entrance_ids.push_back(*e.id);
        continue;
      }
      NewArea area;
      area.parent_id = building_ids[e.building];
      area.kind = "entrance";
      area.code = e.code;
      area.name = e.name;
      area.floors = e.floors;
      area.sort_key = NameSortKey(e.name);
      ASSIGN_OR_RETURN(int64_t id, InsertArea(tx, area, at));
      entrance_ids.push_back(id);
    }

    // Owners to create. Their (name, phone) pairs are distinct within a plan, which maps RETURNING rows back.
    std::vector<int64_t> owner_ids(plan.owners.size(), 0);
    std::vector<size_t> new_owners;
    std::map<std::pair<std::string, std::string>, size_t> owner_by_key;
    for (size_t i = 0; i < plan.owners.size(); ++i) {
      if (plan.owners[i].id) {
        owner_ids[i] = *plan.owners[i].id;
      } else {
        new_owners.push_back(i);
        owner_by_key[{plan.owners[i].name, plan.owners[i].phone}] = i;
      }
    }
    RETURN_IF_ERROR(InsertBatched(
        tx, "INSERT INTO owners (name, phone, kind, created_at) VALUES ", "(?, ?, ?, ?)", " RETURNING id, name, phone",
        new_owners.size(),
        [&](size_t i, storage::Params& p) {
          const PlannedOwner& o = plan.owners[new_owners[i]];
          p.emplace_back(o.name);
          p.emplace_back(o.phone);
          p.emplace_back(std::string(OwnerKindOfName(o.name)));
          p.emplace_back(now);
        },
        [&](const storage::Result& r) -> Status {
          for (const storage::Row& row : r.rows) {
            const auto it = owner_by_key.find({row.Text(1), row.Text(2)});
            if (it == owner_by_key.end()) return InternalError("roster import: an inserted owner did not come back");
            owner_ids[it->second] = row.Int(0);
          }
          return OkStatus();
        }));

    // Units to create, mapped back by (building, number), unique by the schema.
    std::vector<int64_t> unit_ids(plan.units.size(), 0);
    std::vector<size_t> new_units;
    std::map<std::pair<int64_t, std::string>, size_t> unit_by_key;
    for (size_t i = 0; i < plan.units.size(); ++i) {
      const PlannedUnit& u = plan.units[i];
      if (u.id) {
        unit_ids[i] = *u.id;
      } else {
        new_units.push_back(i);
        unit_by_key[{building_ids[u.building], u.number}] = i;
      }
    }
    RETURN_IF_ERROR(InsertBatched(
        tx, "INSERT INTO units (entrance_id, building_id, number, floor, area_centi, developer_unsold) VALUES ",
        "(?, ?, ?, ?, ?, ?)", " RETURNING id, building_id, number", new_units.size(),
        [&](size_t i, storage::Params& p) {
          const PlannedUnit& u = plan.units[new_units[i]];
          p.emplace_back(entrance_ids[u.entrance]);
          p.emplace_back(building_ids[u.building]);
          p.emplace_back(u.number);
          p.emplace_back(u.floor);
          p.emplace_back(u.area_centi);
          p.emplace_back(int64_t{u.developer_unsold ? 1 : 0});
        },
        [&](const storage::Result& r) -> Status {
          for (const storage::Row& row : r.rows) {
            const auto it = unit_by_key.find({row.Int(1), row.Text(2)});
            if (it == unit_by_key.end()) return InternalError("roster import: an inserted unit did not come back");
            unit_ids[it->second] = row.Int(0);
          }
          return OkStatus();
        }));
    for (size_t i : new_units) {
      if (unit_ids[i] == 0) return InternalError("roster import: an inserted unit did not come back");
    }
    for (size_t i : new_owners) {
      if (owner_ids[i] == 0) return InternalError("roster import: an inserted owner did not come back");
    }

    std::vector<std::pair<int64_t, int64_t>> links;  // (unit, owner)
    for (size_t i = 0; i < plan.units.size(); ++i) {
      const PlannedUnit& u = plan.units[i];
      if (u.change == PlannedUnit::Change::kUpdate) {
        ASSIGN_OR_RETURN(storage::Result r,
                         tx.Execute("UPDATE units SET entrance_id = ?, floor = ?, area_centi = ?, developer_unsold = ? "
                                    "WHERE id = ?",
                                    {entrance_ids[u.entrance], u.floor, u.area_centi,
                                     int64_t{u.developer_unsold ? 1 : 0}, unit_ids[i]}));
        if (r.rows_affected != 1) return FailedPreconditionError(Msg("unit {} is gone", unit_ids[i]));
      }
      for (int64_t owner_id : u.owners_to_unlink) {
        RETURN_IF_ERROR(
            tx.Execute("DELETE FROM unit_owners WHERE unit_id = ? AND owner_id = ?", {unit_ids[i], owner_id}));
      }
      for (size_t oi : u.owners_to_link) links.emplace_back(unit_ids[i], owner_ids[oi]);
    }
    RETURN_IF_ERROR(InsertBatched(
        tx, "INSERT INTO unit_owners (unit_id, owner_id) VALUES ", "(?, ?)", "", links.size(),
        [&](size_t i, storage::Params& p) {
          p.emplace_back(links[i].first);
          p.emplace_back(links[i].second);
        },
        nullptr));

    nlohmann::json summary = {{"source", plan.table.source}, {"neighborhood", plan.neighborhood_code}};
    summary.update(RosterPlanJson(plan, 0)["counts"]);
    return record::Audit(tx, at, actor, "roster.import", record::Ref("area", plan.neighborhood_id), summary);
  });
  if (status.code() == StatusCode::kAlreadyExists) {
    // Another import created the same building, entrance or unit after this one's check inside the transaction
    // (possible under PostgreSQL's READ COMMITTED).
    return FailedPreconditionError(Msg(
        "the roster of this neighborhood changed during the import; nothing was imported: run the dry run again ({})",
        status.message()));
  }
  return status;
}

nlohmann::json RosterPlanJson(const RosterPlan& plan, size_t max_problems) {
  const RosterCounts& c = plan.counts;
  nlohmann::json counts = {
      {"rows", c.rows},
      {"buildings_created", c.buildings_created},
      {"entrances_created", c.entrances_created},
      {"units_created", c.units_created},
      {"units_updated", c.units_updated},
      {"units_unchanged", c.units_unchanged},
      {"owners_created", c.owners_created},
      {"owner_links_added", c.owner_links_added},
      {"owner_links_removed", c.owner_links_removed},
      {"units_not_in_roster", c.units_not_in_roster},
  };
  nlohmann::json problems = nlohmann::json::array();
  for (size_t i = 0; i < plan.problems.size() && i < max_problems; ++i) {
    const RosterProblem& p = plan.problems[i];
    problems.push_back(
        {{"row", p.row}, {"column", p.column}, {"column_name", p.column_name}, {"code", p.code}, {"reason", p.reason}});
  }
  return {{"ok", plan.ok()},
          {"counts", std::move(counts)},
          {"problems", std::move(problems)},
          {"problems_total", plan.problems.size()}};
}

StatusOr<std::string> ExportRosterCsv(storage::Connection& conn, int64_t neighborhood_id,
                                      const RosterExportOptions& options) {
  ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> rows, ExportRows(conn, neighborhood_id, options));
  std::string out = "\xEF\xBB\xBF";
  AppendCsvRecord(ChineseHeader(), out);
  for (std::vector<std::string>& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      const auto column = static_cast<RosterColumn>(c);
      if (column == RosterColumn::kFloor || column == RosterColumn::kArea) continue;
      if (LooksLikeFormula(row[c])) row[c].insert(0, "'");
    }
    AppendCsvRecord(row, out);
  }
  return out;
}

StatusOr<std::string> ExportRosterXlsx(storage::Connection& conn, int64_t neighborhood_id,
                                       const RosterExportOptions& options) {
  ASSIGN_OR_RETURN(std::vector<std::vector<std::string>> rows, ExportRows(conn, neighborhood_id, options));
  using Type = XlsxColumn::Type;
  const std::vector<XlsxColumn> columns = {
      {"楼栋", Type::kText, 12},     {"门洞", Type::kText, 8},          {"室号", Type::kText, 8},
      {"楼层", Type::kInteger, 6},   {"建筑面积", Type::kDecimal2, 10}, {"业主姓名", Type::kText, 12},
      {"业主电话", Type::kText, 16}, {"开发商未售", Type::kText, 10},
  };
  XlsxOptions xlsx_options;
  xlsx_options.sheet_name = "花名册";
  return WriteXlsx(columns, rows, xlsx_options);
}

bool NaturalLess(std::string_view a, std::string_view b) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      size_t ie = i, je = j;
      while (ie < a.size() && is_digit(a[ie])) ++ie;
      while (je < b.size() && is_digit(b[je])) ++je;
      // Compare the numbers without their leading zeros: longer is larger, then digit by digit.
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      const std::string_view na = a.substr(is, ie - is), nb = b.substr(js, je - js);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;  // equal as numbers ("01" and "1"): the bytes decide, so that the order is total
}

}  // namespace ningju::areas
