#include "platform/notify/kinds.h"

#include <algorithm>
#include <charconv>

namespace ningju::notify {

bool ObjectKind::Notifies(std::string_view event_kind) const {
  return std::find(events.begin(), events.end(), event_kind) != events.end();
}

bool ObjectKind::Concerns(std::string_view event_kind) const {
  return concerned && std::find(concerning.begin(), concerning.end(), event_kind) != concerning.end();
}

std::string ObjectRef::ToString() const { return record::Ref(kind, id); }

std::optional<ObjectRef> ParseRef(std::string_view ref) {
  const size_t colon = ref.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 40 || ref.size() > 64) return std::nullopt;
  const std::string_view kind = ref.substr(0, colon);
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return std::nullopt;
  }
  const std::string_view digits = ref.substr(colon + 1);
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return ObjectRef{std::string(kind), id};
}

void Kinds::Add(ObjectKind kind) {
  std::string name = kind.kind;
  kinds_[name] = std::move(kind);
}

const ObjectKind* Kinds::Find(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> Kinds::NotificationKinds() const {
  std::vector<std::string> out;
  for (const auto& [name, k] : kinds_) {
    for (const std::string& e : k.events) out.push_back(name + "." + e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ningju::notify
