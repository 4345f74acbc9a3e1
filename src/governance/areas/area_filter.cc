#include "governance/areas/area_filter.h"

#include "common/text_util.h"

namespace ningju::areas {

StatusOr<std::optional<int64_t>> ParseAreaParam(AreaService& areas, const std::optional<std::string>& value) {
  if (!value || value->empty()) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(int64_t id, ParseId(*value, "area"));
  ASSIGN_OR_RETURN(Area a, areas.Get(id));
  return std::optional<int64_t>(a.id);
}

StatusOr<nlohmann::json> AreaFilterView(AreaService& areas, const std::string& base, std::optional<int64_t> area_id) {
  nlohmann::json view = {{"crumbs", nlohmann::json::array()}, {"area", nullptr}};
  auto link = [&](const Area& a) {
    return nlohmann::json{{"name", a.name}, {"href", base + "?area=" + std::to_string(a.id)}};
  };
  if (area_id) {
    ASSIGN_OR_RETURN(std::vector<Area> trail, areas.Ancestors(*area_id));
    ASSIGN_OR_RETURN(Area here, areas.Get(*area_id));
    for (const Area& a : trail) view["crumbs"].push_back(link(a));
    view["area"] = {{"id", here.id}, {"name", here.name}, {"kind", AreaKindName(here.kind)}};
  } else {
    auto root = areas.Root();
    if (root.ok()) view["crumbs"].push_back(link(*root));
  }
  // The district, each subdistrict followed by its neighborhoods (the first page of each: 200).
  nlohmann::json options = nlohmann::json::array();
  auto option = [&](const Area& a, const char* indent) {
    options.push_back({{"id", a.id}, {"label", indent + a.name}, {"selected", area_id && *area_id == a.id}});
  };
  auto root = areas.Root();
  if (root.ok()) {
    option(*root, "");
    ASSIGN_OR_RETURN(Page<Area> subdistricts, areas.Children(root->id, "", kMaxPageSize));
    for (const Area& sd : subdistricts.items) {
      option(sd, "\u3000");
      ASSIGN_OR_RETURN(Page<Area> neighborhoods, areas.Children(sd.id, "", kMaxPageSize));
      for (const Area& nb : neighborhoods.items) option(nb, "\u3000\u3000");
    }
  }
  view["area_options"] = std::move(options);
  return view;
}

}  // namespace ningju::areas
