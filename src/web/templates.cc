#include "web/templates.h"

#include <kainjow/mustache.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace ningju::web {
namespace {

namespace mus = kainjow::mustache;

// kainjow's set() and push_back() copy their argument, and a copy is deep: converting a nested value level by level
// would copy every leaf once per level above it. So a child is inserted as a cheap placeholder and the converted
// value moved into it (the const_cast is sound: `d` is ours and not const).
mus::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mus::data d{mus::data::type::object};
      for (const auto& [k, v] : j.items()) {
        d.set(k, mus::data{false});
        *const_cast<mus::data*>(d.get(k)) = ToData(v);
      }
      return d;
    }
    case nlohmann::json::value_t::array: {
      mus::data d{mus::data::type::list};
      for (const auto& v : j) {
        d.push_back(mus::data{false});
        *const_cast<mus::data*>(&d.list_value().back()) = ToData(v);
      }
      return d;
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? mus::data{mus::data::type::bool_true} : mus::data{mus::data::type::bool_false};
    case nlohmann::json::value_t::null:
      return mus::data{mus::data::type::bool_false};
    case nlohmann::json::value_t::string:
      // An empty string is false, so that {{#address}}...{{/address}} shows nothing for a missing value.
      if (j.get_ref<const std::string&>().empty()) return mus::data{mus::data::type::bool_false};
      return mus::data{j.get<std::string>()};
    default:
      return mus::data{j.dump()};
  }
}

}  // namespace

uint64_t Templates::NextId() {
  static std::atomic<uint64_t> next{1};
  return next++;
}

StatusOr<std::unique_ptr<Templates>> Templates::Load(const std::string& dir) {
  auto t = std::make_unique<Templates>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return NotFoundError(Msg("no template directory {}", dir));
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string name = std::filesystem::relative(entry.path(), dir).replace_extension("").generic_string();
    mus::mustache check(ss.str());
    if (!check.is_valid()) return InternalError(Msg("template {}: {}", name, check.error_message()));
    t->sources_[name] = ss.str();
  }
  if (ec) return InternalError(Msg("reading {}: {}", dir, ec.message()));
  return t;
}

StatusOr<std::string> Templates::Render(const std::string& name, const nlohmann::json& data,
                                        const nlohmann::json* messages) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) return NotFoundError(Msg("no template {}", name));
  // Parsing a template and converting the message catalog cost more than rendering, so both are kept per thread
  // (kainjow's mustache objects are not safe to share between threads while rendering).
  thread_local std::map<uint64_t, std::map<std::string, std::unique_ptr<mus::mustache>>> parsed;
  // The data under every page: {"t": the message catalog, <partial name>: the partial} for each (template set,
  // catalog). Rendering looks names up in the page's data first and falls through to this, so neither the catalog
  // nor the partials are copied per render (the catalog grows with every module).
  thread_local std::map<std::pair<uint64_t, const nlohmann::json*>, mus::data> bases;
  auto& mine = parsed[id_];
  auto& tmpl = mine[name];
  if (!tmpl) tmpl = std::make_unique<mus::mustache>(it->second);
  auto base = bases.find({id_, messages});
  if (base == bases.end()) {
    mus::data d{mus::data::type::object};
    if (messages != nullptr) {
      d.set("t", mus::data{false});
      *const_cast<mus::data*>(d.get("t")) = ToData(*messages);
    }
    for (const auto& [pname, text] : sources_) {
      // Only templates in a folder are partials: a top-level one (error, home, layout) would answer a page's
      // {{#error}} when the page has no error, and show an empty alert.
      if (pname.find('/') == std::string::npos) continue;
      const std::string* source = &text;
      d.set(pname, mus::partial([source]() { return *source; }));
    }
    base = bases.emplace(std::make_pair(id_, messages), std::move(d)).first;
  }
  mus::data page = ToData(data);
  mus::context<std::string> ctx(&base->second);
  ctx.push(&page);
  std::string out = tmpl->render(ctx);
  if (!tmpl->is_valid()) return InternalError(Msg("template {}: {}", name, tmpl->error_message()));
  return out;
}

std::vector<std::string> UnescapedNames(const std::string& source) {
  static const std::regex kUnescaped(R"(\{\{\{\s*([^}\s]+)\s*\}\}\}|\{\{&\s*([^}\s]+)\s*\}\})");
  std::vector<std::string> names;
  for (auto it = std::sregex_iterator(source.begin(), source.end(), kUnescaped); it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
  }
  return names;
}

}  // namespace ningju::web
