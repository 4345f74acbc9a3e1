// The followable kinds of the modules (notify::Kinds), registered by the wiring: each kind's visibility is its own
// service's read (which asks the one policy), so a notification never shows an object its reader may not open.
#ifndef NINGJU_APP_NOTIFY_KINDS_H_
#define NINGJU_APP_NOTIFY_KINDS_H_

#include "governance/areas/areas.h"
#include "governance/cases/cases.h"
#include "governance/decisions/ballots.h"
#include "governance/decisions/elevator.h"
#include "governance/decisions/meetings.h"
#include "platform/notify/kinds.h"
#include "storage/database.h"

namespace ningju::app {

struct NotifySources {
  storage::Database& db;
  cases::CaseService& cases;
  decisions::MeetingService& meetings;
  decisions::BallotService& ballots;
  decisions::ElevatorService& elevator;
  areas::AreaService& areas;
};

// case, meeting, ballot, elevator, area. The services (not `s` itself) must outlive `kinds`.
void RegisterNotifyKinds(notify::Kinds& kinds, const NotifySources& s);

}  // namespace ningju::app

#endif  // NINGJU_APP_NOTIFY_KINDS_H_
