// What the CSV and XLSX readers produce: the non-blank rows of one sheet as text cells, each row with the number a
// spreadsheet shows for it, and the limits that keep a hostile file from exhausting memory.
#ifndef NINGJU_GOVERNANCE_AREAS_SHEET_H_
#define NINGJU_GOVERNANCE_AREAS_SHEET_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ningju::areas {

// One non-blank row. `number` is 1-based: the row number a spreadsheet shows (for CSV, the record number, which
// differs from the line number when a quoted field holds a newline). `cells[0]` is column A; trailing empty cells
// are dropped, so a row has at least one non-empty cell.
struct SheetRow {
  int64_t number = 0;
  std::vector<std::string> cells;

  friend bool operator==(const SheetRow&, const SheetRow&) = default;
};

struct SheetLimits {
  // Non-blank rows kept, header included; one more is an error (kResourceExhausted).
  size_t max_rows = 100'001;
  // A non-empty cell in a column beyond this one is an error (kResourceExhausted).
  size_t max_columns = 256;
  // XLSX only: the largest uncompressed worksheet, shared-strings part, and any other part read, in bytes. The
  // bytes actually inflated are counted, not the sizes the archive declares (zip-bomb guard).
  // The caps bound the work a hostile file can ask for, not the memory: a part streams through the XML parser in
  // 64 KB pieces and is refused once it has inflated beyond its cap; it is never held whole. The worksheet's cap
  // leaves room for max_cells cells written as inline strings (about 120 bytes each, as ningju's own export writes
  // them): a 100,000-row roster of ten columns is about 60 MB.
  size_t max_sheet_bytes = 192u << 20;
  size_t max_shared_strings_bytes = 24u << 20;
  size_t max_small_part_bytes = 4u << 20;
  // XLSX only: cells (<c> elements) in the worksheet, and entries (<si>) in the shared-strings table.
  size_t max_cells = 1'500'000;
  size_t max_shared_strings = 1'000'000;
};

// "A" for 0, "Z" for 25, "AA" for 26.
std::string ColumnLetters(size_t column);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_SHEET_H_
