#include "governance/areas/door_sheet.h"

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include <qrencode.h>

namespace ningju::areas {
namespace {

constexpr int kQuietZone = 4;  // modules; the minimum the QR specification asks for

struct QrCodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

StatusOr<QrMatrix> EncodeQr(std::string_view text) {
  // Byte mode regardless of content: QRcode_encodeData never switches to Kanji or alphanumeric mode, so the symbol
  // depends only on the bytes, and readers decode the UTF-8 as it was.
  errno = 0;
  std::unique_ptr<QRcode, QrCodeDeleter> code(QRcode_encodeData(
      static_cast<int>(text.size()), reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M));
  if (!code) {
    if (errno == ERANGE) {
      return OutOfRangeError(Msg("the text ({} bytes) is too long for a QR code", text.size()));
    }
    return InternalError(Msg("QR encoding failed (errno {})", errno));
  }
  QrMatrix m;
  m.version = code->version;
  m.width = code->width;
  const size_t n = static_cast<size_t>(code->width) * static_cast<size_t>(code->width);
  m.dark.resize(n);
  for (size_t i = 0; i < n; ++i) m.dark[i] = (code->data[i] & 1) != 0;
  return m;
}

std::string QrSvg(std::string_view text) {
  StatusOr<QrMatrix> encoded = EncodeQr(text);
  if (!encoded.ok()) return "";
  const QrMatrix& m = *encoded;
  const int size = m.width + 2 * kQuietZone;
  const std::string n = std::to_string(size);
  std::string svg;
  svg.reserve(static_cast<size_t>(m.width) * static_cast<size_t>(m.width) + 256);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"";
  // One horizontal run of dark modules per subpath: "M x y h len v1 h -len z".
  for (int y = 0; y < m.width; ++y) {
    int x = 0;
    while (x < m.width) {
      if (!m.Dark(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < m.width && m.Dark(x, y)) ++x;
      const std::string len = std::to_string(x - start);
      svg += "M" + std::to_string(start + kQuietZone) + " " + std::to_string(y + kQuietZone) + "h" + len + "v1h-" +
             len + "z";
    }
  }
  svg += "\"/></svg>";
  return svg;
}

StatusOr<DoorSheetData> LoadDoorSheet(storage::Connection& conn, int64_t building_id, std::string_view base_url) {
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  if (!(base_url.starts_with("https://") || base_url.starts_with("http://")) ||
      base_url.find_first_of(" \"<>\r\n\t") != std::string_view::npos) {
    return InvalidArgumentError(Msg("the base URL must be an absolute http(s) URL, not \"{}\"", base_url), "base_url");
  }
  DoorSheetData d;
  d.building_id = building_id;
  ASSIGN_OR_RETURN(storage::Result path,
                   conn.Execute("SELECT a.kind, a.name, a.code, a.address FROM area_paths p "
                                "JOIN areas a ON a.id = p.ancestor_id WHERE p.descendant_id = ? ORDER BY p.depth",
                                {building_id}));
  if (path.rows.empty()) {
    // An area without paths would be a bug elsewhere; tell "no such area" from that.
    ASSIGN_OR_RETURN(std::optional<storage::Row> area,
                     conn.QueryOptional("SELECT kind FROM areas WHERE id = ?", {building_id}));
    if (!area) return NotFoundError(Msg("no area {}", building_id));
    return InternalError(Msg("area {} has no area_paths rows", building_id));
  }
  if (path.rows.front().Text(0) != "building") {
    return InvalidArgumentError(Msg("area {} is a {}, not a building", building_id, path.rows.front().Text(0)),
                                "building_id");
  }
  for (const storage::Row& r : path.rows) {
    const std::string& kind = r.Text(0);
    if (kind == "building") {
      d.building_name = r.Text(1);
      d.building_code = r.Text(2);
      d.address = r.Text(3);
    } else if (kind == "neighborhood") {
      d.neighborhood_name = r.Text(1);
      if (d.address.empty()) d.address = r.Text(3);
    } else if (kind == "subdistrict") {
      d.subdistrict_name = r.Text(1);
    } else if (kind == "district") {
      d.district_name = r.Text(1);
    }
  }
  ASSIGN_OR_RETURN(storage::Result entrances,
                   conn.Execute("SELECT e.id, e.name, (SELECT COUNT(*) FROM units u WHERE u.entrance_id = e.id) "
                                "FROM areas e WHERE e.parent_id = ? AND e.kind = 'entrance' ORDER BY e.sort_key, e.id",
                                {building_id}));
  for (const storage::Row& r : entrances.rows) {
    d.entrances.push_back(DoorSheetEntrance{r.Int(0), r.Text(1), r.Int(2)});
  }
  ASSIGN_OR_RETURN(storage::Row count,
                   conn.QueryOne("SELECT COUNT(*) FROM units WHERE building_id = ?", {building_id}));
  d.unit_count = count.Int(0);
  d.url = std::string(base_url) + "/buildings/" + std::to_string(building_id);
  RETURN_IF_ERROR(EncodeQr(d.url));  // the one way QrSvg can fail, as a Status
  d.qr_svg = QrSvg(d.url);
  return d;
}

}  // namespace ningju::areas
