// The kinds of object that can be followed and whose events notify, registered by their modules (through the app's
// wiring, src/app/notify_kinds.cc): platform code knows no module, a module knows the platform.
//
// An object is named by the reference the events timeline and the audit chain use ("case:12"). Each kind says who may
// see one of its objects (the module's service, which asks the one policy), its title and page, which of its events
// notify, and whom an event concerns besides the followers (the reporter of a case, the owners in a ballot's scope).
// The functions acquire their own connections: never call them while holding one (STYLE.md item 18).
#ifndef NINGJU_PLATFORM_NOTIFY_KINDS_H_
#define NINGJU_PLATFORM_NOTIFY_KINDS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/roles.h"
#include "common/status.h"
#include "record/record.h"

namespace ningju::notify {

struct ObjectKind {
  std::string kind;  // "case": the reference's prefix
  // The event kinds that notify followers ("reply", "close"); others stay on the timeline only.
  std::vector<std::string> events;
  // Of those, the ones that also reach the people `concerned` names.
  std::vector<std::string> concerning;
  // Whether `viewer` may see object `id` (false also when it does not exist).
  std::function<StatusOr<bool>(const auth::Principal& viewer, int64_t id)> visible;
  // The object's title as its page shows it to the system.
  std::function<StatusOr<std::string>(int64_t id)> title;
  // The object's page ("/cases/12").
  std::function<std::string(int64_t id)> path;
  // The accounts an event concerns besides the followers (empty: none).
  std::function<StatusOr<std::vector<int64_t>>(const record::Event& event, int64_t id)> concerned;

  bool Notifies(std::string_view event_kind) const;
  bool Concerns(std::string_view event_kind) const;
};

// A parsed reference: "case:12" -> {"case", 12}; nullopt for anything else.
struct ObjectRef {
  std::string kind;
  int64_t id = 0;
  std::string ToString() const;
};
std::optional<ObjectRef> ParseRef(std::string_view ref);

// Register every kind before serving; read-only afterwards (so thread-safe).
class Kinds {
 public:
  void Add(ObjectKind kind);
  const ObjectKind* Find(std::string_view kind) const;
  // Every notification kind ("case.reply"), sorted: the settings page's rows.
  std::vector<std::string> NotificationKinds() const;

 private:
  std::map<std::string, ObjectKind, std::less<>> kinds_;
};

}  // namespace ningju::notify

#endif  // NINGJU_PLATFORM_NOTIFY_KINDS_H_
