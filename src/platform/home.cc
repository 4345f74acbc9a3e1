#include "platform/home.h"

#include <algorithm>

namespace ningju::platform {

void HomeBoard::Add(int order, HomeCardFn card) {
  Entry e{order, std::move(card)};
  auto at = std::upper_bound(cards_.begin(), cards_.end(), e,
                             [](const Entry& a, const Entry& b) { return a.order < b.order; });
  cards_.insert(at, std::move(e));
}

StatusOr<nlohmann::json> HomeBoard::Render(web::RequestContext& ctx) const {
  nlohmann::json out = nlohmann::json::array();
  const nlohmann::json& t = site_.i18n().Messages(ctx.locale);
  for (const Entry& e : cards_) {
    ASSIGN_OR_RETURN(std::optional<HomeCard> card, e.card(ctx));
    if (!card) continue;
    card->data["signed_in"] = ctx.principal.signed_in();
    std::vector<std::string> lists;  // has_X for every top-level list X, as Site::Page gives pages
    for (const auto& [key, value] : card->data.items()) {
      if (value.is_array()) lists.push_back(key);
    }
    for (const auto& key : lists) card->data["has_" + key] = !card->data[key].empty();
    ASSIGN_OR_RETURN(std::string html, site_.templates().Render(card->template_name, card->data, &t));
    out.push_back({{"id", "home-" + card->id}, {"html_card", std::move(html)}});
  }
  return out;
}

}  // namespace ningju::platform
