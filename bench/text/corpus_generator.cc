#include "bench/text/corpus_generator.h"

#include <opencc/opencc.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ningju::text::bench {
namespace {

struct ThemeSpec {
  const char* name;
  std::vector<const char*> sentences;  // templates with {X} slots
};

// Slots: {P} estate, {S} subdistrict, {R} road, {B} building, {D} department, {T} time, {N} small number,
// {Y} years, {M} money, {A} intensifier, {W} request verb, {F} floor, {K} kinship.
const std::vector<ThemeSpec>& Themes() {
  static const auto* const kThemes = new std::vector<ThemeSpec>{
      {"垃圾分类",
       {"{P}的垃圾箱房{A}脏，夏天异味大，蚊蝇到处飞。", "湿垃圾和干垃圾经常混在一起扔，分类做得不到位。",
        "定时定点投放的时间是早上{T}，上班族根本赶不上。", "{W}在{B}号楼旁边增设一个误时投放点。",
        "垃圾清运车每天{T}来收，噪音把老人都吵醒了。", "志愿者值守只有{N}个人，劝导效果不明显。",
        "大件垃圾和装修垃圾堆在{R}边上{N}天没人清。", "有的居民把垃圾袋直接丢在箱房门口，{A}影响环境。",
        "{W}{D}加强垃圾分类的宣传，挨家挨户发指南。", "可回收物的回收点太少了，纸板和塑料瓶没地方放。",
        "箱房的洗手池坏了{N}个月，扔完垃圾没法洗手。", "建议对分类做得好的楼组给予积分奖励，带动大家参与。"}},
      {"停车难",
       {"{P}只有{N}百个车位，晚上回来根本找不到地方停。", "很多车停在{R}的人行道上，老人和孩子只能走机动车道。",
        "外来车辆随便进出小区，占用了业主的车位。", "{W}把{R}边上的空地改成临时停车场。",
        "电动自行车没有集中停放点，楼道口堆得满满的。", "周边商场的停车场晚上空着，能不能错峰共享给居民。",
        "月租车位费从{M}元涨到了{M}元，大家意见很大。", "消防通道被私家车占了，真出事消防车都进不来。",
        "{W}{D}对{R}的违法停车多开罚单，加强巡查。", "地下车库的灯坏了好几盏，晚上停车{A}危险。",
        "充电桩太少了，新能源车主每天排队充电。", "建议在{B}号楼前划定临时停车线，方便接送老人看病。"}},
      {"加装电梯",
       {"我们{B}号楼是{Y}年代的老房子，一共{F}层，没有电梯。", "我母亲今年{N}十多岁了，腿脚不好，下楼一次要歇好几回。",
        "{W}街道帮助协调加装电梯，解决老人上下楼的难题。", "一楼和二楼的住户不同意，担心采光和噪音受影响。",
        "加装电梯的费用怎么分摊，楼上楼下一直谈不拢。", "听说政府有补贴，每台电梯能补{M}元，但是申请流程不清楚。",
        "电梯施工要占用{R}的绿地，需要规划部门审批。", "{W}{D}出台统一的费用分摊指导标准，减少邻里矛盾。",
        "隔壁{P}已经装好了电梯，老人们都说方便多了。", "征询意见的签字已经过了三分之二，但还卡在规划许可上。",
        "希望电梯装好以后的维护保养费用也能提前说清楚。", "低层住户的补偿方案应该公开透明，让大家心服口服。"}},
      {"物业管理",
       {"{P}的物业费每平方米{M}毛，但服务一点没有提高。", "保洁阿姨一个星期才来打扫一次，楼道里全是灰。",
        "门卫晚上经常不在岗，陌生人随便进出。", "{B}号楼屋顶漏水{N}个月了，报修好几次物业都没来。",
        "维修基金的使用情况从来没有公示过，业主不知道钱花在哪里。", "{W}成立业主委员会，监督物业公司的服务质量。",
        "物业合同快到期了，大家想重新招标选一家更好的公司。", "小区的监控摄像头一半是坏的，出了事根本查不到。",
        "{W}{D}对物业公司开展考核，不合格的坚决清退。", "公共收益比如广告费和停车费，应该按季度向业主公开。",
        "物业维修要价太高，换个水龙头收{M}元。", "物业经理换了{N}任，每次都说要整改，结果都是老样子。"}},
      {"噪音扰民",
       {"每天晚上{T}以后，{R}旁边的广场舞音响开得{A}响。", "楼上装修从早上{T}一直敲到晚上，周末也不停。",
        "附近工地夜间施工，打桩的声音吵得孩子睡不着觉。", "{W}{D}规定广场舞的时间和音量，到点就关音响。",
        "沿街的烧烤店开到凌晨，油烟和喧哗声很扰民。", "我家孩子今年要高考，每天晚上都被吵得没法复习。",
        "打了{N}次热线，城管来了就停，走了又开始。", "空调外机和水泵的噪音日夜不停，{A}影响休息。",
        "{W}在{R}设置噪音监测屏，超过标准就处理。", "装修管理规定要贴在每个楼道口，让施工队知道规矩。",
        "邻居家的狗整夜叫个不停，沟通了也没有用。", "希望夜间施工许可能公示出来，让周边居民心里有数。"}},
      {"绿化环境",
       {"{R}的行道树{N}年没修剪了，树枝都伸进了{F}楼的窗户。", "小区绿化带被人种上了青菜，浇粪水味道{A}大。",
        "{W}在{P}附近建一个口袋公园，给老人孩子一个活动的地方。", "河道里的水发黑发臭，夏天蚊子特别多。",
        "{W}{D}定期喷洒灭蚊药，清理积水。", "健身器材锈得厉害，有一个单杠已经松动了。",
        "草坪被踩出了一条路，不如干脆铺成步道。", "{S}的街心花园很漂亮，希望我们这边也能改造一下。",
        "落叶堆在路边没人扫，下雨天容易滑倒。", "建议多种一些开花的树，让小区四季都有景色。",
        "楼下的桂花树被砍掉了{N}棵，没有任何通知。", "垂直绿化和屋顶花园可以在{B}号楼先试点。"}},
      {"养老服务",
       {"我们{P}六十岁以上的老人占了{N}成，养老需求很大。", "{W}在社区开一个老年食堂，午饭价格控制在{M}元以内。",
        "独居老人没人照看，上个月{B}号楼一位老人摔倒了两天才被发现。", "日间照料中心名额太少，排队要等{N}个月。",
        "{W}{D}为高龄老人免费安装紧急呼叫装置。", "助餐点离家太远，腿脚不便的老人去不了，希望能送餐上门。",
        "适老化改造的补贴标准是多少，家里的卫生间想装扶手。", "社区医生上门服务一个月才一次，慢性病老人配药不方便。",
        "老年大学的书法班和合唱班报名一开始就满了。", "建议组织志愿者和低龄老人结对，定期探望独居老人。",
        "长护险的评估流程太复杂，{K}跑了{N}趟都没办下来。", "养老院的床位费一个月要{M}元，普通家庭负担不起。"}},
      {"交通出行",
       {"{R}和{R}路口的红绿灯时间太短，老人过马路走不完。", "{W}增开一条公交线路，直达地铁站，早高峰太挤了。",
        "公交车站没有遮雨棚，下雨天等车全身都湿透。", "共享单车乱停乱放，把盲道都堵住了。",
        "{W}{D}在学校门口设置接送车辆临时停靠区。", "{R}的路面坑坑洼洼，电瓶车骑过去{A}颠。",
        "地铁站出口离{P}还有一公里，最后一段路没有公交。", "早上{T}左右{R}堵得水泄不通，建议优化信号灯。",
        "人行道上的地砖松动，一踩就溅一身泥水。", "建议在{R}增设过街天桥或者地下通道。",
        "夜班公交只有一条，晚上下班回家打车要{M}元。", "路口没有右转专用道，大车转弯很危险。"}},
      {"违章搭建",
       {"{B}号楼一楼住户把院子围起来搭了一个阳光房。", "楼顶有人违章加盖了一层，存在安全隐患。",
        "{W}{D}依法拆除违章建筑，不能让老实人吃亏。", "隔壁把房子隔成{N}间出租，住了二十多个人，就是群租。",
        "群租房的人进进出出，电线乱拉，大家都很担心。", "公共绿地被围起来当成了私人花园。",
        "举报了{N}次，说要拆，到现在还是原样。", "沿街商铺把门面往外扩建，占用了人行道。",
        "{W}建立违建的发现、举报和处置台账，定期公示进度。", "有的违建已经存在{Y}年了，拆除要讲究方法，先做好沟通。",
        "楼道里被人砌了一堵墙，把公共空间占为己有。", "建议对群租房开展联合执法，公安、房管和街道一起上。"}},
      {"消防安全",
       {"楼道里堆满了纸箱和旧家具，一旦着火后果不堪设想。", "有人把电动车推进电梯带回家充电，{A}危险。",
        "{B}号楼的灭火器都过期{N}年了，没有人更换。", "{W}{D}组织一次消防演练，教大家怎么使用灭火器。",
        "飞线充电的现象很普遍，电线从{F}楼窗户一直拉到楼下。", "消防栓打开一看里面没有水管，完全是摆设。",
        "老房子的电线都老化了，夏天开空调经常跳闸。", "{W}在小区里建设电动车集中充电棚，从根上解决问题。",
        "烟感报警器只装了一半，剩下的说是没有经费。", "高层住宅的疏散通道上锁了，说是为了防盗。",
        "建议给独居老人家里免费安装燃气报警器。", "物业说清理楼道堆物要居民配合，可是一直没人牵头。"}},
      {"托育教育",
       {"{P}附近没有公办托育机构，三岁以下的孩子只能靠老人带。", "私立托育一个月要{M}元，双职工家庭压力{A}大。",
        "{W}{D}在社区里办普惠性的托育点。", "幼儿园的学位很紧张，今年我们这片有{N}十个孩子没排上。",
        "小学的课后服务只到下午{T}，家长下班接不了孩子。", "{W}利用社区活动室开设暑期托管班，解决假期看护难。",
        "学校门口的小饭桌卫生条件堪忧，有没有人管。", "建议社区图书馆延长开放时间，周末给孩子一个读书的地方。",
        "对口划片的政策每年都在变，家长不知道孩子能上哪个学校。", "社区可以组织大学生志愿者，给孩子辅导作业。",
        "托育机构的老师资质要公开，家长才放心。", "希望{S}多建几个儿童游乐场，现在的设施太旧了。"}},
      {"立法意见",
       {"建议草案第{N}条增加一款，明确居民委员会的协助义务。",
        "第{N}条中的“相关部门”表述太笼统，应当写明具体负责的部门。",
        "草案关于法律责任的规定偏轻，罚款上限{M}元起不到震慑作用。", "{W}在草案中增加对个人信息保护的条款。",
        "听证程序应当写入条例，涉及群众切身利益的事项要先听取意见。", "草案对“公共利益”的界定不清楚，容易产生争议。",
        "建议把第{N}条的“可以”改为“应当”，增强约束力。", "基层立法联系点收集的意见应当有反馈，让提意见的人知道结果。",
        "条例的配套细则要同步出台，否则难以落地。", "建议增加对老年人、残疾人等特殊群体的保障条款。",
        "草案的过渡期规定太短，企业和居民都需要时间适应。", "法规实施后应当定期评估，评估报告向社会公开。"}},
  };
  return *kThemes;
}

const std::vector<const char*> kEstates = {"华阳小区",     "新泾家园",   "仙霞新村",   "虹桥花苑",     "天山五村",
                                           "程家桥公寓",   "北新泾三村", "江苏路公寓", "周家桥小区",   "新华别墅",
                                           "金钟路小区",   "茅台新苑",   "古北花园",   "水城南路小区", "剑河家苑",
                                           "玉屏南路小区", "延西小区",   "中山公寓",   "愚园路小区",   "武夷花园"};
const std::vector<const char*> kSubdistricts = {"华阳路街道",   "江苏路街道", "新华路街道", "周家桥街道", "天山路街道",
                                                "仙霞新村街道", "虹桥街道",   "程家桥街道", "北新泾街道", "新泾镇"};
const std::vector<const char*> kRoads = {"天山路", "仙霞路", "延安西路", "虹桥路", "哈密路", "剑河路", "安顺路",
                                         "古北路", "水城路", "娄山关路", "威宁路", "遵义路", "长宁路", "定西路",
                                         "愚园路", "武夷路", "江苏路",   "凯旋路", "金钟路", "北翟路"};
const std::vector<const char*> kDepartments = {"街道",         "居委会",         "区房管局", "城管部门",
                                               "区绿化市容局", "区交通委",       "物业公司", "区民政局",
                                               "区教育局",     "区消防救援支队", "有关部门", "区政府"};
const std::vector<const char*> kTimes = {"七点到九点", "六点半", "晚上八点",   "九点",   "五点",
                                         "十点",       "七点半", "中午十二点", "四点半", "六点"};
const std::vector<const char*> kIntensifiers = {"非常", "特别", "十分", "很", "实在", "太", "相当"};
const std::vector<const char*> kRequests = {"希望", "建议", "恳请", "呼吁", "请求", "强烈要求"};
const std::vector<const char*> kKin = {"我父亲", "我母亲", "我爱人", "我岳母", "我公公", "我外婆"};
const std::vector<const char*> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                            "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
const std::vector<const char*> kGiven = {"建国", "秀英", "伟",   "芳",   "敏",   "静",   "丽",   "强",  "磊",   "军",
                                         "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",   "超",  "秀兰", "霞",
                                         "平",   "刚",   "桂英", "志强", "海燕", "晓东", "玉兰", "国华"};

const std::vector<const char*> kOpeners = {"我是{P}{B}号楼的居民。",
                                           "作为一名在{S}住了{Y}年的老住户，我想反映一个问题。",
                                           "各位领导好！",
                                           "我住在{R}附近的{P}。",
                                           "我是一名退休教师，住在{P}。",
                                           "您好，我是{S}的居民。",
                                           "反映一个我们楼里的情况。",
                                           "我在{P}租房住了{N}年。",
                                           "我们{P}的居民想提一点意见。",
                                           "关于{S}的一件事，想说几句。"};
const std::vector<const char*> kPersonal = {"我家里有两个孩子，老人也跟我们一起住。",
                                            "我每天早上{T}出门上班，晚上很晚才回来。",
                                            "楼下住着一位八十多岁的独居老人。",
                                            "我爱人腿脚不便，平时出门都要人扶。",
                                            "这个问题已经存在很多年了。",
                                            "邻居们私下里都在议论这件事。",
                                            "上个星期我又打了一次热线电话。",
                                            "我们楼组长也向居委会反映过。",
                                            "前几天我在业主群里看到大家都在讨论。",
                                            "我在这里住了{Y}年，感情很深。"};
const std::vector<const char*> kClosers = {"希望有关部门尽快解决。",
                                           "谢谢！",
                                           "恳请领导重视。",
                                           "盼复。",
                                           "希望能尽快给我们一个答复。",
                                           "辛苦了，谢谢你们！",
                                           "希望早日看到改变。",
                                           "请尽快处理，谢谢。",
                                           "期待回复。",
                                           "以上意见供参考。"};

// Context before a theme sentence and remarks after it, as people write them.
const std::vector<const char*> kContexts = {
    "最近一段时间，", "每到夏天，", "从去年开始，",   "说实话，",     "据我观察，",   "上个月，",   "这几年来，",
    "特别是周末，",   "另外，",     "还有就是，",     "尤其是晚上，", "一到下雨天，", "我注意到，", "听邻居说，",
    "自从疫情以后，", "去年冬天，", "现在的情况是，", "不瞒你们说，", "老实讲，",     "前不久，"};
const std::vector<const char*> kRemarks = {
    "大家都很有意见。",     "已经持续很长时间了。", "给生活带来很大不便。",     "邻居们也是这么说的。",
    "这种情况太普遍了。",   "真的让人很头疼。",     "说了好几次都没用。",       "老人孩子最受影响。",
    "希望引起重视。",       "不知道该找谁反映。",   "居委会也表示没办法。",     "大家心里都有怨气。",
    "我们也愿意配合。",     "这不是个别现象。",     "拖下去只会更糟。",         "好几户人家都有同感。",
    "我拍了照片可以提供。", "群里每天都在讨论。",   "实在是没办法了才来反映。", "请认真对待。"};

const std::vector<std::pair<const char*, const char*>> kSynonyms = {
    {"非常", "十分"},   {"希望", "盼望"}, {"建议", "提议"}, {"马上", "立刻"}, {"问题", "情况"},
    {"老人", "老年人"}, {"孩子", "小孩"}, {"居民", "住户"}, {"尽快", "抓紧"}, {"影响", "妨碍"}};

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  size_t Below(size_t n) { return static_cast<size_t>(Uniform() * static_cast<double>(n)); }
  bool Chance(double p) { return Uniform() < p; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t state_;
};

const char* kDigits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九"};

std::string Fill(const char* tmpl, Rng& rng) {
  std::string out;
  for (const char* p = tmpl; *p;) {
    if (*p == '{' && p[1] && p[2] == '}') {
      switch (p[1]) {
        case 'P':
          out += rng.Pick(kEstates);
          break;
        case 'S':
          out += rng.Pick(kSubdistricts);
          break;
        case 'R':
          out += rng.Pick(kRoads);
          break;
        case 'B':
          out += std::to_string(1 + rng.Below(60));
          break;
        case 'D':
          out += rng.Pick(kDepartments);
          break;
        case 'T':
          out += rng.Pick(kTimes);
          break;
        case 'N':
          out += kDigits[rng.Below(9)];
          break;
        case 'Y':
          out += std::to_string(5 + rng.Below(40));
          break;
        case 'M':
          out += std::to_string((1 + rng.Below(30)) * (rng.Chance(0.5) ? 10 : 100));
          break;
        case 'A':
          out += rng.Pick(kIntensifiers);
          break;
        case 'W':
          out += rng.Pick(kRequests);
          break;
        case 'F':
          out += std::to_string(4 + rng.Below(4));
          break;
        case 'K':
          out += rng.Pick(kKin);
          break;
        default:
          out.append(p, 3);
          break;
      }
      p += 3;
    } else {
      out.push_back(*p++);
    }
  }
  return out;
}

// Splits after 。！？ (kept with their sentence).
std::vector<std::string> Sentences(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string ch = text.substr(i, len);
    current += ch;
    i += len;
    if (ch == "。" || ch == "！" || ch == "？") {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

void ReplaceAll(std::string* s, const std::string& from, const std::string& to, Rng& rng, double p) {
  std::string out;
  size_t i = 0;
  while (i < s->size()) {
    if (s->compare(i, from.size(), from) == 0 && rng.Chance(p)) {
      out += to;
      i += from.size();
    } else {
      out.push_back((*s)[i]);
      ++i;
    }
  }
  *s = std::move(out);
}

std::string FullWidth(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x21 && c <= 0x7E) {
      const uint32_t w = c + 0xFEE0;
      out.push_back(static_cast<char>(0xE0 | (w >> 12)));
      out.push_back(static_cast<char>(0x80 | ((w >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (w & 0x3F)));
    } else if (c == ' ') {
      out += "\u3000";
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

struct CorpusGenerator::Impl {
  GeneratorOptions options;
  Rng rng{0};
  std::unique_ptr<opencc::SimpleConverter> s2t;
  std::vector<int32_t> plan;  // per position: campaign number or -1 (built lazily in blocks)
  std::vector<int> campaign_theme;
  std::vector<std::string> campaign_template;
  uint64_t produced = 0;

  std::string Organic(int theme, int sentences) {
    const ThemeSpec& spec = Themes()[static_cast<size_t>(theme)];
    std::string text;
    if (rng.Chance(0.75)) text += Fill(rng.Pick(kOpeners), rng);
    if (rng.Chance(0.45)) text += Fill(rng.Pick(kPersonal), rng);
    std::vector<size_t> order(spec.sentences.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (int s = 0; s < sentences; ++s) {
      const size_t j = static_cast<size_t>(s) + rng.Below(order.size() - static_cast<size_t>(s));
      std::swap(order[static_cast<size_t>(s)], order[j]);
      if (rng.Chance(0.5)) text += rng.Pick(kContexts);
      text += Fill(spec.sentences[order[static_cast<size_t>(s)]], rng);
      if (rng.Chance(0.3)) text += rng.Pick(kRemarks);
    }
    if (rng.Chance(0.1)) {  // a remark on another theme
      const ThemeSpec& other = Themes()[rng.Below(Themes().size())];
      text += Fill(rng.Pick(other.sentences), rng);
    }
    if (rng.Chance(0.8)) text += Fill(rng.Pick(kClosers), rng);
    return text;
  }

  std::string Copy(const std::string& tmpl) {
    std::string text = tmpl;
    const GeneratorOptions& o = options;
    if (rng.Chance(o.p_reorder)) {
      std::vector<std::string> s = Sentences(text);
      if (s.size() >= 3) {
        const size_t a = rng.Below(s.size() - 1);
        std::swap(s[a], s[a + 1]);
        text.clear();
        for (const std::string& x : s) text += x;
      }
    }
    if (rng.Chance(o.p_synonym)) {
      const auto& [from, to] = rng.Pick(kSynonyms);
      ReplaceAll(&text, from, to, rng, 1.0);
    }
    if (rng.Chance(o.p_extra_sentence)) text += Fill(rng.Pick(kPersonal), rng);
    if (rng.Chance(o.p_name)) {
      std::string name = std::string(rng.Pick(kSurnames)) + rng.Pick(kGiven);
      switch (rng.Below(4)) {
        case 0:
          text = "我是" + name + "，" + text;
          break;
        case 1:
          text += "——" + name;
          break;
        case 2:
          text += "（" + std::string(rng.Pick(kEstates)) + "居民" + name + "）";
          break;
        default:
          text = std::string(rng.Pick(kSubdistricts)) + "居民" + name + "：" + text;
          break;
      }
    }
    if (rng.Chance(o.p_punct)) {
      ReplaceAll(&text, "，", rng.Chance(0.5) ? "、" : " ", rng, 0.3);
      ReplaceAll(&text, "。", rng.Chance(0.5) ? "！" : "。。", rng, 0.3);
      ReplaceAll(&text, "，", "", rng, 0.1);
      if (rng.Chance(0.3)) text = "【" + text + "】";
    }
    if (rng.Chance(o.p_fullwidth)) text = FullWidth(text);
    if (s2t && rng.Chance(o.p_traditional)) text = s2t->Convert(text);
    if (rng.Chance(o.p_zero_width)) {
      const std::vector<std::string> s = Sentences(text);
      text.clear();
      for (const std::string& x : s) text += x + "\u200B";
    }
    return text;
  }
};

CorpusGenerator::CorpusGenerator(const GeneratorOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.rng = Rng(options.seed * 0x2545F4914F6CDD1DULL + 1);
  try {
    m.s2t = std::make_unique<opencc::SimpleConverter>("/usr/share/opencc/s2t.json");
  } catch (const std::exception&) {
    m.s2t.reset();  // no traditional variants without OpenCC's data
  }
  // Campaign sizes: Pareto (alpha 1.5) with the requested mean, at least 3 copies.
  const auto campaign_total = static_cast<uint64_t>(static_cast<double>(options.count) * options.campaign_share);
  uint64_t planned = 0;
  std::vector<uint64_t> sizes;
  const double xm = options.mean_campaign_size / 3.0;
  while (planned < campaign_total) {
    uint64_t size = static_cast<uint64_t>(xm / std::pow(1.0 - m.rng.Uniform(), 1.0 / 1.5));
    size = std::clamp<uint64_t>(size, 3, campaign_total - planned);
    sizes.push_back(size);
    planned += size;
  }
  m.plan.assign(options.count, -1);
  size_t pos = 0;
  for (size_t c = 0; c < sizes.size(); ++c) {
    for (uint64_t k = 0; k < sizes[c]; ++k) m.plan[pos++] = static_cast<int32_t>(c);
  }
  for (size_t i = m.plan.size(); i > 1; --i) std::swap(m.plan[i - 1], m.plan[m.rng.Below(i)]);
  m.campaign_theme.assign(sizes.size(), -1);
  m.campaign_template.resize(sizes.size());
}

CorpusGenerator::~CorpusGenerator() = default;

int CorpusGenerator::NumThemes() { return static_cast<int>(Themes().size()); }
std::string CorpusGenerator::ThemeName(int theme) { return Themes()[static_cast<size_t>(theme)].name; }

bool CorpusGenerator::Next(GeneratedComment* comment) {
  Impl& m = *impl_;
  if (m.produced >= m.options.count) return false;
  const int32_t campaign = m.plan[m.produced];
  comment->id.clear();
  comment->id.push_back('c');
  comment->id += std::to_string(m.produced + 1);
  comment->campaign = campaign;
  if (campaign < 0) {
    comment->theme = static_cast<int>(m.rng.Below(Themes().size()));
    comment->text = m.Organic(comment->theme, 3 + static_cast<int>(m.rng.Below(3)));
  } else {
    const auto c = static_cast<size_t>(campaign);
    if (m.campaign_theme[c] < 0) {
      m.campaign_theme[c] = static_cast<int>(m.rng.Below(Themes().size()));
      m.campaign_template[c] = m.Organic(m.campaign_theme[c], 5);
    }
    comment->theme = m.campaign_theme[c];
    comment->text = m.Copy(m.campaign_template[c]);
  }
  ++m.produced;
  return true;
}

}  // namespace ningju::text::bench
