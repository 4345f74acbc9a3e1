#include "platform/index.h"

#include <algorithm>

#include "common/text_util.h"

namespace ningju::platform {

StatusOr<std::string> StateParam(const http::Request& req, const std::vector<std::string>& states) {
  std::string state = req.Query("state").value_or("");
  if (state.empty() || std::find(states.begin(), states.end(), state) != states.end()) return state;
  return InvalidArgumentError(Msg("unknown state {}", QuoteForMessage(state)), "state");
}

nlohmann::json StateOptions(const web::Site& site, const web::RequestContext& ctx, const std::string& label_prefix,
                            const std::vector<std::string>& states, const std::string& selected) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& s : states) {
    out.push_back({{"value", s}, {"label", site.T(ctx, label_prefix + s)}, {"selected", s == selected}});
  }
  return out;
}

std::string FilterQuery(std::optional<int64_t> area_id, const std::string& state) {
  std::string q;
  if (area_id) q += "&area=" + std::to_string(*area_id);
  if (!state.empty()) q += "&state=" + http::PercentEncode(state);
  return q;
}

}  // namespace ningju::platform
