#include "governance/areas/xlsx.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <minizip/unzip.h>
#include <xlsxwriter.h>
#include <pugixml.hpp>

namespace ningju::areas {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// minizip over a buffer in memory (uploads never touch the disk).

struct MemoryStream {
  const char* data;
  uint64_t size;
  uint64_t pos;
};

voidpf ZCALLBACK MemOpen(voidpf opaque, const void* /*filename*/, int mode) {
  if ((mode & ZLIB_FILEFUNC_MODE_READWRITEFILTER) != ZLIB_FILEFUNC_MODE_READ) return nullptr;
  auto* stream = static_cast<MemoryStream*>(opaque);
  stream->pos = 0;
  return stream;
}

uLong ZCALLBACK MemRead(voidpf /*opaque*/, voidpf s, void* buf, uLong size) {
  auto* stream = static_cast<MemoryStream*>(s);
  const uint64_t left = stream->size - stream->pos;
  const uint64_t n = size < left ? size : left;
  std::memcpy(buf, stream->data + stream->pos, n);
  stream->pos += n;
  return static_cast<uLong>(n);
}

uLong ZCALLBACK MemWrite(voidpf /*opaque*/, voidpf /*s*/, const void* /*buf*/, uLong /*size*/) { return 0; }

ZPOS64_T ZCALLBACK MemTell(voidpf /*opaque*/, voidpf s) { return static_cast<MemoryStream*>(s)->pos; }

long ZCALLBACK MemSeek(voidpf /*opaque*/, voidpf s, ZPOS64_T offset, int origin) {
  auto* stream = static_cast<MemoryStream*>(s);
  uint64_t base = 0;
  switch (origin) {
    case ZLIB_FILEFUNC_SEEK_SET:
      base = 0;
      break;
    case ZLIB_FILEFUNC_SEEK_CUR:
      base = stream->pos;
      break;
    case ZLIB_FILEFUNC_SEEK_END:
      base = stream->size;
      break;
    default:
      return -1;
  }
  if (offset > stream->size || base > stream->size - offset) return -1;
  stream->pos = base + offset;
  return 0;
}

int ZCALLBACK MemClose(voidpf /*opaque*/, voidpf /*s*/) { return 0; }
int ZCALLBACK MemError(voidpf /*opaque*/, voidpf /*s*/) { return 0; }

struct UnzCloser {
  void operator()(unzFile f) const { unzClose(f); }
};
using UnzHandle = std::unique_ptr<void, UnzCloser>;

// The bytes of one part, or nullopt when the archive has no such part. At most `cap` bytes are inflated: the sizes
// recorded in the archive are not trusted.
StatusOr<std::optional<std::string>> ReadPart(unzFile zip, const std::string& name, size_t cap) {
  // Case-insensitive: some producers differ in case from the names their relationships give.
  if (unzLocateFile(zip, name.c_str(), 2) != UNZ_OK) return std::optional<std::string>();
  unz_file_info64 info;
  if (unzGetCurrentFileInfo64(zip, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
    return InvalidArgumentError(Msg("damaged .xlsx file: cannot read the entry of {}", name));
  }
  if (info.uncompressed_size > cap) {
    return ResourceExhaustedError(Msg(".xlsx part {} is larger than {} bytes", name, cap));
  }
  if (unzOpenCurrentFile(zip) != UNZ_OK) {
    return InvalidArgumentError(Msg("damaged or encrypted .xlsx file: cannot open {}", name));
  }
  std::string out;
  out.reserve(static_cast<size_t>(info.uncompressed_size));
  char buf[64 * 1024];
  while (true) {
    const int n = unzReadCurrentFile(zip, buf, sizeof buf);
    if (n < 0) {
      unzCloseCurrentFile(zip);
      return InvalidArgumentError(Msg("damaged .xlsx file: cannot inflate {}", name));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > cap) {
      unzCloseCurrentFile(zip);
      return ResourceExhaustedError(Msg(".xlsx part {} is larger than {} bytes", name, cap));
    }
    out.append(buf, static_cast<size_t>(n));
  }
  if (unzCloseCurrentFile(zip) != UNZ_OK) {
    return InvalidArgumentError(Msg("damaged .xlsx file: checksum of {} does not match", name));
  }
  return std::optional<std::string>(std::move(out));
}

// ---------------------------------------------------------------------------------------------------------------
// XML helpers. Producers differ in namespace prefixes ("x:row"), and Strict OOXML uses other namespace URIs, so
// elements and attributes are matched by local name.

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) return c;
  }
  return {};
}

pugi::xml_attribute Attr(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    if (LocalName(a.name()) == local) return a;
  }
  return {};
}

template <typename Fn>
void ForEachChild(pugi::xml_node node, std::string_view local, Fn fn) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) fn(c);
  }
}

// Parses `text` in place (the document points into it, so `text` must outlive `doc`).
Status ParseXml(std::string& text, const std::string& part, pugi::xml_document& doc) {
  const pugi::xml_parse_result result = doc.load_buffer_inplace(
      text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata_single, pugi::encoding_utf8);
  if (!result) {
    return InvalidArgumentError(Msg("damaged .xlsx file: {} is not well-formed XML ({} at byte {})", part,
                                    result.description(), result.offset));
  }
  return OkStatus();
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// OOXML escapes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_, an underscore before such a
// pattern _x005F_).
std::string DecodeOoxmlEscapes(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      uint32_t cp = 0;
      const auto [end, ec] = std::from_chars(s.data() + i + 2, s.data() + i + 6, cp, 16);
      if (ec == std::errc() && end == s.data() + i + 6 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
        AppendUtf8(cp, out);
        i += 7;
        continue;
      }
    }
    out.push_back(s[i]);
    ++i;
  }
  return out;
}

// The text of a shared string item or an inline string: plain <t>, or rich-text runs <r><t>; phonetic runs <rPh>
// are annotations, not content.
std::string StringItemText(pugi::xml_node si) {
  std::string text;
  for (pugi::xml_node c = si.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element) continue;
    const std::string_view name = LocalName(c.name());
    if (name == "t") {
      text += c.child_value();
    } else if (name == "r") {
      ForEachChild(c, "t", [&](pugi::xml_node t) { text += t.child_value(); });
    }
  }
  return DecodeOoxmlEscapes(text);
}

// A number as Excel shows it in General format: at most 15 significant digits, which hides binary noise.
std::string NormalizeNumber(std::string_view raw) {
  double value = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (ec != std::errc() || end != raw.data() + raw.size()) return std::string(raw);
  if (value == 0) return "0";
  char buf[64];
  const auto [out_end, out_ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 15);
  if (out_ec != std::errc()) return std::string(raw);
  return std::string(buf, out_end);
}

// "C7" -> column 2, row 7. Columns A..XFD, rows 1..1048576.
bool ParseCellRef(std::string_view ref, size_t& column, int64_t& row) {
  size_t i = 0;
  size_t col = 0;
  while (i < ref.size() && ((ref[i] >= 'A' && ref[i] <= 'Z') || (ref[i] >= 'a' && ref[i] <= 'z'))) {
    const char c = static_cast<char>(ref[i] & ~0x20);
    col = col * 26 + static_cast<size_t>(c - 'A' + 1);
    if (col > 16384) return false;
    ++i;
  }
  if (i == 0 || i == ref.size()) return false;
  int64_t r = 0;
  const auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), r);
  if (ec != std::errc() || end != ref.data() + ref.size() || r < 1 || r > 1048576) return false;
  column = col - 1;
  row = r;
  return true;
}

std::string Place(int64_t row, size_t column) { return fmt::format("row {}, column {}", row, ColumnLetters(column)); }

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// A relationship target resolved against the folder of the part that names it; "/xl/x.xml" is absolute.
std::string ResolveTarget(const std::string& base_dir, std::string_view target) {
  std::string joined = target.starts_with('/') ? std::string(target.substr(1)) : base_dir + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t slash = joined.find('/', start);
    if (slash == std::string::npos) slash = joined.size();
    const std::string seg = joined.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// Relationship id -> resolved target, for the relationships part `rels_path` of a part in `base_dir`.
StatusOr<std::map<std::string, std::pair<std::string, std::string>>> ReadRelationships(unzFile zip,
                                                                                       const std::string& rels_path,
                                                                                       const std::string& base_dir,
                                                                                       const SheetLimits& limits) {
  std::map<std::string, std::pair<std::string, std::string>> rels;  // id -> (type, target)
  ASSIGN_OR_RETURN(std::optional<std::string> text, ReadPart(zip, rels_path, limits.max_small_part_bytes));
  if (!text) return rels;
  pugi::xml_document doc;
  RETURN_IF_ERROR(ParseXml(*text, rels_path, doc));
  ForEachChild(Child(doc, "Relationships"), "Relationship", [&](pugi::xml_node r) {
    if (std::string_view(Attr(r, "TargetMode").as_string()) == "External") return;
    rels[Attr(r, "Id").as_string()] = {Attr(r, "Type").as_string(),
                                       ResolveTarget(base_dir, Attr(r, "Target").as_string())};
  });
  return rels;
}

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

// How many elements named `local` (with or without a namespace prefix) open in `xml`, counting up to `limit + 1`:
// a scan of the inflated text, so that a part with too many is refused before its XML tree is built.
size_t CountElements(std::string_view xml, std::string_view local, size_t limit) {
  size_t n = 0;
  for (size_t at = xml.find('<'); at != std::string_view::npos && n <= limit; at = xml.find('<', at + 1)) {
    size_t name_start = at + 1;
    size_t name_end = name_start;
    while (name_end < xml.size() && xml[name_end] != ' ' && xml[name_end] != '>' && xml[name_end] != '/' &&
           xml[name_end] != '\t' && xml[name_end] != '\r' && xml[name_end] != '\n') {
      ++name_end;
    }
    std::string_view name = xml.substr(name_start, name_end - name_start);
    if (const size_t colon = name.rfind(':'); colon != std::string_view::npos) name = name.substr(colon + 1);
    if (name == local) ++n;
  }
  return n;
}

// The cells read so far, by row number.
using Grid = std::map<int64_t, std::vector<std::string>>;

Status SetCell(Grid& grid, int64_t row, size_t column, std::string value, const SheetLimits& limits) {
  if (value.empty()) return OkStatus();
  if (column >= limits.max_columns) {
    return ResourceExhaustedError(Msg("more than {} columns", limits.max_columns), Place(row, column));
  }
  auto [it, inserted] = grid.try_emplace(row);
  if (inserted && grid.size() > limits.max_rows) {
    return ResourceExhaustedError(Msg("more than {} non-blank rows (at row {})", limits.max_rows, row));
  }
  std::vector<std::string>& cells = it->second;
  if (cells.size() <= column) cells.resize(column + 1);
  cells[column] = std::move(value);
  return OkStatus();
}

// Copies each merged range's top-left value into the empty cells of the range, on rows that exist.
Status FillMergedRanges(pugi::xml_node worksheet, Grid& grid, const SheetLimits& limits) {
  constexpr int64_t kMaxFilledCells = 10'000'000;  // bounds the work a hostile file can ask for
  int64_t budget = kMaxFilledCells;
  Status status;
  ForEachChild(Child(worksheet, "mergeCells"), "mergeCell", [&](pugi::xml_node m) {
    if (!status.ok()) return;
    const std::string_view ref = Attr(m, "ref").as_string();
    const size_t colon = ref.find(':');
    if (colon == std::string_view::npos) return;
    size_t c1 = 0, c2 = 0;
    int64_t r1 = 0, r2 = 0;
    if (!ParseCellRef(ref.substr(0, colon), c1, r1) || !ParseCellRef(ref.substr(colon + 1), c2, r2)) return;
    if (c2 < c1 || r2 < r1) return;
    const auto top = grid.find(r1);
    if (top == grid.end() || top->second.size() <= c1 || top->second[c1].empty()) return;
    const std::string value = top->second[c1];
    const size_t last_col = std::min(c2, limits.max_columns - 1);
    for (auto it = grid.upper_bound(r1); it != grid.end() && it->first <= r2; ++it) {
      for (size_t c = c1; c <= last_col; ++c) {
        if (--budget < 0) {
          status = ResourceExhaustedError("too many merged cells");
          return;
        }
        if (it->second.size() <= c) it->second.resize(c + 1);
        if (it->second[c].empty()) it->second[c] = value;
      }
    }
  });
  return status;
}

}  // namespace

StatusOr<std::vector<SheetRow>> ReadXlsxFirstWorksheet(std::string_view bytes, const SheetLimits& limits) {
  if (bytes.starts_with(std::string_view("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))) {
    return InvalidArgumentError(
        "the file is an old .xls workbook or a password-protected .xlsx; save it as an unprotected .xlsx workbook");
  }
  if (!bytes.starts_with("PK")) return InvalidArgumentError("not an .xlsx file (not a zip archive)");

  MemoryStream stream{bytes.data(), bytes.size(), 0};
  zlib_filefunc64_def io{};
  io.zopen64_file = MemOpen;
  io.zread_file = MemRead;
  io.zwrite_file = MemWrite;
  io.ztell64_file = MemTell;
  io.zseek64_file = MemSeek;
  io.zclose_file = MemClose;
  io.zerror_file = MemError;
  io.opaque = &stream;
  UnzHandle zip(unzOpen2_64("memory.xlsx", &io));
  if (!zip) return InvalidArgumentError("damaged .xlsx file (cannot read the zip directory)");

  // The workbook part: named by the package relationships, xl/workbook.xml by convention.
  std::string workbook_path = "xl/workbook.xml";
  {
    ASSIGN_OR_RETURN(auto package_rels, ReadRelationships(zip.get(), "_rels/.rels", "", limits));
    for (const auto& [id, rel] : package_rels) {
      if (EndsWith(rel.first, "/officeDocument")) workbook_path = rel.second;
    }
  }
  const std::string workbook_dir = DirName(workbook_path);
  ASSIGN_OR_RETURN(std::optional<std::string> workbook_xml,
                   ReadPart(zip.get(), workbook_path, limits.max_small_part_bytes));
  if (!workbook_xml) return InvalidArgumentError(Msg("not an .xlsx workbook ({} is missing)", workbook_path));
  pugi::xml_document workbook;
  RETURN_IF_ERROR(ParseXml(*workbook_xml, workbook_path, workbook));
  const pugi::xml_node first_sheet = Child(Child(Child(workbook, "workbook"), "sheets"), "sheet");
  if (!first_sheet) return InvalidArgumentError("the workbook has no worksheet");
  const std::string sheet_rel_id = Attr(first_sheet, "id").as_string();

  const std::string workbook_file = workbook_path.substr(workbook_dir.size());
  ASSIGN_OR_RETURN(auto workbook_rels, ReadRelationships(zip.get(), workbook_dir + "_rels/" + workbook_file + ".rels",
                                                         workbook_dir, limits));
  std::string sheet_path;
  std::string shared_strings_path = workbook_dir + "sharedStrings.xml";
  for (const auto& [id, rel] : workbook_rels) {
    if (id == sheet_rel_id) sheet_path = rel.second;
    if (EndsWith(rel.first, "/sharedStrings")) shared_strings_path = rel.second;
  }
  if (sheet_path.empty()) sheet_path = workbook_dir + "worksheets/sheet1.xml";

  std::vector<std::string> shared_strings;
  ASSIGN_OR_RETURN(std::optional<std::string> sst_xml,
                   ReadPart(zip.get(), shared_strings_path, limits.max_shared_strings_bytes));
  if (sst_xml) {
    if (CountElements(*sst_xml, "si", limits.max_shared_strings) > limits.max_shared_strings) {
      return ResourceExhaustedError(Msg(".xlsx shared strings: more than {} entries", limits.max_shared_strings));
    }
    pugi::xml_document sst;
    RETURN_IF_ERROR(ParseXml(*sst_xml, shared_strings_path, sst));
    ForEachChild(Child(sst, "sst"), "si", [&](pugi::xml_node si) { shared_strings.push_back(StringItemText(si)); });
  }

  ASSIGN_OR_RETURN(std::optional<std::string> sheet_xml, ReadPart(zip.get(), sheet_path, limits.max_sheet_bytes));
  if (!sheet_xml) return InvalidArgumentError(Msg("damaged .xlsx file: the first worksheet {} is missing", sheet_path));
  if (CountElements(*sheet_xml, "c", limits.max_cells) > limits.max_cells) {
    return ResourceExhaustedError(Msg(".xlsx worksheet: more than {} cells", limits.max_cells));
  }
  pugi::xml_document sheet;
  RETURN_IF_ERROR(ParseXml(*sheet_xml, sheet_path, sheet));
  const pugi::xml_node worksheet = Child(sheet, "worksheet");
  if (!worksheet) return InvalidArgumentError("the first sheet of the workbook is not a worksheet (a chart?)");

  Grid grid;
  int64_t row_number = 0;
  for (pugi::xml_node row = Child(Child(worksheet, "sheetData"), "row"); row; row = row.next_sibling()) {
    if (row.type() != pugi::node_element || LocalName(row.name()) != "row") continue;
    if (const pugi::xml_attribute r = Attr(row, "r")) {
      const int64_t n = r.as_llong(0);
      if (n < 1 || n > 1048576) {
        return InvalidArgumentError(Msg("damaged .xlsx file: bad row number \"{}\"", r.as_string()));
      }
      row_number = n;
    } else {
      ++row_number;
    }
    size_t column = 0;
    bool first_cell = true;
    for (pugi::xml_node c = row.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || LocalName(c.name()) != "c") continue;
      if (const pugi::xml_attribute ref = Attr(c, "r")) {
        int64_t ref_row = 0;
        if (!ParseCellRef(ref.as_string(), column, ref_row)) {
          return InvalidArgumentError(Msg("damaged .xlsx file: bad cell reference \"{}\"", ref.as_string()),
                                      "row " + std::to_string(row_number));
        }
      } else if (!first_cell) {
        ++column;
      }
      first_cell = false;
      const std::string_view type = Attr(c, "t").as_string();
      const pugi::xml_node v = Child(c, "v");
      std::string value;
      if (type == "s") {
        if (!v) continue;
        const std::string_view index_text = v.child_value();
        size_t index = 0;
        const auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
        if (ec != std::errc() || end != index_text.data() + index_text.size() || index >= shared_strings.size()) {
          return InvalidArgumentError(Msg("damaged .xlsx file: shared string index {} out of range", index_text),
                                      Place(row_number, column));
        }
        value = shared_strings[index];
      } else if (type == "inlineStr") {
        value = StringItemText(Child(c, "is"));
      } else if (type == "str" || type == "e" || type == "d") {
        value = DecodeOoxmlEscapes(v.child_value());
      } else if (type == "b") {
        value = std::string_view(v.child_value()) == "1" ? "1" : (v ? "0" : "");
      } else {  // "n" or absent: a number
        value = NormalizeNumber(v.child_value());
      }
      RETURN_IF_ERROR(SetCell(grid, row_number, column, std::move(value), limits));
    }
  }
  RETURN_IF_ERROR(FillMergedRanges(worksheet, grid, limits));

  std::vector<SheetRow> rows;
  rows.reserve(grid.size());
  for (auto& [number, cells] : grid) {
    while (!cells.empty() && cells.back().empty()) cells.pop_back();
    if (cells.empty()) continue;
    rows.push_back(SheetRow{number, std::move(cells)});
  }
  return rows;
}

// -------------------------------------------------------------------------------------------------------------------

namespace {

// A file removed when this goes out of scope.
class TempFile {
 public:
  static StatusOr<TempFile> Create() {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
    if (ec) dir = "/tmp";
    std::string templ = (dir / "ningju-xlsx-XXXXXX").string();
    const int fd = mkstemp(templ.data());
    if (fd < 0) return InternalError(Msg("cannot create a temporary file in {}: {}", dir.string(), strerror(errno)));
    close(fd);
    return TempFile(std::move(templ));
  }
  TempFile(TempFile&& other) noexcept : path_(std::exchange(other.path_, std::string())) {}
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

bool IsInteger(std::string_view s, double& value) {
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  value = static_cast<double>(n);
  return true;
}

bool IsDecimal2(std::string_view s, double& value) {
  // digits[.d[d]], optionally negative: the text Decimal2::ToString writes.
  size_t i = s.starts_with('-') ? 1 : 0;
  const size_t digits_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits_start) return false;
  if (i < s.size()) {
    if (s[i] != '.') return false;
    const size_t frac_start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i != s.size() || i == frac_start || i - frac_start > 2) return false;
  }
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return ec == std::errc() && end == s.data() + s.size();
}

Status LxwError(lxw_error err, std::string_view what) {
  return InternalError(Msg("writing .xlsx: {}: {}", what, lxw_strerror(err)));
}

}  // namespace

StatusOr<std::string> WriteXlsx(const std::vector<XlsxColumn>& columns,
                                const std::vector<std::vector<std::string>>& rows, const XlsxOptions& options) {
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() > columns.size()) {
      return InvalidArgumentError(Msg("row {} has {} cells for {} columns", r + 1, rows[r].size(), columns.size()));
    }
  }
  ASSIGN_OR_RETURN(TempFile file, TempFile::Create());

  lxw_workbook_options wb_options{};
  wb_options.constant_memory = options.shared_strings ? LXW_FALSE : LXW_TRUE;
  wb_options.use_zip64 = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(file.path().c_str(), &wb_options);
  if (wb == nullptr) return InternalError("writing .xlsx: cannot create the workbook");
  const std::string sheet_name = options.sheet_name.empty() ? "Sheet1" : options.sheet_name;
  if (const lxw_error err = workbook_validate_sheet_name(wb, sheet_name.c_str()); err != LXW_NO_ERROR) {
    lxw_workbook_free(wb);
    return InvalidArgumentError(Msg("bad sheet name \"{}\": {}", sheet_name, lxw_strerror(err)));
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet_name.c_str());
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* decimal2 = workbook_add_format(wb);
  format_set_num_format(decimal2, "0.00");
  if (ws == nullptr || bold == nullptr || decimal2 == nullptr) {
    lxw_workbook_free(wb);
    return InternalError("writing .xlsx: cannot add the worksheet");
  }

  // From here on the workbook is always closed (which frees it); the first error is kept.
  Status status;
  auto check = [&](lxw_error err, std::string_view what) {
    if (err != LXW_NO_ERROR && status.ok()) status = LxwError(err, what);
  };
  for (size_t c = 0; c < columns.size(); ++c) {
    const auto col = static_cast<lxw_col_t>(c);
    check(worksheet_set_column(ws, col, col, columns[c].width, nullptr), "column width");
  }
  worksheet_freeze_panes(ws, 1, 0);
  for (size_t c = 0; c < columns.size(); ++c) {
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), columns[c].header.c_str(), bold), "header");
  }
  for (size_t r = 0; r < rows.size() && status.ok(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& text = rows[r][c];
      if (text.empty()) continue;
      const auto col = static_cast<lxw_col_t>(c);
      double number = 0;
      switch (columns[c].type) {
        case XlsxColumn::Type::kInteger:
          if (IsInteger(text, number)) {
            check(worksheet_write_number(ws, row, col, number, nullptr), "number");
            continue;
          }
          break;
        case XlsxColumn::Type::kDecimal2:
          if (IsDecimal2(text, number)) {
            check(worksheet_write_number(ws, row, col, number, decimal2), "number");
            continue;
          }
          break;
        case XlsxColumn::Type::kText:
          break;
      }
      check(worksheet_write_string(ws, row, col, text.c_str(), nullptr), "string");
    }
  }
  check(workbook_close(wb), "close");
  RETURN_IF_ERROR(status);

  std::ifstream in(file.path(), std::ios::binary);
  if (!in) return InternalError(Msg("writing .xlsx: cannot read back {}", file.path()));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return InternalError(Msg("writing .xlsx: cannot read back {}", file.path()));
  return bytes;
}

}  // namespace ningju::areas
