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

#include <expat.h>
#include <minizip/unzip.h>
#include <xlsxwriter.h>

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

// ---------------------------------------------------------------------------------------------------------------
// XML as a stream of events (expat): no part is ever held whole, nor built into a tree. Producers differ in namespace
// prefixes ("x:row"), and Strict OOXML uses other namespace URIs, so elements and attributes are matched by local
// name.

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  const size_t colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The value of the attribute named `local` (any prefix), or nullptr.
const char* Attr(const XML_Char** attrs, std::string_view local) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (LocalName(attrs[i]) == local) return attrs[i + 1];
  }
  return nullptr;
}

// What one part's reader does with the events; a handler's error stops the parse and is its result.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual Status Start(std::string_view name, const XML_Char** attrs) = 0;
  virtual Status End(std::string_view /*name*/) { return OkStatus(); }
  virtual void Text(std::string_view /*text*/) {}
};

// One expat parser over one part. A DOCTYPE is refused outright (no workbook has one), so no entity is ever declared
// and none expands (the "billion laughs").
class XmlParser {
 public:
  XmlParser(XmlHandler& handler, std::string part) : handler_(handler), part_(std::move(part)) {
    parser_ = XML_ParserCreate("UTF-8");
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, OnStart, OnEnd);
    XML_SetCharacterDataHandler(parser_, OnText);
    XML_SetStartDoctypeDeclHandler(parser_, OnDoctype);
  }
  ~XmlParser() { XML_ParserFree(parser_); }
  XmlParser(const XmlParser&) = delete;
  XmlParser& operator=(const XmlParser&) = delete;

  // Parses the next `size` bytes; `last` for the end of the part.
  Status Feed(const char* data, size_t size, bool last) {
    if (parser_ == nullptr) return InternalError("cannot create an XML parser");
    if (XML_Parse(parser_, data, static_cast<int>(size), last ? XML_TRUE : XML_FALSE) == XML_STATUS_OK) {
      return OkStatus();
    }
    if (!error_.ok()) return error_;
    return InvalidArgumentError(Msg("damaged .xlsx file: {} is not well-formed XML ({} at byte {})", part_,
                                    XML_ErrorString(XML_GetErrorCode(parser_)), XML_GetCurrentByteIndex(parser_)));
  }

 private:
  // Stops at the first error (an OK status goes on).
  void Stop(Status status) {
    if (status.ok() || !error_.ok()) return;
    error_ = std::move(status);
    XML_StopParser(parser_, XML_FALSE);
  }
  static void OnStart(void* self, const XML_Char* name, const XML_Char** attrs) {
    auto* p = static_cast<XmlParser*>(self);
    if (p->error_.ok()) p->Stop(p->handler_.Start(LocalName(name), attrs));
  }
  static void OnEnd(void* self, const XML_Char* name) {
    auto* p = static_cast<XmlParser*>(self);
    if (p->error_.ok()) p->Stop(p->handler_.End(LocalName(name)));
  }
  static void OnText(void* self, const XML_Char* text, int size) {
    auto* p = static_cast<XmlParser*>(self);
    if (p->error_.ok()) p->handler_.Text(std::string_view(text, static_cast<size_t>(size)));
  }
  static void OnDoctype(void* self, const XML_Char* /*name*/, const XML_Char* /*sysid*/, const XML_Char* /*pubid*/,
                        int /*has_internal_subset*/) {
    auto* p = static_cast<XmlParser*>(self);
    p->Stop(InvalidArgumentError(Msg("damaged .xlsx file: {} declares a DOCTYPE, which no workbook does", p->part_)));
  }

  XML_Parser parser_;
  XmlHandler& handler_;
  std::string part_;
  Status error_;  // OK until a handler fails (or a DOCTYPE is met)
};

// Streams part `name` of the archive through `handler`, inflating it in 64 KB pieces and at most `cap` bytes (the
// sizes the archive records are not trusted). false when the archive has no such part.
StatusOr<bool> StreamPart(unzFile zip, const std::string& name, size_t cap, XmlHandler& handler) {
  // Case-insensitive: some producers differ in case from the names their relationships give.
  if (unzLocateFile(zip, name.c_str(), 2) != UNZ_OK) return false;
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
  XmlParser parser(handler, name);
  std::vector<char> buf(64 * 1024);
  size_t inflated = 0;
  Status status;
  while (status.ok()) {
    const int n = unzReadCurrentFile(zip, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      status = InvalidArgumentError(Msg("damaged .xlsx file: cannot inflate {}", name));
      break;
    }
    inflated += static_cast<size_t>(n);
    if (inflated > cap) {
      status = ResourceExhaustedError(Msg(".xlsx part {} is larger than {} bytes", name, cap));
      break;
    }
    status = parser.Feed(buf.data(), static_cast<size_t>(n), n == 0);
    if (n == 0) break;
  }
  const int closed = unzCloseCurrentFile(zip);
  RETURN_IF_ERROR(status);
  if (closed != UNZ_OK) return InvalidArgumentError(Msg("damaged .xlsx file: checksum of {} does not match", name));
  return true;
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

// The text of a shared string item <si> or an inline string <is>, gathered from its events: plain <t>, or rich-text
// runs <r><t>; phonetic runs <rPh> are annotations, not content.
class StringItem {
 public:
  void Start(std::string_view name) {
    if (name == "rPh") ++phonetic_;
    if (name == "t") in_text_ = true;
  }
  void End(std::string_view name) {
    if (name == "rPh") --phonetic_;
    if (name == "t") in_text_ = false;
  }
  void Text(std::string_view text) {
    if (in_text_ && phonetic_ == 0) text_ += text;
  }
  // The text, _xHHHH_ escapes decoded; the item is empty again.
  std::string Take() {
    std::string out = DecodeOoxmlEscapes(text_);
    Clear();
    return out;
  }
  void Clear() {
    text_.clear();
    phonetic_ = 0;
    in_text_ = false;
  }

 private:
  std::string text_;
  int phonetic_ = 0;
  bool in_text_ = false;
};

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

// Relationship id -> (type, resolved target), for the relationships part `rels_path` of a part in `base_dir`; empty
// when there is no such part.
using Relationships = std::map<std::string, std::pair<std::string, std::string>>;

class RelationshipsReader : public XmlHandler {
 public:
  RelationshipsReader(const std::string& base_dir, Relationships& out) : base_dir_(base_dir), out_(out) {}
  Status Start(std::string_view name, const XML_Char** attrs) override {
    if (name != "Relationship") return OkStatus();
    const char* mode = Attr(attrs, "TargetMode");
    if (mode != nullptr && std::string_view(mode) == "External") return OkStatus();
    const char* id = Attr(attrs, "Id");
    const char* type = Attr(attrs, "Type");
    const char* target = Attr(attrs, "Target");
    if (id != nullptr) out_[id] = {type ? type : "", ResolveTarget(base_dir_, target ? target : "")};
    return OkStatus();
  }

 private:
  const std::string& base_dir_;
  Relationships& out_;
};

StatusOr<Relationships> ReadRelationships(unzFile zip, const std::string& rels_path, const std::string& base_dir,
                                          const SheetLimits& limits) {
  Relationships rels;
  RelationshipsReader reader(base_dir, rels);
  RETURN_IF_ERROR(StreamPart(zip, rels_path, limits.max_small_part_bytes, reader).status());
  return rels;
}

// The relationship id of the workbook's first sheet (workbook order).
class WorkbookReader : public XmlHandler {
 public:
  Status Start(std::string_view name, const XML_Char** attrs) override {
    ++depth_;
    if (name == "sheets" && depth_ == 2) in_sheets_ = true;
    if (name == "sheet" && in_sheets_ && depth_ == 3 && !found) {
      found = true;
      const char* id = Attr(attrs, "id");
      first_sheet_id = id ? id : "";
    }
    return OkStatus();
  }
  Status End(std::string_view name) override {
    if (name == "sheets" && depth_ == 2) in_sheets_ = false;
    --depth_;
    return OkStatus();
  }
  bool found = false;
  std::string first_sheet_id;

 private:
  int depth_ = 0;
  bool in_sheets_ = false;
};

// The shared-strings table, counted against its limit as it is read.
class SharedStringsReader : public XmlHandler {
 public:
  SharedStringsReader(const SheetLimits& limits, std::vector<std::string>& out) : limits_(limits), out_(out) {}
  Status Start(std::string_view name, const XML_Char** /*attrs*/) override {
    ++depth_;
    if (depth_ == 2 && name == "si") {
      if (out_.size() >= limits_.max_shared_strings) {
        return ResourceExhaustedError(Msg(".xlsx shared strings: more than {} entries", limits_.max_shared_strings));
      }
      in_item_ = true;
    } else if (in_item_) {
      item_.Start(name);
    }
    return OkStatus();
  }
  Status End(std::string_view name) override {
    if (depth_ == 2 && in_item_) {
      out_.push_back(item_.Take());
      in_item_ = false;
    } else if (in_item_) {
      item_.End(name);
    }
    --depth_;
    return OkStatus();
  }
  void Text(std::string_view text) override {
    if (in_item_) item_.Text(text);
  }

 private:
  const SheetLimits& limits_;
  std::vector<std::string>& out_;
  StringItem item_;
  int depth_ = 0;
  bool in_item_ = false;
};

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

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
Status FillMergedRanges(const std::vector<std::string>& ranges, Grid& grid, const SheetLimits& limits) {
  constexpr int64_t kMaxFilledCells = 10'000'000;  // bounds the work a hostile file can ask for
  int64_t budget = kMaxFilledCells;
  for (const std::string& range : ranges) {
    const std::string_view ref = range;
    const size_t colon = ref.find(':');
    if (colon == std::string_view::npos) continue;
    size_t c1 = 0, c2 = 0;
    int64_t r1 = 0, r2 = 0;
    if (!ParseCellRef(ref.substr(0, colon), c1, r1) || !ParseCellRef(ref.substr(colon + 1), c2, r2)) continue;
    if (c2 < c1 || r2 < r1) continue;
    const auto top = grid.find(r1);
    if (top == grid.end() || top->second.size() <= c1 || top->second[c1].empty()) continue;
    const std::string value = top->second[c1];
    const size_t last_col = std::min(c2, limits.max_columns - 1);
    for (auto it = grid.upper_bound(r1); it != grid.end() && it->first <= r2; ++it) {
      for (size_t c = c1; c <= last_col; ++c) {
        if (--budget < 0) return ResourceExhaustedError("too many merged cells");
        if (it->second.size() <= c) it->second.resize(c + 1);
        if (it->second[c].empty()) it->second[c] = value;
      }
    }
  }
  return OkStatus();
}

// The first worksheet, cell by cell as it streams: rows (<row r>) of cells (<c r t>) with a value (<v>) or an inline
// string (<is>), and the merged ranges (<mergeCell ref>), counted against the limits as they come.
class WorksheetReader : public XmlHandler {
 public:
  WorksheetReader(const SheetLimits& limits, const std::vector<std::string>& shared_strings, Grid& grid)
      : limits_(limits), shared_strings_(shared_strings), grid_(grid) {}

  Status Start(std::string_view name, const XML_Char** attrs) override {
    ++depth_;
    if (depth_ == 1) {
      if (name != "worksheet")
        return InvalidArgumentError("the first sheet of the workbook is not a worksheet (a chart?)");
    } else if (depth_ == 2) {
      in_sheet_data_ = name == "sheetData";
      in_merge_cells_ = name == "mergeCells";
    } else if (depth_ == 3 && in_sheet_data_ && name == "row") {
      RETURN_IF_ERROR(StartRow(attrs));
    } else if (depth_ == 3 && in_merge_cells_ && name == "mergeCell") {
      if (const char* ref = Attr(attrs, "ref")) merged_.emplace_back(ref);
    } else if (depth_ == 4 && in_row_ && name == "c") {
      RETURN_IF_ERROR(StartCell(attrs));
    } else if (depth_ == 5 && in_cell_ && name == "v") {
      in_value_ = true;
      has_value_ = true;
    } else if (depth_ == 5 && in_cell_ && name == "is") {
      in_inline_ = true;
    } else if (in_inline_) {
      inline_.Start(name);
    }
    return OkStatus();
  }

  Status End(std::string_view name) override {
    Status status;
    if (depth_ == 2) {
      in_sheet_data_ = in_merge_cells_ = false;
    } else if (depth_ == 3 && in_row_) {
      in_row_ = false;
    } else if (depth_ == 4 && in_cell_) {
      in_cell_ = false;
      status = EndCell();
    } else if (depth_ == 5 && in_value_) {
      in_value_ = false;
    } else if (depth_ == 5 && in_inline_) {
      in_inline_ = false;
    } else if (in_inline_) {
      inline_.End(name);
    }
    --depth_;
    return status;
  }

  void Text(std::string_view text) override {
    if (in_value_) value_ += text;
    if (in_inline_) inline_.Text(text);
  }

  const std::vector<std::string>& merged() const { return merged_; }

 private:
  Status StartRow(const XML_Char** attrs) {
    in_row_ = true;
    column_ = 0;
    first_cell_ = true;
    if (const char* r = Attr(attrs, "r")) {
      const std::string_view text(r);
      int64_t n = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > 1048576) {
        return InvalidArgumentError(Msg("damaged .xlsx file: bad row number \"{}\"", text));
      }
      row_ = n;
    } else {
      ++row_;
    }
    return OkStatus();
  }

  Status StartCell(const XML_Char** attrs) {
    if (++cells_ > limits_.max_cells) {
      return ResourceExhaustedError(Msg(".xlsx worksheet: more than {} cells", limits_.max_cells));
    }
    if (const char* ref = Attr(attrs, "r")) {
      int64_t ref_row = 0;
      if (!ParseCellRef(ref, column_, ref_row)) {
        return InvalidArgumentError(Msg("damaged .xlsx file: bad cell reference \"{}\"", ref),
                                    "row " + std::to_string(row_));
      }
    } else if (!first_cell_) {
      ++column_;
    }
    first_cell_ = false;
    const char* type = Attr(attrs, "t");
    type_ = type ? type : "";
    in_cell_ = true;
    has_value_ = false;
    value_.clear();
    inline_.Clear();
    return OkStatus();
  }

  Status EndCell() {
    std::string value;
    if (type_ == "s") {
      if (!has_value_) return OkStatus();
      size_t index = 0;
      const auto [end, ec] = std::from_chars(value_.data(), value_.data() + value_.size(), index);
      if (ec != std::errc() || end != value_.data() + value_.size() || index >= shared_strings_.size()) {
        return InvalidArgumentError(Msg("damaged .xlsx file: shared string index {} out of range", value_),
                                    Place(row_, column_));
      }
      value = shared_strings_[index];
    } else if (type_ == "inlineStr") {
      value = inline_.Take();
    } else if (type_ == "str" || type_ == "e" || type_ == "d") {
      value = DecodeOoxmlEscapes(value_);
    } else if (type_ == "b") {
      value = value_ == "1" ? "1" : (has_value_ ? "0" : "");
    } else {  // "n" or absent: a number
      value = NormalizeNumber(value_);
    }
    return SetCell(grid_, row_, column_, std::move(value), limits_);
  }

  const SheetLimits& limits_;
  const std::vector<std::string>& shared_strings_;
  Grid& grid_;
  std::vector<std::string> merged_;
  int depth_ = 0;
  bool in_sheet_data_ = false, in_merge_cells_ = false, in_row_ = false, in_cell_ = false;
  bool in_value_ = false, in_inline_ = false, has_value_ = false, first_cell_ = true;
  int64_t row_ = 0;
  size_t column_ = 0;
  size_t cells_ = 0;
  std::string type_, value_;
  StringItem inline_;
};

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
    ASSIGN_OR_RETURN(Relationships package_rels, ReadRelationships(zip.get(), "_rels/.rels", "", limits));
    for (const auto& [id, rel] : package_rels) {
      if (EndsWith(rel.first, "/officeDocument")) workbook_path = rel.second;
    }
  }
  const std::string workbook_dir = DirName(workbook_path);
  WorkbookReader workbook;
  ASSIGN_OR_RETURN(bool has_workbook, StreamPart(zip.get(), workbook_path, limits.max_small_part_bytes, workbook));
  if (!has_workbook) return InvalidArgumentError(Msg("not an .xlsx workbook ({} is missing)", workbook_path));
  if (!workbook.found) return InvalidArgumentError("the workbook has no worksheet");

  const std::string workbook_file = workbook_path.substr(workbook_dir.size());
  ASSIGN_OR_RETURN(
      Relationships workbook_rels,
      ReadRelationships(zip.get(), workbook_dir + "_rels/" + workbook_file + ".rels", workbook_dir, limits));
  std::string sheet_path;
  std::string shared_strings_path = workbook_dir + "sharedStrings.xml";
  for (const auto& [id, rel] : workbook_rels) {
    if (id == workbook.first_sheet_id) sheet_path = rel.second;
    if (EndsWith(rel.first, "/sharedStrings")) shared_strings_path = rel.second;
  }
  if (sheet_path.empty()) sheet_path = workbook_dir + "worksheets/sheet1.xml";

  std::vector<std::string> shared_strings;
  SharedStringsReader strings(limits, shared_strings);
  RETURN_IF_ERROR(StreamPart(zip.get(), shared_strings_path, limits.max_shared_strings_bytes, strings).status());

  Grid grid;
  WorksheetReader sheet(limits, shared_strings, grid);
  ASSIGN_OR_RETURN(bool has_sheet, StreamPart(zip.get(), sheet_path, limits.max_sheet_bytes, sheet));
  if (!has_sheet) return InvalidArgumentError(Msg("damaged .xlsx file: the first worksheet {} is missing", sheet_path));
  RETURN_IF_ERROR(FillMergedRanges(sheet.merged(), grid, limits));

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
