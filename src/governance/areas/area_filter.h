// The area part of every index page (/cases, /meetings, /ballots, /elevator and each later module's): parsing
// ?area=<id>, the breadcrumbs from the district down to that area (each a link to the same index filtered to it),
// and the options of the area filter (the district, its subdistricts and neighborhoods).
#ifndef NINGJU_GOVERNANCE_AREAS_AREA_FILTER_H_
#define NINGJU_GOVERNANCE_AREAS_AREA_FILTER_H_

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "governance/areas/areas.h"

namespace ningju::areas {

// The ?area= value: none when empty; kInvalidArgument (field "area") when not an id; kNotFound for no such area.
StatusOr<std::optional<int64_t>> ParseAreaParam(AreaService& areas, const std::optional<std::string>& value);

// {"crumbs": [{"name", "href"}...], "area": {"id", "name", "kind"} or null, "area_options": [{"id", "label",
// "selected"}...]} for the index at `base` ("/meetings"); crumbs run from the district down to the filtered area
// (the district alone without a filter), each linking to `base`?area=<id>.
StatusOr<nlohmann::json> AreaFilterView(AreaService& areas, const std::string& base, std::optional<int64_t> area_id);

}  // namespace ningju::areas

#endif  // NINGJU_GOVERNANCE_AREAS_AREA_FILTER_H_
