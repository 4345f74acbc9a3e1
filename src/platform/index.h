// What the index pages of every kind share (/cases, /meetings, /ballots, /elevator, and each later module's): the
// state filter's options, and the query string that carries the filters into the "more" link of the cursor.
#ifndef NINGJU_PLATFORM_INDEX_H_
#define NINGJU_PLATFORM_INDEX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "http/message.h"
#include "web/site.h"

namespace ningju::platform {

// ?state= checked against the kind's states: "" when absent; kInvalidArgument (field "state") when unknown.
StatusOr<std::string> StateParam(const http::Request& req, const std::vector<std::string>& states);

// [{"value", "label", "selected"}] for a state select; labels are the catalog's `label_prefix` + name.
nlohmann::json StateOptions(const web::Site& site, const web::RequestContext& ctx, const std::string& label_prefix,
                            const std::vector<std::string>& states, const std::string& selected);

// "&area=<id>&state=<name>" (only the filters set), for `base`?cursor=...<this>.
std::string FilterQuery(std::optional<int64_t> area_id, const std::string& state);

}  // namespace ningju::platform

#endif  // NINGJU_PLATFORM_INDEX_H_
