// The roster of a neighborhood: its buildings, entrances, units (with registered floor area) and owners, as staff keep
// it in Excel. Import from .csv/.xlsx with a dry run, and export to .csv/.xlsx. The file format is a contract with
// the staff: docs/ROSTER.md.
//
// The import is three steps, each usable on its own:
//   1. ReadRosterFile / ReadRosterBytes: bytes -> RosterTable (the text cells). Errors here are about the file as a
//      whole (not a CSV, damaged .xlsx, invalid UTF-8, too large): a Status naming the place in Status::field().
//   2. PlanRosterImport: RosterTable + the database -> RosterPlan, the dry run. Every bad row is listed in
//      RosterPlan::problems (row, column, reason), all of them; a plan with problems must not be applied. The
//      Status is for what is not the file's fault (no such neighborhood, the database failing).
//   3. ApplyRosterImport: writes the plan in one transaction with one audit record.
//
// What an import does (the roster is authoritative for the units it lists, and only for those):
//   - a building is matched by name among the neighborhood's buildings, an entrance by name within its building;
//     those not found are created (areas of kind 'building' / 'entrance', with their area_paths rows);
//   - a unit is matched by (building, unit number); a new one is created, a known one gets the file's entrance,
//     floor, area and developer_unsold;
//   - the owners of each listed unit become exactly those of the file: links are added and removed. An owner is a
//     (name, phone) pair: rows with the same pair are one owner, however many units; a pair already owning a unit of
//     this neighborhood is that owner record, any other pair a new record;
//   - nothing is ever deleted: buildings, entrances and units the file does not mention stay as they are (counted in
//     RosterCounts::units_not_in_roster), and owner records left without units stay (they may have accounts).
//
// Thread-safety: the functions are thread-compatible; each call uses only its arguments.
#ifndef NINGJU_GOVERNANCE_AREAS_ROSTER_H_
#define NINGJU_GOVERNANCE_AREAS_ROSTER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "governance/areas/sheet.h"
#include "record/record.h"
#include "storage/database.h"

namespace ningju::areas {

// ---------------------------------------------------------------------------------------------------------------
// Reading

// The largest roster file accepted, in bytes (a 100,000-row CSV is about 8 MB).
inline constexpr size_t kMaxRosterFileBytes = 32u << 20;
// Data rows a roster may hold (the header row not counted).
inline constexpr size_t kMaxRosterRows = 100'000;
// Characters (code points) a cell may hold after trimming.
inline constexpr size_t kMaxRosterCellChars = 200;

// The text cells of a roster file, as read: no trimming, no validation.
struct RosterTable {
  std::string source;          // the file name, for messages and the audit record
  std::vector<SheetRow> rows;  // non-blank rows in order: title rows if any, the header, the data

  friend bool operator==(const RosterTable&, const RosterTable&) = default;
};

// Reads `path` by its extension: .csv (RFC 4180, UTF-8) or .xlsx (the first worksheet), case-insensitive.
// Errors: kInvalidArgument for another extension (".xls" is told to save as .xlsx) or a malformed file (the reader's
// error: see ParseCsv and ReadXlsxFirstWorksheet); kNotFound when the file does not exist; kResourceExhausted when it
// exceeds kMaxRosterFileBytes or kMaxRosterRows; kInternal when it cannot be read.
StatusOr<RosterTable> ReadRosterFile(const std::string& path);

// The same for uploaded bytes; `filename` (the upload's name) selects the format and becomes RosterTable::source.
StatusOr<RosterTable> ReadRosterBytes(std::string_view bytes, std::string_view filename);

// ---------------------------------------------------------------------------------------------------------------
// Validation

// The columns of a roster, with their English and Chinese header names (either is accepted, in any order).
enum class RosterColumn {
  kBuilding,         // building / 楼栋 (required)
  kEntrance,         // entrance / 门洞 (required)
  kUnit,             // unit / 室号 (required)
  kFloor,            // floor / 楼层
  kArea,             // area_m2 / 建筑面积 (required)
  kOwnerName,        // owner_name / 业主姓名 (required)
  kOwnerPhone,       // owner_phone / 业主电话
  kDeveloperUnsold,  // developer_unsold / 开发商未售
};
inline constexpr size_t kRosterColumnCount = 8;
std::string_view RosterColumnName(RosterColumn column);         // "area_m2"
std::string_view RosterColumnChineseName(RosterColumn column);  // "建筑面积"

// One reason a roster cannot be imported.
struct RosterProblem {
  int64_t row = 0;          // the row number a spreadsheet shows (1 = the header row); 0 when about the whole file
  std::string column;       // column letters ("C"); empty when about a whole row or a missing column
  std::string column_name;  // the header as written in the file ("建筑面积"), or the missing column's name
  std::string code;         // stable machine-readable reason, for translation: "empty", "malformed_area", ...
  std::string reason;       // English explanation, e.g. `malformed area "89,5" (only digits and one decimal point)`

  // "row 7, column E (建筑面积): malformed area ..." (parts that are empty are left out).
  std::string ToString() const;
  friend bool operator==(const RosterProblem&, const RosterProblem&) = default;
};

// One valid data row, normalized: trimmed, the phone without spaces, the area in 0.01 m².
struct RosterEntry {
  int64_t row = 0;
  std::string building;
  std::string entrance;
  std::string unit;
  int64_t floor = 0;  // 0 when not given
  int64_t area_centi = 0;
  std::string owner_name;   // empty exactly for a developer-unsold unit
  std::string owner_phone;  // may be empty
  bool developer_unsold = false;

  friend bool operator==(const RosterEntry&, const RosterEntry&) = default;
};

struct RosterValidation {
  std::vector<RosterProblem> problems;  // sorted by row, then column
  std::vector<RosterEntry> entries;     // the rows without problems, in file order
  int64_t data_rows = 0;                // the rows below the header
};

// Checks a table without the database: the header (unknown, duplicate and missing columns, values under an empty
// header), each cell (see docs/ROSTER.md for the rules) and the agreement between the rows of one unit. Reports every
// problem found. The header is the first of the first 11 rows that names a known column (rows above it are titles
// and ignored), else the first row. A table without a header row or without data rows is a problem too.
RosterValidation ValidateRoster(const RosterTable& table);

// ---------------------------------------------------------------------------------------------------------------
// Dry run and import

// A building or entrance the import uses: an existing one (id set) or one it creates.
struct PlannedArea {
  std::optional<int64_t> id;  // existing area
  std::string name;
  std::string code;     // existing code, or the one it will get
  size_t building = 0;  // entrances only: index into RosterPlan::buildings
  int64_t floors = 0;   // created areas: the highest floor of their units in the file
  friend bool operator==(const PlannedArea&, const PlannedArea&) = default;
};

struct PlannedOwner {
  std::optional<int64_t> id;  // an existing owner record, or empty: created
  std::string name;
  std::string phone;
  friend bool operator==(const PlannedOwner&, const PlannedOwner&) = default;
};

struct PlannedUnit {
  enum class Change { kCreate, kUpdate, kNone };
  Change change = Change::kCreate;
  std::optional<int64_t> id;  // existing unit
  size_t building = 0;        // index into RosterPlan::buildings
  size_t entrance = 0;        // index into RosterPlan::entrances
  std::string number;
  int64_t floor = 0;
  int64_t area_centi = 0;
  bool developer_unsold = false;
  std::vector<size_t> owners;             // indexes into RosterPlan::owners, in file order
  std::vector<size_t> owners_to_link;     // the subset of `owners` not linked yet
  std::vector<int64_t> owners_to_unlink;  // owner ids linked now but not in the file
  friend bool operator==(const PlannedUnit&, const PlannedUnit&) = default;
};

struct RosterCounts {
  int64_t rows = 0;  // data rows (below the header)
  int64_t buildings_created = 0;
  int64_t entrances_created = 0;
  int64_t units_created = 0;
  int64_t units_updated = 0;  // entrance, floor, area or developer_unsold changed
  int64_t units_unchanged = 0;
  int64_t owners_created = 0;
  int64_t owner_links_added = 0;
  int64_t owner_links_removed = 0;
  int64_t units_not_in_roster = 0;  // units of the neighborhood the file does not list (left as they are)
  friend bool operator==(const RosterCounts&, const RosterCounts&) = default;
};

struct RosterPlan {
  int64_t neighborhood_id = 0;
  std::string neighborhood_code;
  std::string neighborhood_name;
  std::vector<RosterProblem> problems;  // all of them; when not empty, the lists below are empty
  std::vector<PlannedArea> buildings;   // in order of first appearance in the file
  std::vector<PlannedArea> entrances;
  std::vector<PlannedOwner> owners;
  std::vector<PlannedUnit> units;  // in file order, one per unit
  RosterCounts counts;
  RosterTable table;  // what the plan was made from; ApplyRosterImport makes it again inside its transaction

  bool ok() const { return problems.empty(); }
  friend bool operator==(const RosterPlan&, const RosterPlan&) = default;
};

// The dry run: validates `table` (ValidateRoster) and, when no row is bad, compares it with what the database holds
// for the neighborhood and plans the changes. Writes nothing.
// Errors (not the file's fault): kNotFound when there is no area `neighborhood_id`; kInvalidArgument when it is not a
// neighborhood; storage errors as they come.
StatusOr<RosterPlan> PlanRosterImport(storage::Connection& conn, int64_t neighborhood_id, const RosterTable& table);

// Writes `plan` in one transaction: plans again from plan.table inside the transaction and writes only when that is
// the plan the caller saw (so what was reviewed is exactly what is written), then one audit record: action
// "roster.import", object "area:<neighborhood_id>", summary {"source", "rows", and the RosterCounts fields}.
// Errors: kFailedPrecondition when the plan has problems (nothing is written) or when the neighborhood's roster
// changed since the dry run or during the import (nothing is written: run the dry run again); storage errors as they
// come (nothing is written).
Status ApplyRosterImport(storage::Database& db, const RosterPlan& plan, Instant at, const record::Actor& actor);

// The dry run for an API answer or the CLI: {"ok", "counts": {...}, "problems": [{"row", "column", "column_name",
// "code", "reason"}...]} with at most `max_problems` problems (and "problems_total").
nlohmann::json RosterPlanJson(const RosterPlan& plan, size_t max_problems = 1000);

// ---------------------------------------------------------------------------------------------------------------
// Export

struct RosterExportOptions {
  // Names and phones in full. Otherwise masked with common/text_util.h: "张*", "欧阳**" (first character kept) and
  // "138****5678". The caller checks that the user may see them unmasked. A masked export cannot be imported back
  // (masked values are rejected), by design.
  bool unmasked = false;
};

// The roster of one neighborhood in the import format with the Chinese headers, one row per (unit, owner) and one
// ownerless row per unit without owners; sorted by building, entrance, unit (numbers inside names compare as
// numbers: 2号楼 before 10号楼), then owner name and phone. Floors of 0 are left empty; developer_unsold is 是/否.
// CSV: UTF-8 with a byte-order mark (so that Excel reads it as UTF-8), CRLF line ends; a text value that a spreadsheet
// would take for a formula (=, +, -, @ first) is prefixed with ' (the import rejects such values, so none comes from
// an import). An unmasked export imported into an empty neighborhood and exported again gives the same bytes.
// Errors: kNotFound when there is no such area; kInvalidArgument when it is not a neighborhood; storage errors.
StatusOr<std::string> ExportRosterCsv(storage::Connection& conn, int64_t neighborhood_id,
                                      const RosterExportOptions& options = {});
// The same rows as an .xlsx workbook (one sheet "花名册"; areas as numbers shown with two decimals, floors as numbers,
// everything else as text).
StatusOr<std::string> ExportRosterXlsx(storage::Connection& conn, int64_t neighborhood_id,
                                       const RosterExportOptions& options = {});

// Orders strings with their digit runs compared as numbers ("2号楼" < "10号楼"); otherwise bytewise.
bool NaturalLess(std::string_view a, std::string_view b);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_ROSTER_H_
