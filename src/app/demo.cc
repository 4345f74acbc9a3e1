#include "app/demo.h"

#include <array>
#include <set>

#include "auth/roles.h"
#include "governance/areas/area_writer.h"
#include "governance/cases/cases.h"
#include "governance/decisions/ballots.h"
#include "governance/decisions/elevator.h"
#include "governance/decisions/meetings.h"
#include "record/record.h"

namespace ningju::app {
namespace {

// splitmix64: a tiny generator whose output is the same on every platform and library version, unlike the
// distributions of <random>, so that a seed always gives the same district.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(int percent) { return Between(1, 100) <= percent; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Next() % N];
  }

 private:
  uint64_t state_;
};

struct SubdistrictSeed {
  const char* name;
  const char* slug;
  const char* kind;  // street | town
  int neighborhoods;
  const char* signature_project;
};

// The 10 subdistricts and towns of Changning; 185 neighborhoods in all.
constexpr std::array<SubdistrictSeed, 10> kSubdistricts = {{
    {"华阳路街道", "huayang", "street", 21, "“家门口”服务站与楼组自治"},
    {"江苏路街道", "jiangsu", "street", 14, "历史风貌区“微更新”议事"},
    {"新华路街道", "xinhua", "street", 18, "社区规划师与“睦邻微空间”"},
    {"周家桥街道", "zhoujiaqiao", "street", 19, "“三会”制度与加装电梯"},
    {"天山路街道", "tianshan", "street", 20, "“天山议事厅”协商平台"},
    {"仙霞新村街道", "xianxia", "street", 24, "“虹仙”睦邻中心与民情日记"},
    {"虹桥街道", "hongqiao", "street", 19, "基层立法联系点“全过程”参与"},
    {"程家桥街道", "chengjiaqiao", "street", 10, "“美丽家园”精品小区建设"},
    {"北新泾街道", "beixinjing", "street", 16, "“数字孪生”社区治理"},
    {"新泾镇", "xinjing", "town", 24, "“家门口工程”项目共建"},
}};

constexpr std::array<const char*, 48> kRoads = {
    "安化", "长宁", "定西", "法华", "延安西", "江苏", "愚园",   "武夷", "番禺",   "新华", "凯旋",   "天山",
    "仙霞", "茅台", "虹桥", "古北", "哈密",   "剑河", "新泾",   "平塘", "天山西", "协和", "淞虹",   "福泉",
    "金钟", "绥宁", "水城", "遵义", "娄山关", "威宁", "芙蓉江", "青溪", "古羊",   "玉屏", "中山西", "昭化",
    "利西", "宣化", "镇宁", "华山", "泉口",   "广顺", "北翟",   "双流", "紫云",   "虹古", "万航渡", "姚家角"};
constexpr std::array<const char*, 8> kSuffixes = {"一村", "二村", "三村", "新村", "苑", "小区", "公寓", "坊"};
constexpr std::array<const char*, 24> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                                                   "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
                                                   "何", "高", "林", "罗", "沈", "陆", "顾", "钱"};
constexpr std::array<const char*, 32> kGiven = {
    "伟", "芳",   "娜", "敏", "静", "丽",   "强",   "磊",   "军",   "洋", "勇", "艳", "杰",   "娟",   "涛",   "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "玉兰", "国强", "文", "华", "红", "建国", "志强", "海燕", "秀兰"};

std::string Pad(int64_t n, int width) {
  std::string s = std::to_string(n);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

}  // namespace

StatusOr<DemoReport> CreateDemo(storage::Database& db, const Clock& clock, uint64_t seed, DemoScale scale,
                                auth::PasswordCost cost) {
  Rng rng(seed);
  const Instant now = clock.Now();
  // One hash for every demo account: they share the published demo password, and hashing dozens of times at the
  // interactive cost would slow the first start for nothing.
  ASSIGN_OR_RETURN(std::string password_hash, auth::HashPassword(kDemoPassword, cost));
  DemoReport report;
  report.password = kDemoPassword;

  RETURN_IF_ERROR(db.InTransaction([&](storage::Connection& tx) -> Status {
    ASSIGN_OR_RETURN(storage::Row existing, tx.QueryOne("SELECT COUNT(*) FROM areas"));
    if (existing.Int(0) > 0) {
      return FailedPreconditionError("the database already holds an area tree; use a new database for the demo");
    }
    auto add_user = [&](const std::string& login, const std::string& name) -> StatusOr<int64_t> {
      ASSIGN_OR_RETURN(storage::Row u,
                       tx.QueryOne("INSERT INTO users (username, display_name, password_hash, created_at) "
                                   "VALUES (?, ?, ?, ?) RETURNING id",
                                   {login, name, password_hash, ToUnix(now)}));
      return u.Int(0);
    };
    auto grant = [&](int64_t user, auth::Role role, int64_t area) -> Status {
      return tx
          .Execute("INSERT INTO role_grants (user_id, role, area_id, granted_at) VALUES (?, ?, ?, ?)",
                   {user, std::string(auth::RoleName(role)), area, ToUnix(now)})
          .status();
    };
    auto account = [&](const std::string& login, const std::string& name, auth::Role role, int64_t area,
                       const std::string& scope) -> StatusOr<int64_t> {
      ASSIGN_OR_RETURN(int64_t id, add_user(login, name));
      RETURN_IF_ERROR(grant(id, role, area));
      report.accounts.push_back({login, std::string(auth::RoleName(role)), scope});
      return id;
    };

    auto insert = [&](std::optional<int64_t> parent, const char* kind, std::string code, std::string name,
                      int64_t sort_key, std::string subkind = "", std::string project = "", std::string address = "",
                      int64_t floors = 0) {
      return areas::InsertArea(tx,
                               {parent, kind, std::move(code), std::move(name), std::move(subkind), std::move(project),
                                std::move(address), floors, sort_key},
                               now);
    };
    ASSIGN_OR_RETURN(int64_t district, insert(std::nullopt, "district", "cn", "长宁区", 0));
    RETURN_IF_ERROR(account("admin", "区管理员", auth::Role::kDistrictAdmin, district, "长宁区").status());
    RETURN_IF_ERROR(account("deputy-party", "党代表 周", auth::Role::kDeputy, district, "长宁区").status());
    RETURN_IF_ERROR(account("deputy-congress", "人大代表 沈", auth::Role::kDeputy, district, "长宁区").status());
    RETURN_IF_ERROR(account("deputy-cppcc", "政协委员 顾", auth::Role::kDeputy, district, "长宁区").status());

    std::set<std::string> used_names;
    int64_t owner_serial = 0;
    int resident_serial = 0;
    for (size_t s = 0; s < kSubdistricts.size(); ++s) {
      const SubdistrictSeed& sd = kSubdistricts[s];
      const std::string sd_code = std::string("cn-") + sd.slug;
      ASSIGN_OR_RETURN(int64_t subdistrict, insert(district, "subdistrict", sd_code, sd.name, static_cast<int64_t>(s),
                                                   sd.kind, sd.signature_project));
      ++report.subdistricts;
      RETURN_IF_ERROR(account(std::string("sd-") + sd.slug, std::string(sd.name) + "工作人员",
                              auth::Role::kSubdistrictStaff, subdistrict, sd.name)
                          .status());
      if (std::string(sd.slug) == "hongqiao") {
        RETURN_IF_ERROR(
            account("liaison", "虹桥立法联系点", auth::Role::kLegislativeLiaison, subdistrict, sd.name).status());
      }
      for (int n = 0; n < sd.neighborhoods; ++n) {
        std::string name;
        do {
          name = std::string(rng.Pick(kRoads)) + rng.Pick(kSuffixes) + "居民区";
        } while (!used_names.insert(name).second);
        static constexpr std::array<const char*, 4> kClasses = {"commodity", "sold_public", "old_lane", "mixed"};
        const std::string nb_class = rng.Pick(kClasses);
        const std::string nb_code = sd_code + "-" + Pad(n + 1, 2);
        ASSIGN_OR_RETURN(int64_t neighborhood, insert(subdistrict, "neighborhood", nb_code, name, n, nb_class));
        ++report.neighborhoods;
        if (n == 0) {
          RETURN_IF_ERROR(
              account(std::string("nb-") + sd.slug, name + "居委会", auth::Role::kNeighborhoodStaff, neighborhood, name)
                  .status());
        }
        const int buildings = scale == DemoScale::kSmall ? 2 : static_cast<int>(rng.Between(6, 12));
        for (int b = 1; b <= buildings; ++b) {
          const int floors = scale == DemoScale::kSmall ? 3 : static_cast<int>(rng.Between(5, 7));
          const int entrances = scale == DemoScale::kSmall ? 1 : static_cast<int>(rng.Between(1, 3));
          const std::string b_code = nb_code + "-b" + Pad(b, 2);
          const std::string address = std::string(rng.Pick(kRoads)) + "路" + std::to_string(rng.Between(1, 999)) +
                                      "弄" + std::to_string(b) + "号";
          ASSIGN_OR_RETURN(int64_t building, insert(neighborhood, "building", b_code, std::to_string(b) + "号楼", b, "",
                                                    "", address, floors));
          ++report.buildings;
          if (s == 0 && n == 0 && b == 1) {
            RETURN_IF_ERROR(
                account("leader1", "楼组长 陆", auth::Role::kBuildingLeader, building, name + " 1号楼").status());
          }
          // An owner holding a second unit is drawn from the owners of the same building.
          std::vector<int64_t> building_owners;
          for (int e = 1; e <= entrances; ++e) {
            ASSIGN_OR_RETURN(int64_t entrance, insert(building, "entrance", b_code + "-e" + std::to_string(e),
                                                      std::to_string(e) + "号门", e));
            for (int f = 1; f <= floors; ++f) {
              for (int pos = 1; pos <= 2; ++pos) {
                const std::string number = std::to_string(e) + "-" + std::to_string(f * 100 + pos);
                const int64_t area_centi = rng.Between(4500, 12099);  // 45.00 .. 120.99 m²
                const bool unsold = nb_class == "commodity" && rng.Chance(3);
                ASSIGN_OR_RETURN(
                    storage::Row unit,
                    tx.QueryOne("INSERT INTO units (entrance_id, building_id, number, floor, area_centi, "
                                "developer_unsold) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                {entrance, building, number, int64_t{f}, area_centi, int64_t{unsold ? 1 : 0}}));
                ++report.units;
                if (unsold) continue;
                int64_t owner_id = 0;
                if (!building_owners.empty() && rng.Chance(5)) {
                  owner_id = building_owners[rng.Next() % building_owners.size()];
                } else {
                  ++owner_serial;
                  const std::string owner_name = std::string(rng.Pick(kSurnames)) + rng.Pick(kGiven);
                  const std::string phone = "139" + Pad(static_cast<int64_t>(rng.Next() % 100000000), 8);
                  ASSIGN_OR_RETURN(storage::Row o, tx.QueryOne("INSERT INTO owners (name, phone, created_at) "
                                                               "VALUES (?, ?, ?) RETURNING id",
                                                               {owner_name, phone, ToUnix(now)}));
                  owner_id = o.Int(0);
                  building_owners.push_back(owner_id);
                  ++report.owners;
                }
                RETURN_IF_ERROR(
                    tx.Execute("INSERT INTO unit_owners (unit_id, owner_id) VALUES (?, ?)", {unit.Int(0), owner_id}));
                // The first owners of the first neighborhood of each of the first subdistricts get resident logins,
                // linked to their owner records (they can later vote in ballots).
                if (n == 0 && b == 1 && e == 1 && f == 1 && pos == 1 && resident_serial < 5) {
                  ++resident_serial;
                  const std::string login = "resident" + std::to_string(resident_serial);
                  ASSIGN_OR_RETURN(int64_t user,
                                   account(login, "居民 " + login, auth::Role::kResident, neighborhood, name));
                  RETURN_IF_ERROR(tx.Execute("UPDATE owners SET user_id = ? WHERE id = ?", {user, owner_id}));
                  RETURN_IF_ERROR(tx.Execute("INSERT INTO residencies (user_id, area_id, since) VALUES (?, ?, ?)",
                                             {user, neighborhood, ToUnix(now)}));
                }
              }
            }
          }
        }
      }
    }
    // The elevator ballot of resident1's building, open, with its owners' logins owner1, owner2, ...
    ASSIGN_OR_RETURN(auto voters, decisions::SeedDemoBallot(tx, now, password_hash));
    for (const auto& login : voters) report.accounts.push_back({login, "resident (owner)", "1号楼"});
    RETURN_IF_ERROR(decisions::SeedDemoMeetings(tx, now));
    // The same building's elevator retrofit, at its intention survey.
    RETURN_IF_ERROR(decisions::SeedDemoElevator(tx, now));
    return record::Audit(tx, now, record::Actor::System("demo"), "demo.create", record::Ref("area", district),
                         {{"seed", seed},
                          {"neighborhoods", report.neighborhoods},
                          {"buildings", report.buildings},
                          {"units", report.units}});
  }));
  ASSIGN_OR_RETURN(auto unit_accounts,
                   cases::SeedDemoCases(db, clock, seed, scale == DemoScale::kSmall ? 40 : 300, password_hash));
  for (const auto& a : unit_accounts) report.accounts.push_back({a.login, "handling_unit_member", a.unit_name});
  return report;
}

}  // namespace ningju::app
