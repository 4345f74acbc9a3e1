// The concurrency suite: the real services on a real database, many threads acting on the same objects at once,
// then the invariants a lost update would break. It is written for PostgreSQL (NINGJU_TEST_BACKEND=postgres), whose
// READ COMMITTED transactions run side by side; on SQLite (one writer at a time) the same races must hold too.
//
// Every test ends by checking that each acknowledged action has its record in the audit chain and that the chain
// verifies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "common/calendar.h"
#include "governance/areas/area_writer.h"
#include "governance/cases/cases.h"
#include "governance/decisions/ballots.h"
#include "governance/decisions/elevator.h"
#include "governance/decisions/meetings.h"
#include "race.h"
#include "record/record.h"
#include "testing/status_matchers.h"
#include "testing/test_database.h"

namespace ningju {
namespace {

using race::Outcomes;
using race::RunTogether;

constexpr int kThreads = 16;

// 2026-03-09 is a Monday; 09:00 in Shanghai.
const Instant kMonday = FromUnix(1'773'018'000);

class RaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // A pool larger than the threads, so that no action waits for a connection.
    // WarmPool holds every connection at once on purpose, so nested acquires are only logged here.
    auto db = ::ningju::testing::OpenTestDatabase({.pool_size = kThreads + 8, .acquire_timeout_ms = 60000});
    ASSERT_OK(db);
    db_ = std::move(db).value();
    ASSERT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      auto area = [&](std::optional<int64_t> parent, const char* kind, const char* code, const char* name) {
        areas::NewArea a;
        a.parent_id = parent;
        a.kind = kind;
        a.code = code;
        a.name = name;
        return areas::InsertArea(tx, a, kMonday);
      };
      ASSIGN_OR_RETURN(district_, area(std::nullopt, "district", "d", "长宁区"));
      ASSIGN_OR_RETURN(int64_t sd, area(district_, "subdistrict", "s", "华阳路街道"));
      ASSIGN_OR_RETURN(nb_, area(sd, "neighborhood", "n", "安化一村居民区"));
      ASSIGN_OR_RETURN(building_, area(nb_, "building", "b1", "1号楼"));
      ASSIGN_OR_RETURN(entrance_, area(building_, "entrance", "b1e1", "1号门"));
      ASSIGN_OR_RETURN(building2_, area(nb_, "building", "b2", "2号楼"));
      ASSIGN_OR_RETURN(entrance2_, area(building2_, "entrance", "b2e1", "1号门"));
      return OkStatus();
    }));
    staff_ = User("staff", auth::Role::kNeighborhoodStaff, nb_);
    WarmPool();
  }

  // Opens every connection of the pool before a race, so that the threads start together rather than one
  // connection set-up after another.
  void WarmPool() {
    std::vector<storage::PooledConnection> held;
    for (int i = 0; i < kThreads + 4; ++i) {
      auto conn = db_->Acquire();
      ASSERT_OK(conn);
      held.push_back(std::move(conn).value());
    }
  }

  // A user with one role on `area` (or none), as a signed-in principal.
  auth::Principal User(const std::string& login, std::optional<auth::Role> role, int64_t area) {
    auth::Principal p;
    EXPECT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
      ASSIGN_OR_RETURN(storage::Row u, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                   "created_at) VALUES (?, ?, 'x', 0) RETURNING id",
                                                   {login, "用户" + login}));
      p.user_id = u.Int(0);
      p.display_name = "用户" + login;
      p.kind = auth::PrincipalKind::kUser;
      p.via = "session";
      if (role) {
        ASSIGN_OR_RETURN(storage::Row g, tx.QueryOne("INSERT INTO role_grants (user_id, role, area_id, granted_at) "
                                                     "VALUES (?, ?, ?, 0) RETURNING id",
                                                     {u.Int(0), std::string(auth::RoleName(*role)), area}));
        p.grants.push_back({g.Int(0), *role, area});
      }
      return OkStatus();
    }));
    return p;
  }

  // `n` residents of the neighborhood (living there: they may register for its meetings).
  std::vector<auth::Principal> Residents(const std::string& prefix, int n) {
    std::vector<auth::Principal> out;
    for (int i = 0; i < n; ++i) {
      out.push_back(User(prefix + std::to_string(i), auth::Role::kResident, nb_));
      auto conn = db_->Acquire();
      EXPECT_OK(conn);
      EXPECT_OK((*conn)->Execute("INSERT INTO residencies (user_id, area_id, since) VALUES (?, ?, 0)",
                                 {out.back().user_id, nb_}));
    }
    return out;
  }

  struct Owner {
    auth::Principal who;
    int64_t unit = 0;
  };
  // `n` units in `building`, on floors 1.., each with its own owner who has a login.
  std::vector<Owner> Owners(const std::string& prefix, int64_t building, int64_t entrance, int n) {
    std::vector<Owner> out;
    for (int i = 0; i < n; ++i) {
      Owner o;
      o.who = User(prefix + std::to_string(i), auth::Role::kResident, nb_);
      EXPECT_OK(db_->InTransaction([&](storage::Connection& tx) -> Status {
        ASSIGN_OR_RETURN(storage::Row u,
                         tx.QueryOne("INSERT INTO units (entrance_id, building_id, number, floor, "
                                     "area_centi) VALUES (?, ?, ?, ?, 6000) RETURNING id",
                                     {entrance, building, std::to_string(101 + i), int64_t{1 + i / 2}}));
        ASSIGN_OR_RETURN(storage::Row ow, tx.QueryOne("INSERT INTO owners (name, user_id, created_at) VALUES (?, ?, "
                                                      "0) RETURNING id",
                                                      {"业主" + prefix + std::to_string(i), o.who.user_id}));
        o.unit = u.Int(0);
        return tx.Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {u.Int(0), ow.Int(0)}).status();
      }));
      out.push_back(o);
    }
    return out;
  }

  int64_t Count(const std::string& sql, const storage::Params& params) {
    auto conn = db_->Acquire();
    EXPECT_OK(conn);
    auto row = (*conn)->QueryOne(sql, params);
    EXPECT_OK(row);
    return row.ok() ? row->Int(0) : -1;
  }

  // The audit records of `action` on `ref`.
  int64_t Audited(const std::string& action, const std::string& ref) {
    return Count("SELECT COUNT(*) FROM audit_log WHERE action = ? AND object_ref = ?", {action, ref});
  }

  void ExpectChainIntact() {
    auto v = record::VerifyAudit(*db_);
    ASSERT_OK(v);
    ASSERT_TRUE(v->problems.empty()) << v->problems.size() << " problems, first at record " << v->problems.front().id
                                     << ": " << v->problems.front().problem;
    EXPECT_EQ(v->records, Count("SELECT COUNT(*) FROM audit_log", {}));
  }

  FakeClock clock_{kMonday};
  std::unique_ptr<storage::Database> db_;
  int64_t district_ = 0, nb_ = 0, building_ = 0, entrance_ = 0, building2_ = 0, entrance2_ = 0;
  auth::Principal staff_;
};

// ---------------------------------------------------------------------------------------------------------------
// Cases

class CasesRaceTest : public RaceTest {
 protected:
  void SetUp() override {
    RaceTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<cases::CaseService>(*db_, clock_, WorkingCalendar::BuiltIn());
    const auth::Principal sys = auth::SystemPrincipal("test");
    auto unit = service_->CreateUnit(sys, {0, "n-committee", "安化一村居委会", "neighborhood_committee", nb_, true});
    ASSERT_OK(unit);
    lead_unit_ = unit->id;
    member_ = User("member", std::nullopt, 0);
    ASSERT_OK(service_->AddUnitMember(sys, lead_unit_, member_.user_id));
    reporter_ = User("reporter", auth::Role::kResident, nb_);
  }

  int64_t Submit(const std::string& title) {
    cases::NewCase n;
    n.type = "complaint";
    n.category = "property_management";
    n.title = title;
    n.description = "楼道里堆满了杂物，存在消防隐患。";
    n.area_id = building_;
    n.contact_name = "张三丰";
    n.contact_phone = "13812345678";
    n.is_public = true;
    auto c = service_->Submit(reporter_, n);
    EXPECT_OK(c);
    return c.ok() ? c->id : 0;
  }

  // A new public case, dispatched to the committee and signed for: its extension can be requested and refused
  // again and again, each time a full read-modify-write of the case.
  int64_t Signed(const std::string& title) {
    const int64_t id = Submit(title);
    cases::ActionInput dispatch;
    dispatch.lead_unit_id = lead_unit_;
    EXPECT_OK(service_->Act(staff_, id, cases::CaseAction::kDispatch, dispatch));
    EXPECT_OK(service_->Act(member_, id, cases::CaseAction::kSign, {}));
    return id;
  }

  // One round of request (by the lead unit) and refusal (by staff) of an extension.
  void ExtensionRound(int64_t id, Outcomes& out) {
    cases::ActionInput request;
    request.note = "需要协调物业";
    request.extension_days = 3;
    out.Add(service_->Act(member_, id, cases::CaseAction::kRequestExtension, request).status(), "request");
    out.Add(service_->Act(staff_, id, cases::CaseAction::kRefuseExtension, {}).status(), "refuse");
  }

  std::optional<cases::Case> Load(int64_t id) {
    auto d = service_->Get(staff_, id);
    EXPECT_OK(d);
    if (!d.ok()) return std::nullopt;
    return d->c;
  }

  std::unique_ptr<cases::CaseService> service_;
  int64_t lead_unit_ = 0;
  auth::Principal member_, reporter_;
};

// A "me too" counted with `me_too_count + 1` while a workflow action rewrote the case from its stale read: the count
// went back. Now every action locks the case first.
TEST_F(CasesRaceTest, MeTooCountsSurviveConcurrentWorkflowActions) {
  constexpr int kCases = 3, kRounds = 6;
  std::vector<int64_t> ids;
  for (int k = 0; k < kCases; ++k) ids.push_back(Signed("路灯不亮 " + std::to_string(k)));
  const auto people = Residents("me-too-", kThreads - kCases);
  Outcomes workflow({});
  std::vector<std::unique_ptr<Outcomes>> me_too;
  for (int k = 0; k < kCases; ++k) me_too.push_back(std::make_unique<Outcomes>(std::vector<StatusCode>{}));
  RunTogether(kThreads, [&](int t) {
    if (t < kCases) {
      for (int r = 0; r < kRounds; ++r) ExtensionRound(ids[t], workflow);
      return;
    }
    const auth::Principal& who = people[t - kCases];
    for (int k = 0; k < kCases; ++k) {
      const int64_t id = ids[(k + t) % kCases];
      me_too[(k + t) % kCases]->Add(service_->MeToo(who, id).status(), "me too");
    }
  });
  EXPECT_THAT(workflow.unexpected(), ::testing::IsEmpty());
  EXPECT_EQ(workflow.ok(), kCases * kRounds * 2);
  for (int k = 0; k < kCases; ++k) {
    SCOPED_TRACE("case " + std::to_string(ids[k]));
    EXPECT_THAT(me_too[k]->unexpected(), ::testing::IsEmpty());
    EXPECT_EQ(me_too[k]->ok(), kThreads - kCases);
    auto c = Load(ids[k]);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->me_too_count, me_too[k]->ok()) << "a \"me too\" was lost";
    EXPECT_EQ(c->state, cases::CaseState::kSigned);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM case_followers WHERE case_id = ?", {ids[k]}), me_too[k]->ok() + 1);
    const std::string ref = record::Ref("case", ids[k]);
    EXPECT_EQ(Audited("case.me_too", ref), me_too[k]->ok());
    EXPECT_EQ(Audited("case.request_extension", ref), kRounds);
    EXPECT_EQ(Audited("case.refuse_extension", ref), kRounds);
  }
  ExpectChainIntact();
}

// Merging read the duplicate's count once; a "me too" on the duplicate that committed meanwhile was acknowledged
// but neither counted on the kept case nor its person moved there. Now the merge locks both cases (in id order)
// and a "me too" locks its case: it lands before the merge (and moves with it) or is refused after.
TEST_F(CasesRaceTest, MergeAgainstMeTooLosesNoVoice) {
  constexpr int kPairs = 4;
  std::vector<std::pair<int64_t, int64_t>> pairs;  // {duplicate, kept}
  for (int k = 0; k < kPairs; ++k) {
    const int64_t kept = Submit("楼道堆物 " + std::to_string(k));
    const int64_t dup = Submit("楼道里堆了东西 " + std::to_string(k));
    pairs.push_back({dup, kept});
  }
  const auto people = Residents("voice-", kThreads - 1);
  Outcomes merges({});
  // Per pair: the me-toos acknowledged on the duplicate and on the kept case.
  std::vector<std::unique_ptr<Outcomes>> on_dup, on_kept;
  for (int k = 0; k < kPairs; ++k) {
    on_dup.push_back(std::make_unique<Outcomes>(std::vector<StatusCode>{StatusCode::kFailedPrecondition}));
    on_kept.push_back(std::make_unique<Outcomes>(std::vector<StatusCode>{}));
  }
  RunTogether(kThreads, [&](int t) {
    if (t == 0) {
      for (int k = 0; k < kPairs; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3));
        merges.Add(service_->Merge(staff_, pairs[k].first, pairs[k].second, "同一问题").status(), "merge");
      }
      return;
    }
    const auth::Principal& who = people[t - 1];
    for (int k = 0; k < kPairs; ++k) {
      if (t % 2 == 0) {
        on_dup[k]->Add(service_->MeToo(who, pairs[k].first).status(), "me too on the duplicate");
      } else {
        on_kept[k]->Add(service_->MeToo(who, pairs[k].second).status(), "me too on the kept case");
      }
    }
  });
  EXPECT_THAT(merges.unexpected(), ::testing::IsEmpty());
  EXPECT_EQ(merges.ok(), kPairs);
  for (int k = 0; k < kPairs; ++k) {
    const auto [dup, kept] = pairs[k];
    SCOPED_TRACE("duplicate " + std::to_string(dup) + " into " + std::to_string(kept));
    EXPECT_THAT(on_dup[k]->unexpected(), ::testing::IsEmpty());
    EXPECT_THAT(on_kept[k]->unexpected(), ::testing::IsEmpty());
    auto d = Load(dup);
    auto c = Load(kept);
    ASSERT_TRUE(d && c);
    EXPECT_EQ(d->state, cases::CaseState::kClosed);
    EXPECT_EQ(d->merged_into, kept);
    EXPECT_EQ(d->me_too_count, on_dup[k]->ok());
    // The kept case counts its own me-toos, the duplicate's, and the duplicate's reporter.
    EXPECT_EQ(c->me_too_count, on_kept[k]->ok() + on_dup[k]->ok() + 1) << "a \"me too\" was lost in the merge";
    // Every acknowledged voice follows the kept case: its reporter (also the duplicate's) and everyone who said
    // "me too" on either.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM case_followers WHERE case_id = ?", {kept}),
              1 + on_kept[k]->ok() + on_dup[k]->ok());
    EXPECT_EQ(Audited("case.me_too", record::Ref("case", dup)), on_dup[k]->ok());
    EXPECT_EQ(Audited("case.me_too", record::Ref("case", kept)), on_kept[k]->ok());
    EXPECT_EQ(Audited("case.merge", record::Ref("case", dup)), 1);
  }
  ExpectChainIntact();
}

// The overdue job marked a case while a workflow action rewrote it from its read before the mark: overdue_since went
// back to NULL, and the next run marked (and counted) the same lateness again.
TEST_F(CasesRaceTest, OverdueMarkSurvivesConcurrentWorkflowActions) {
  constexpr int kCases = 8, kRounds = 4;
  std::vector<int64_t> ids;
  for (int k = 0; k < kCases; ++k) ids.push_back(Signed("电梯故障 " + std::to_string(k)));
  clock_.Advance(std::chrono::hours(24 * 90));  // every reply deadline has passed
  Outcomes workflow({});
  int64_t marked = 0;
  Status job;
  RunTogether(kCases + 1, [&](int t) {
    if (t == kCases) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      auto report = service_->RunOverdue();
      job = report.status();
      if (report.ok()) marked = report->marked;
      return;
    }
    for (int r = 0; r < kRounds; ++r) ExtensionRound(ids[t], workflow);
  });
  ASSERT_OK(job);
  EXPECT_EQ(marked, kCases);
  EXPECT_THAT(workflow.unexpected(), ::testing::IsEmpty());
  EXPECT_EQ(workflow.ok(), kCases * kRounds * 2);
  for (int64_t id : ids) {
    SCOPED_TRACE("case " + std::to_string(id));
    auto c = Load(id);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->overdue_since.has_value()) << "the overdue mark was lost";
    EXPECT_EQ(c->overdue_count, 1);
    EXPECT_EQ(Audited("case.overdue", record::Ref("case", id)), 1);
  }
  // Nothing is left to mark: the same lateness is never counted twice.
  auto again = service_->RunOverdue();
  ASSERT_OK(again);
  EXPECT_EQ(again->marked, 0);
  ExpectChainIntact();
}

// ---------------------------------------------------------------------------------------------------------------
// Ballots

// A vote acknowledged while the ballot was being closed could miss the stored result: the close counted the votes
// committed when it read them. Now Cast and Close take the ballot's row lock first: a vote lands before the count or
// is refused after it.
TEST_F(RaceTest, BallotsEveryAcknowledgedVoteIsInTheStoredResult) {
  decisions::BallotService ballots(*db_, clock_);
  const auto owners = Owners("o", building_, entrance_, kThreads - 1);
  constexpr int kBallots = 3;
  for (int round = 0; round < kBallots; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    decisions::NewBallot nb;
    nb.title = "加装电梯 " + std::to_string(round);
    nb.matter = 8;
    nb.area_id = building_;
    nb.closes_at = clock_.Now() + std::chrono::hours(24 * 7);
    auto created = ballots.Create(staff_, nb);
    ASSERT_OK(created);
    const int64_t id = created->id;
    ASSERT_OK(ballots.Open(staff_, id));
    Outcomes casts({StatusCode::kFailedPrecondition});  // "ballot closed"
    Outcomes close({});
    RunTogether(kThreads, [&](int t) {
      if (t == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2 + 2 * round));
        close.Add(ballots.Close(staff_, id).status(), "close");
        return;
      }
      const decisions::Choice choice = t % 3 == 0 ? decisions::Choice::kDisagree : decisions::Choice::kAgree;
      casts.Add(ballots.Cast(owners[t - 1].who, id, choice).status(), "cast");
    });
    EXPECT_THAT(casts.unexpected(), ::testing::IsEmpty());
    ASSERT_EQ(close.ok(), 1);
    auto result = ballots.Result(id);
    ASSERT_OK(result);
    EXPECT_EQ(result->stored["ballots_by_channel"]["online"].get<int64_t>(), casts.ok())
        << "an acknowledged vote is missing from the stored result";
    // No vote is stored that was not acknowledged, and every acknowledged one is audited.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM ballot_votes WHERE ballot_id = ?", {id}), casts.ok());
    EXPECT_EQ(Audited("ballot.vote.online", record::Ref("ballot", id)), casts.ok());
    EXPECT_EQ(Audited("ballot.close", record::Ref("ballot", id)), 1);
    // After the close, a vote is refused.
    EXPECT_THAT(ballots.Cast(owners[0].who, id, decisions::Choice::kAgree),
                ::ningju::testing::StatusIs(StatusCode::kFailedPrecondition));
  }
  ExpectChainIntact();
}

// ---------------------------------------------------------------------------------------------------------------
// Meetings

// Registrations and sign-ins at once: each acknowledged one is on its list and audited; the first sign-ins (which
// all saw a noticed meeting) hold it once, not once each; and no registration is acknowledged after the meeting was
// held (registration is for a noticed meeting only).
TEST_F(RaceTest, MeetingsRegistrationsAndSignInsAtOnceAreAllRecordedAndTheMeetingIsHeldOnce) {
  decisions::MeetingService meetings(*db_, clock_);
  const auto people = Residents("r", kThreads / 2);
  constexpr int kMeetings = 3;
  for (int round = 0; round < kMeetings; ++round) {
    SCOPED_TRACE("meeting " + std::to_string(round));
    const Instant start = kMonday + std::chrono::hours(24 * (30 + round));
    clock_.Set(start - std::chrono::hours(24 * 20));
    decisions::MeetingInput in;
    in.kind = "hearing";
    in.subject = "停车收费方案听证会";
    in.area_id = nb_;
    in.starts_at = start;
    in.ends_at = start + std::chrono::minutes(90);
    in.place = "居委会议事厅";
    in.agenda = {"物业公司说明方案"};
    auto m = meetings.Create(staff_, in);
    ASSERT_OK(m);
    const int64_t id = m->id;
    ASSERT_OK(meetings.Notice(staff_, id));
    clock_.Set(start - std::chrono::minutes(30));  // sign-in is open and registration not yet closed
    // Registration closes with the first sign-in (the meeting is then held).
    Outcomes registrations({StatusCode::kFailedPrecondition});
    Outcomes sign_ins({});
    RunTogether(kThreads, [&](int t) {
      if (t % 2 == 0) {
        registrations.Add(meetings.Register(people[t / 2], id).status(), "register");
      } else {
        decisions::SignInInput s;
        s.name = "来宾" + std::to_string(t);
        s.role = "guest";
        sign_ins.Add(meetings.SignIn(staff_, id, s).status(), "sign in");
      }
    });
    EXPECT_THAT(registrations.unexpected(), ::testing::IsEmpty());
    EXPECT_THAT(sign_ins.unexpected(), ::testing::IsEmpty());
    EXPECT_EQ(sign_ins.ok(), kThreads / 2);
    const std::string ref = record::Ref("meeting", id);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_registrations WHERE meeting_id = ?", {id}), registrations.ok());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = ?", {id}), sign_ins.ok());
    EXPECT_EQ(Audited("meeting.register", ref), registrations.ok());
    EXPECT_EQ(Audited("meeting.sign_in", ref), sign_ins.ok());
    EXPECT_EQ(Audited("meeting.hold", ref), 1) << "the meeting was held more than once";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM meetings WHERE id = ? AND state = 'held'", {id}), 1);
    // The audit chain is in commit order: every registration committed before the meeting was held.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log r WHERE r.action = 'meeting.register' AND r.object_ref = ? AND "
                    "r.id > (SELECT MIN(h.id) FROM audit_log h WHERE h.action = 'meeting.hold' AND h.object_ref = ?)",
                    {ref, ref}),
              0)
        << "a registration was acknowledged after the meeting was held";
  }
  ExpectChainIntact();
}

// ---------------------------------------------------------------------------------------------------------------
// The elevator's intention survey

// Answers while staff complete the survey: the completion's figures count every acknowledged answer, and an
// answer after it is refused.
TEST_F(RaceTest, ElevatorEveryAcknowledgedSurveyAnswerIsCounted) {
  decisions::ElevatorService elevator(*db_, clock_);
  const std::vector<std::pair<int64_t, int64_t>> buildings = {{building_, entrance_}, {building2_, entrance2_}};
  for (size_t round = 0; round < buildings.size(); ++round) {
    SCOPED_TRACE("building " + std::to_string(buildings[round].first));
    const auto owners =
        Owners("e" + std::to_string(round) + "-", buildings[round].first, buildings[round].second, kThreads - 1);
    auto p = elevator.Create(staff_, buildings[round].first, "加装电梯");
    ASSERT_OK(p);
    const int64_t id = p->id;
    decisions::Completion feasible;
    feasible.grade = "A";
    ASSERT_OK(elevator.Complete(staff_, id, decisions::Step::kFeasibility, feasible));
    Outcomes answers({StatusCode::kFailedPrecondition});  // "the intention survey is not under way"
    Outcomes complete({});
    RunTogether(kThreads, [&](int t) {
      if (t == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(3 + 3 * static_cast<int>(round)));
        // Refused while no answer is recorded yet; try again until one is.
        for (int attempt = 0; attempt < 200; ++attempt) {
          Status s = elevator.Complete(staff_, id, decisions::Step::kSurvey, {}).status();
          if (s.code() == StatusCode::kFailedPrecondition) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          complete.Add(s, "complete the survey");
          return;
        }
        return;
      }
      const auto intention = t % 4 == 0 ? decisions::Intention::kUnwilling : decisions::Intention::kWilling;
      answers.Add(elevator.Answer(owners[t - 1].who, id, owners[t - 1].unit, intention), "answer");
    });
    EXPECT_THAT(answers.unexpected(), ::testing::IsEmpty());
    ASSERT_EQ(complete.ok(), 1);
    auto conn = db_->Acquire();
    ASSERT_OK(conn);
    auto step = (*conn)->QueryOne("SELECT data FROM elevator_steps WHERE project_id = ? AND step = 'survey'", {id});
    ASSERT_OK(step);
    const auto data = nlohmann::json::parse(step->Text(0));
    int64_t counted = 0;
    for (const auto& [answer, n] : data["answers"].items()) counted += n.get<int64_t>();
    EXPECT_EQ(counted, answers.ok()) << "an acknowledged answer is missing from the survey's figures";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM elevator_survey_answers WHERE project_id = ?", {id}), answers.ok());
    EXPECT_EQ(Audited("elevator.survey.answer", record::Ref("elevator", id)), answers.ok());
  }
  ExpectChainIntact();
}

}  // namespace
}  // namespace ningju
