// The home page (`/`), assembled from small cards that the modules contribute: each module turns what its service
// returns for the viewer (CaseService::Home, BallotService::List ...) into a card, and the board renders the cards
// in order into one page. A later module adds its card with one HomeBoard::Add in the app's wiring, without
// touching this file or another module's. A card's data comes from a service method that applies the policy, so
// what the viewer may not see is never on the page, not even as a count.
//
// Thread-safety: cards are added before serving; Render is safe from many threads.
#ifndef NINGJU_PLATFORM_HOME_H_
#define NINGJU_PLATFORM_HOME_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "web/site.h"

namespace ningju::platform {

// One card: its template (rendered with `data` and the message catalog as `t`) and an id for the page's anchor.
struct HomeCard {
  std::string id;             // "cases", "ballots": the section's id ("home-cases")
  std::string template_name;  // a template in a folder, "cases/home_card"
  nlohmann::json data = nlohmann::json::object();
};

// A module's card for this request, or nullopt when it has nothing to show to this viewer.
using HomeCardFn = std::function<StatusOr<std::optional<HomeCard>>(web::RequestContext&)>;

class HomeBoard {
 public:
  explicit HomeBoard(const web::Site& site) : site_(site) {}

  // Adds a card; cards show by `order` (then by when they were added).
  void Add(int order, HomeCardFn card);

  // The cards for this request, each rendered: [{"id": "home-cases", "html": "..."}]. A card's error fails the
  // page (a card never hides a fault by showing nothing).
  StatusOr<nlohmann::json> Render(web::RequestContext& ctx) const;

 private:
  struct Entry {
    int order = 0;
    HomeCardFn card;
  };
  const web::Site& site_;
  std::vector<Entry> cards_;
};

}  // namespace ningju::platform

#endif  // NINGJU_PLATFORM_HOME_H_
