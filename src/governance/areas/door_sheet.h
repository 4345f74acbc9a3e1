// The printable sheet at a building's door (楼门口服务): the building's name and place, and a QR code leading to the
// building's page. This module provides the data and the QR code as SVG; the page template is the web layer's.
#ifndef NINGJU_GOVERNANCE_AREAS_DOOR_SHEET_H_
#define NINGJU_GOVERNANCE_AREAS_DOOR_SHEET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/database.h"

namespace ningju::areas {

// A QR code symbol: `width` x `width` modules, row by row, true = dark. No quiet zone.
struct QrMatrix {
  int version = 0;  // 1..40; width = 17 + 4 * version
  int width = 0;
  std::vector<bool> dark;

  bool Dark(int x, int y) const { return dark[static_cast<size_t>(y) * static_cast<size_t>(width) + x]; }
};

// Encodes `text` (its UTF-8 bytes, in 8-bit byte mode) at error-correction level M, in the smallest version that
// holds it. Deterministic. Errors: kOutOfRange when the text exceeds what version 40-M holds (2331 bytes);
// kInternal when libqrencode fails otherwise.
StatusOr<QrMatrix> EncodeQr(std::string_view text);

// The QR code of `text` as a compact standalone SVG: one <path> of the dark modules in a white square with a quiet
// zone of 4 modules, viewBox "0 0 N N" (N = width + 8; one unit per module, so it scales to any print size), and
// shape-rendering="crispEdges". No width or height: the page sizes it with CSS. No text alternative either: the page
// gives one (the URL printed next to it). Trusted markup: every byte is generated here, none comes from `text`.
// Returns "" when EncodeQr fails (only a text longer than 2331 bytes, never a door-sheet URL).
std::string QrSvg(std::string_view text);

struct DoorSheetEntrance {
  int64_t id = 0;
  std::string name;
  int64_t units = 0;
};

// What the door-sheet template shows.
struct DoorSheetData {
  int64_t building_id = 0;
  std::string building_name;
  std::string building_code;
  std::string neighborhood_name;
  std::string subdistrict_name;
  std::string district_name;
  std::string address;  // the building's, else its neighborhood's; may be empty
  std::string url;      // <base_url>/buildings/<id>, encoded in the QR code
  std::string qr_svg;   // QrSvg(url): trusted markup made here, to be inserted unescaped
  int64_t unit_count = 0;
  std::vector<DoorSheetEntrance> entrances;  // in sort order (sort_key, then id)
};

// Loads the door sheet of building `building_id`. `base_url` is the public origin of the site ("https://ningju.example"
// or with a path prefix); a trailing '/' is ignored.
// Errors: kNotFound when there is no such area; kInvalidArgument when it is not a building or `base_url` is not an
// absolute http(s) URL; kOutOfRange when the URL is too long for a QR code; storage errors as they come.
StatusOr<DoorSheetData> LoadDoorSheet(storage::Connection& conn, int64_t building_id, std::string_view base_url);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_DOOR_SHEET_H_
