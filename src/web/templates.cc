#include "web/templates.h"

#include <kainjow/mustache.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace ningju::web {
namespace {

namespace mus = kainjow::mustache;

mus::data ToData(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mus::data d{mus::data::type::object};
      for (const auto& [k, v] : j.items()) d.set(k, ToData(v));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mus::data d{mus::data::type::list};
      for (const auto& v : j) d.push_back(ToData(v));
      return d;
    }
    case nlohmann::json::value_t::boolean:
      return j.get<bool>() ? mus::data{mus::data::type::bool_true} : mus::data{mus::data::type::bool_false};
    case nlohmann::json::value_t::null:
      return mus::data{mus::data::type::bool_false};
    case nlohmann::json::value_t::string:
      return mus::data{j.get<std::string>()};
    default:
      return mus::data{j.dump()};
  }
}

}  // namespace

StatusOr<std::unique_ptr<Templates>> Templates::Load(const std::string& dir) {
  auto t = std::make_unique<Templates>();
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return NotFoundError("no template directory " + dir);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".mustache") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string name = std::filesystem::relative(entry.path(), dir).replace_extension("").generic_string();
    mus::mustache check(ss.str());
    if (!check.is_valid()) return InternalError("template " + name + ": " + check.error_message());
    t->sources_[name] = ss.str();
  }
  if (ec) return InternalError("reading " + dir + ": " + ec.message());
  return t;
}

StatusOr<std::string> Templates::Render(const std::string& name, const nlohmann::json& data) const {
  auto it = sources_.find(name);
  if (it == sources_.end()) return NotFoundError("no template " + name);
  mus::mustache tmpl(it->second);
  mus::data ctx = ToData(data);
  // Every template can be a partial of every other ({{> areas/card}}); a data key of the same name wins.
  for (const auto& [pname, source] : sources_) {
    if (ctx.get(pname) != nullptr) continue;
    const std::string* src = &source;
    ctx.set(pname, mus::partial([src]() { return *src; }));
  }
  std::string out = tmpl.render(ctx);
  if (!tmpl.is_valid()) return InternalError("template " + name + ": " + tmpl.error_message());
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
