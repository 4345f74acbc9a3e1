// The demo's elevator ballot (ballots.h SeedDemoBallot).
#include "governance/decisions/ballots.h"

namespace ningju::decisions {

StatusOr<std::vector<std::string>> SeedDemoBallot(storage::Connection& tx, Instant now,
                                                  const std::string& password_hash) {
  std::vector<std::string> logins;
  ASSIGN_OR_RETURN(auto home, tx.QueryOptional("SELECT u.building_id FROM users us JOIN owners o ON o.user_id = us.id "
                                               "JOIN unit_owners uo ON uo.owner_id = o.id "
                                               "JOIN units u ON u.id = uo.unit_id "
                                               "WHERE us.username = 'resident1' ORDER BY u.id LIMIT 1"));
  if (!home) return logins;
  const int64_t building = home->Int(0);
  ASSIGN_OR_RETURN(storage::Row building_row,
                   tx.QueryOne("SELECT parent_id, name FROM areas WHERE id = ?", {building}));
  const int64_t neighborhood = building_row.Int(0);
  const record::Actor actor = record::Actor::System("demo");

  // Logins for the building's owners who have none, in the order of their first unit.
  ASSIGN_OR_RETURN(auto owners, tx.Execute("SELECT o.id, MIN(u.id) FROM owners o "
                                           "JOIN unit_owners uo ON uo.owner_id = o.id "
                                           "JOIN units u ON u.id = uo.unit_id "
                                           "WHERE u.building_id = ? AND o.user_id IS NULL "
                                           "GROUP BY o.id ORDER BY MIN(u.id), o.id",
                                           {building}));
  for (const auto& o : owners.rows) {
    const std::string login = "owner" + std::to_string(logins.size() + 1);
    ASSIGN_OR_RETURN(storage::Row user, tx.QueryOne("INSERT INTO users (username, display_name, password_hash, "
                                                    "created_at) VALUES (?, ?, ?, ?) RETURNING id",
                                                    {login, "业主 " + login, password_hash, ToUnix(now)}));
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO role_grants (user_id, role, area_id, granted_at) "
                   "VALUES (?, 'resident', ?, ?)",
                   {user.Int(0), neighborhood, ToUnix(now)}));
    RETURN_IF_ERROR(tx.Execute("INSERT INTO residencies (user_id, area_id, since) VALUES (?, ?, ?)",
                               {user.Int(0), neighborhood, ToUnix(now)}));
    RETURN_IF_ERROR(tx.Execute("UPDATE owners SET user_id = ? WHERE id = ?", {user.Int(0), o.Int(0)}));
    logins.push_back(login);
  }

  // The ballot: item 7 of art. 278 ¶1 (an elevator is a rebuilding of the building's facilities), two weeks to vote.
  const Instant closes = now + std::chrono::hours(24 * 14);
  const std::string title = building_row.Text(1) + "加装电梯表决";
  ASSIGN_OR_RETURN(
      storage::Row row,
      tx.QueryOne("INSERT INTO ballots (area_id, neighborhood_id, title, description, matter, state, "
                  "closes_at, notice_days, created_at, updated_at) "
                  "VALUES (?, ?, ?, ?, 7, 'draft', ?, 7, ?, ?) RETURNING id",
                  {building, neighborhood, title,
                   std::string("本楼加装一部电梯，方案已在楼道公示。按民法典第二百七十八条第一款第七项表决："
                               "参与表决的业主须占本楼专有部分面积和人数的三分之二以上，"
                               "同意的须占参与表决面积和人数的四分之三以上。"),
                   ToUnix(closes), ToUnix(now), ToUnix(now)}));
  const int64_t id = row.Int(0);
  const std::string ref = record::Ref("ballot", id);
  RETURN_IF_ERROR(record::Audit(tx, now, actor, "ballot.create", ref, {{"title", title}, {"area_id", building}}));
  RETURN_IF_ERROR(record::AddEvent(tx, ref, now, actor, "created", title));
  OwnersBallot ballot;
  ballot.id = id;
  ballot.area_id = building;
  ballot.neighborhood_id = neighborhood;
  ballot.matter = Matter::kRebuild;
  ballot.state = BallotState::kDraft;
  ballot.closes_at = closes;
  RETURN_IF_ERROR(internal::FreezeAndOpen(tx, ballot, now, actor));

  // resident1 and owner1 agree online; owner2 abstains.
  int cast = 0;
  for (const std::string login : {"resident1", "owner1", "owner2"}) {
    ASSIGN_OR_RETURN(auto voter, tx.QueryOptional("SELECT bo.voter, us.id FROM ballot_owners bo "
                                                  "JOIN owners o ON o.id = bo.owner_id "
                                                  "JOIN users us ON us.id = o.user_id "
                                                  "WHERE bo.ballot_id = ? AND us.username = ? LIMIT 1",
                                                  {id, login}));
    if (!voter) continue;
    RETURN_IF_ERROR(internal::RecordVote(tx, ballot, voter->Text(0), cast < 2 ? Choice::kAgree : Choice::kAbstain,
                                         Channel::kOnline, "", std::nullopt, now, record::Actor::User(voter->Int(1)))
                        .status());
    ++cast;
  }
  return logins;
}

}  // namespace ningju::decisions
