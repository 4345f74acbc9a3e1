// The demo's cases (cases.h SeedDemoCases): units, members, routing, and cases driven through the real workflow.
#include <algorithm>
#include <array>
#include <map>

#include "governance/cases/cases.h"
#include "record/record.h"

namespace ningju::cases {
namespace {

// splitmix64, as in app/demo.cc: the same sequence on every platform for a seed.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed ^ 0x63617365735eedULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Between(1, 100) <= percent; }

 private:
  uint64_t state_;
};

struct Department {
  const char* code;
  const char* name;
  std::array<const char*, 3> categories;  // routed to it district-wide ("" = none)
};

constexpr std::array<Department, 7> kDepartments = {{
    {"housing", "区房屋管理局", {"property_management", "housing_repair", "elevator_retrofit"}},
    {"greenery", "区绿化和市容管理局", {"greenery", "sanitation", ""}},
    {"enforcement", "区城管执法局", {"illegal_construction", "", ""}},
    {"environment", "区生态环境局", {"noise", "", ""}},
    {"construction", "区建设和管理委员会", {"public_facilities", "water_power_gas", ""}},
    {"emergency", "区应急管理局", {"safety_hazard", "", ""}},
    {"civil", "区民政局", {"elderly_care", "", ""}},
}};

struct Sample {
  const char* category;
  const char* title;
  const char* description;
};

constexpr std::array<Sample, 16> kSamples = {{
    {"property_management", "楼道堆物长期无人清理",
     "楼道里堆满纸箱和旧家具，物业多次答应清理但一直没有处理，存在消防隐患。"},
    {"property_management", "物业费公示不清", "物业公司没有公示上一年度物业费收支情况，业主无法了解费用去向。"},
    {"sanitation", "垃圾箱房气味大", "小区垃圾箱房清运不及时，夏天气味很大，蚊蝇多。"},
    {"sanitation", "建筑垃圾乱堆放", "装修产生的建筑垃圾堆在绿化带旁边，已经一个多星期。"},
    {"greenery", "大树遮挡采光需修剪", "楼前的香樟树长得太高，遮挡了低层住户的采光，请安排修剪。"},
    {"parking", "消防通道被占用停车", "晚上经常有车辆停在消防通道上，救护车进不来。"},
    {"parking", "非机动车充电难", "小区没有集中充电桩，居民只能飞线充电，很不安全。"},
    {"noise", "夜间施工噪声扰民", "附近工地晚上十点以后还在施工，噪声很大影响休息。"},
    {"noise", "广场舞音响太响", "小区广场舞音响音量过大，持续到晚上九点半。"},
    {"elevator_retrofit", "申请加装电梯进展", "我们楼已经征得大部分业主同意，想了解加装电梯的审批进展。"},
    {"safety_hazard", "外墙瓷砖脱落", "外墙瓷砖有脱落迹象，下面是人行通道，存在高空坠物风险。"},
    {"neighbour_dispute", "楼上漏水协商未果", "楼上卫生间漏水到我家天花板，多次沟通未果，希望居委会协调。"},
    {"illegal_construction", "顶楼违章搭建", "顶楼住户在屋顶搭建了阳光房，影响楼道防水。"},
    {"water_power_gas", "水压不足", "高峰时段水压很低，五楼以上几乎没有水。"},
    {"public_facilities", "路灯损坏", "小区主干道两盏路灯不亮，晚上出行不便。"},
    {"elderly_care", "助餐点服务咨询", "想咨询社区长者助餐点的开放时间和报名方式。"},
}};

// The target of each demo case, with its weight out of 100.
enum class Target {
  kSubmitted,
  kAccepted,
  kRejected,
  kAnswered,
  kDispatched,
  kSigned,
  kInProgress,
  kReplied,
  kClosed,
  kReturned,
  kReopened
};
constexpr std::array<std::pair<Target, int>, 11> kTargets = {{
    {Target::kSubmitted, 8},
    {Target::kAccepted, 4},
    {Target::kRejected, 4},
    {Target::kAnswered, 5},
    {Target::kDispatched, 9},
    {Target::kSigned, 9},
    {Target::kInProgress, 10},
    {Target::kReplied, 10},
    {Target::kClosed, 31},
    {Target::kReturned, 4},
    {Target::kReopened, 6},
}};

Target PickTarget(Rng& rng) {
  int64_t roll = rng.Between(1, 100);
  for (const auto& [t, w] : kTargets) {
    if (roll <= w) return t;
    roll -= w;
  }
  return Target::kClosed;
}

}  // namespace

StatusOr<std::vector<DemoUnitAccount>> SeedDemoCases(storage::Database& db, const Clock& clock, uint64_t seed,
                                                     int count, const std::string& password_hash) {
  Rng rng(seed);
  const Instant now = clock.Now();
  const Instant start = now - std::chrono::days(60);
  std::vector<DemoUnitAccount> accounts;
  std::vector<int64_t> neighborhoods;
  std::map<int64_t, std::vector<int64_t>> buildings;  // neighborhood -> buildings
  std::vector<int64_t> residents;
  const auth::Principal sys = auth::SystemPrincipal("demo");

  RETURN_IF_ERROR(db.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row district,
                     tx.QueryOne("SELECT id FROM areas WHERE parent_id IS NULL ORDER BY id LIMIT 1"));
    const int64_t district_id = district.Int(0);
    auto add_unit = [&](const std::string& code, const std::string& name, const char* kind,
                        int64_t area) -> StatusOr<int64_t> {
      ASSIGN_OR_RETURN(storage::Row u,
                       tx.QueryOne("INSERT INTO handling_units (code, name, kind, area_id, created_at) VALUES "
                                   "(?, ?, ?, ?, ?) RETURNING id",
                                   {code, name, std::string(kind), area, ToUnix(start)}));
      return u.Int(0);
    };
    auto add_member = [&](int64_t unit, const std::string& login, const std::string& name) -> Status {
      ASSIGN_OR_RETURN(auto existing, tx.QueryOptional("SELECT id FROM users WHERE username = ?", {login}));
      int64_t user = 0;
      if (existing) {
        user = existing->Int(0);
      } else {
        ASSIGN_OR_RETURN(storage::Row u,
                         tx.QueryOne("INSERT INTO users (username, display_name, password_hash, created_at) "
                                     "VALUES (?, ?, ?, ?) RETURNING id",
                                     {login, name + "经办人", password_hash, ToUnix(start)}));
        user = u.Int(0);
        accounts.push_back({login, name});
      }
      return tx
          .Execute("INSERT INTO handling_unit_members (unit_id, user_id, added_at) VALUES (?, ?, ?)",
                   {unit, user, ToUnix(start)})
          .status();
    };
    auto add_rule = [&](const std::string& category, int64_t area, int64_t lead,
                        const std::vector<int64_t>& co) -> Status {
      return tx
          .Execute(
              "INSERT INTO case_routing_rules (category, area_id, lead_unit_id, co_unit_ids, created_at) "
              "VALUES (?, ?, ?, ?, ?)",
              {category, area, lead, nlohmann::json(co).dump(), ToUnix(start)})
          .status();
    };
    for (const Department& d : kDepartments) {
      ASSIGN_OR_RETURN(int64_t unit, add_unit(std::string("dept-") + d.code, d.name, "department", district_id));
      RETURN_IF_ERROR(add_member(unit, std::string("unit-") + d.code, d.name));
      for (const char* cat : d.categories) {
        if (*cat) RETURN_IF_ERROR(add_rule(cat, district_id, unit, {}));
      }
    }
    ASSIGN_OR_RETURN(storage::Result sds, tx.Execute("SELECT id, code, name FROM areas WHERE kind = 'subdistrict' "
                                                     "ORDER BY sort_key, id"));
    for (const auto& sd : sds.rows) {
      const std::string slug = sd.Text(1).substr(sd.Text(1).find('-') + 1);
      ASSIGN_OR_RETURN(int64_t office,
                       add_unit("office-" + slug, sd.Text(2) + "办事处", "subdistrict_office", sd.Int(0)));
      RETURN_IF_ERROR(add_member(office, "unit-" + slug, sd.Text(2) + "办事处"));
      RETURN_IF_ERROR(add_rule("parking", sd.Int(0), office, {}));
      ASSIGN_OR_RETURN(storage::Result nbs, tx.Execute("SELECT id, code, name FROM areas WHERE parent_id = ? AND "
                                                       "kind = 'neighborhood' ORDER BY sort_key, id",
                                                       {sd.Int(0)}));
      for (size_t i = 0; i < nbs.rows.size(); ++i) {
        const auto& nb = nbs.rows[i];
        neighborhoods.push_back(nb.Int(0));
        ASSIGN_OR_RETURN(int64_t committee, add_unit("committee-" + nb.Text(1), nb.Text(2) + "居委会",
                                                     "neighborhood_committee", nb.Int(0)));
        // Neighbour disputes go to the committee first, with the subdistrict office assisting.
        RETURN_IF_ERROR(add_rule("neighbour_dispute", nb.Int(0), committee, {office}));
        // The demo's neighborhood staff account acts for the committee of its neighborhood.
        if (i == 0) RETURN_IF_ERROR(add_member(committee, "nb-" + slug, nb.Text(2) + "居委会"));
      }
    }
    ASSIGN_OR_RETURN(storage::Result bs, tx.Execute("SELECT b.id, b.parent_id FROM areas b WHERE b.kind = "
                                                    "'building' ORDER BY b.id"));
    for (const auto& b : bs.rows) buildings[b.Int(1)].push_back(b.Int(0));
    ASSIGN_OR_RETURN(storage::Result rs,
                     tx.Execute("SELECT id FROM users WHERE username LIKE 'resident%' ORDER BY id"));
    for (const auto& r : rs.rows) residents.push_back(r.Int(0));
    return record::Audit(tx, now, record::Actor::System("demo"), "cases.demo", "handling_units",
                         {{"units", accounts.size()}});
  }));
  if (neighborhoods.empty()) return FailedPreconditionError("the demo district has no neighborhoods");

  // Cases in time order over the last 60 days, each driven through the workflow with the clock moved forward.
  FakeClock fake(start);
  CaseService service(db, fake, WorkingCalendar::BuiltIn());
  std::vector<int64_t> offsets;
  for (int i = 0; i < count; ++i) offsets.push_back(rng.Between(0, 59 * 24 * 3600));
  std::sort(offsets.begin(), offsets.end());
  auto step = [&](int64_t id, CaseAction a, ActionInput in, int max_hours) -> Status {
    fake.Advance(std::chrono::minutes(rng.Between(10, max_hours * 60)));
    if (fake.Now() > now) fake.Set(now);
    return service.Act(sys, id, a, in).status();
  };
  auto note = [](const char* text) {
    ActionInput in;
    in.note = text;
    return in;
  };
  for (int i = 0; i < count; ++i) {
    fake.Set(start + std::chrono::seconds(offsets[i]));
    const Sample& s = kSamples[rng.Next() % kSamples.size()];
    const int64_t nb = neighborhoods[rng.Next() % neighborhoods.size()];
    const auto& bl = buildings[nb];
    NewCase n;
    n.category = s.category;
    n.title = s.title;
    n.description = s.description;
    n.type = std::string(s.category) == "elderly_care" ? "enquiry" : (rng.Chance(15) ? "suggestion" : "complaint");
    n.area_id = bl.empty() ? nb : bl[rng.Next() % bl.size()];
    n.urgency = std::string(s.category) == "safety_hazard" ? "urgent" : (rng.Chance(3) ? "emergency" : "normal");
    n.is_public = rng.Chance(60);
    n.contact_name = std::string("居民") + std::to_string(i + 1);
    n.contact_phone = "139" + std::to_string(10000000 + rng.Between(0, 89999999));
    auth::Principal reporter;
    if (!residents.empty() && rng.Chance(20)) {
      reporter = auth::Principal::User(residents[rng.Next() % residents.size()], "");
      n.channel = "web";
    } else {
      static constexpr std::array<const char*, 5> kChannels = {"web", "door_qr", "phone", "visit", "reception"};
      n.channel = kChannels[rng.Next() % kChannels.size()];
      reporter = n.channel == std::string("web") || n.channel == std::string("door_qr") ? auth::Principal{} : sys;
    }
    Target target = PickTarget(rng);
    if (target == Target::kAnswered) n.type = "enquiry";
    ASSIGN_OR_RETURN(Case c, service.Submit(reporter, n));
    const int64_t id = c.id;
    switch (target) {
      case Target::kSubmitted:
        continue;
      case Target::kAccepted:
        RETURN_IF_ERROR(step(id, CaseAction::kAccept, {}, 4));
        continue;
      case Target::kRejected:
        RETURN_IF_ERROR(step(id, CaseAction::kReject, note("不属于本平台受理范围，已告知诉求人通过法律途径解决。"), 8));
        continue;
      case Target::kAnswered:
        RETURN_IF_ERROR(step(id, CaseAction::kAnswer, note("已电话答复：社区长者助餐点工作日11:00-13:00开放。"), 4));
        continue;
      default:
        break;
    }
    RETURN_IF_ERROR(step(id, CaseAction::kAccept, {}, 3));
    RETURN_IF_ERROR(step(id, CaseAction::kDispatch, {}, 20));
    if (target == Target::kDispatched) continue;
    if (target == Target::kReturned) {
      RETURN_IF_ERROR(step(id, CaseAction::kReturn, note("经核实不属于本单位职责。"), 20));
      continue;
    }
    RETURN_IF_ERROR(step(id, CaseAction::kSign, {}, rng.Chance(85) ? 20 : 40));
    if (target == Target::kSigned) continue;
    RETURN_IF_ERROR(step(id, CaseAction::kStart, {}, 24));
    if (target == Target::kInProgress) continue;
    RETURN_IF_ERROR(
        step(id, CaseAction::kReply, note("已现场核实并处理完毕，已与诉求人联系说明。"), rng.Chance(80) ? 72 : 240));
    if (target == Target::kReplied) continue;
    ActionInput rating;
    const bool unhappy = target == Target::kReopened || rng.Chance(8);
    rating.resolved = !unhappy;
    rating.satisfaction = unhappy ? "dissatisfied" : (rng.Chance(70) ? "satisfied" : "basically_satisfied");
    rating.note = unhappy ? "问题没有解决。" : "处理及时，谢谢。";
    RETURN_IF_ERROR(step(id, CaseAction::kFollowUp, rating, 48));
    if (!unhappy) RETURN_IF_ERROR(step(id, CaseAction::kClose, {}, 24));
  }
  fake.Set(now);
  RETURN_IF_ERROR(service.RunOverdue().status());
  return accounts;
}

}  // namespace ningju::cases
