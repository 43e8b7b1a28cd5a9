"""Generate a large corpus of self-evaluation reports with their gold facts: `make corpus-large`.

N departments × M years, deterministic from a seed number: the same seed always writes the same
reports, and department i is the same whatever N is (a small sample is a prefix of the large set).
Every report is written as text (with its gold, docs/gold-format.md) and, through corpus/render.py,
as PDF and Word. The prose is ours, assembled from phrase banks below; departments and places are
real names, every figure is invented. Budgets grow or shrink by a few percent a year, so comparisons
across years mean something.

What varies, on purpose (the genre's phenomena): heading numbering (一、/第一部分/一．, （一）/(一),
1./1、/（1）) and section order; five or more phrasings for every kind of fact; money in 元 with and
without separators, 万元, 亿元 and 萬元, Chinese numerals (八十万元); 其中 breakdowns; budget figures in
a 单位：万元 table of bare numbers; approximate and Chinese-numeral counts; project reports with an
attached 自评表 whose indicator rows may run onto a second page; and distractors that must not become
facts (〔2024〕7号, dates, phone numbers, project codes, 第十二中学, “四个意识”, 个百分点).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import cn2an

HERE = Path(__file__).resolve().parent
FORMATS = ("txt", "pdf", "docx")
# Units of activities that are measurements (not counts, as rules/counts.yaml says), and multipliers
# that a count's value is multiplied out by.
MEASUREMENTS = ("万亩", "公里")
MULTIPLIERS = {"万": 10000}

# --- departments ------------------------------------------------------------------------------------

PLACES = [  # (province, city, district or None for a city-level department)
    ("广东省", "广州市", "天河区"), ("浙江省", "杭州市", "西湖区"), ("江苏省", "苏州市", "吴中区"),
    ("四川省", "成都市", "武侯区"), ("湖北省", "武汉市", "江汉区"), ("湖南省", "长沙市", "岳麓区"),
    ("河南省", "洛阳市", "涧西区"), ("山东省", "青岛市", "崂山区"), ("福建省", "厦门市", "思明区"),
    ("安徽省", "合肥市", "蜀山区"), ("江西省", "南昌市", "东湖区"), ("贵州省", "贵阳市", "观山湖区"),
    ("云南省", "昆明市", "五华区"), ("陕西省", "西安市", "雁塔区"), ("河北省", "石家庄市", "裕华区"),
    ("山西省", "太原市", "小店区"), ("吉林省", "长春市", "南关区"), ("甘肃省", "兰州市", "城关区"),
    ("广东省", "佛山市", None), ("浙江省", "宁波市", None), ("江苏省", "无锡市", None), ("湖南省", "株洲市", None),
]


@dataclass(frozen=True)
class Activity:
    verb: str
    noun: str
    unit: str
    low: int
    high: int


@dataclass(frozen=True)
class Kind:
    name: str           # the department's name after its place (教育局)
    me: str             # how the report names itself (我局)
    activities: tuple[Activity, ...]
    tasks: tuple[str, ...]
    projects: tuple[str, ...]
    field: str          # what the department serves (for phrases)


A = Activity
KINDS = [
    Kind("教育局", "我局", (
        A("开展", "教师专项培训", "场次", 8, 40), A("组织", "校园安全隐患排查", "次", 10, 60),
        A("资助", "家庭经济困难学生", "人次", 800, 6000), A("新建改扩建", "中小学校舍", "所", 2, 9),
        A("组织", "送教下乡活动", "场", 5, 30), A("督导", "民办培训机构", "家", 20, 120)),
        ("推进学前教育普惠发展", "提升义务教育办学质量", "加强教师队伍建设", "保障学生资助政策落实"),
        ("校舍维修改造", "学生营养改善计划", "智慧校园建设"), "学校和师生"),
    Kind("卫生健康局", "我局", (
        A("开展", "基层义诊活动", "场", 10, 80), A("培训", "基层医务人员", "人次", 300, 3000),
        A("监督检查", "医疗机构", "家", 40, 300), A("完成", "老年人健康体检", "人次", 2000, 20000),
        A("处置", "突发公共卫生事件", "起", 1, 9), A("开展", "健康教育讲座", "期", 12, 90)),
        ("完善基层医疗卫生服务体系", "做好疾病预防控制", "推进家庭医生签约服务", "加强卫生监督执法"),
        ("基本公共卫生服务", "家庭医生签约服务", "妇幼健康服务能力提升"), "群众健康"),
    Kind("水务局", "我局", (
        A("新建", "集中供水工程", "处", 3, 15), A("整治", "河道", "公里", 5, 60),
        A("开展", "河湖巡查", "次", 50, 400), A("维修", "农村供水管网", "公里", 10, 80),
        A("检测", "水质样品", "批次", 40, 300), A("排查", "防汛风险点", "处", 20, 150)),
        ("保障城乡供水安全", "推进河湖长制落实", "做好防汛抗旱工作", "加强水资源管理"),
        ("农村饮水安全巩固提升", "中小河流治理", "水旱灾害防御能力提升"), "城乡供水和防汛"),
    Kind("市场监督管理局", "我局", (
        A("检查", "食品经营主体", "户", 500, 5000), A("抽检", "食品样品", "批次", 200, 2000),
        A("办理", "投诉举报", "件", 300, 3000), A("查处", "违法案件", "宗", 20, 200),
        A("检定", "计量器具", "台", 1000, 9000), A("开展", "特种设备安全检查", "次", 30, 200)),
        ("守牢食品安全底线", "优化营商环境", "加强特种设备安全监管", "维护公平竞争市场秩序"),
        ("食品安全抽检监测", "智慧市场监管平台建设", "特种设备安全监管"), "市场主体和消费者"),
    Kind("文化广电旅游局", "我局", (
        A("举办", "文化惠民演出", "场", 20, 160), A("开展", "送戏下乡", "场次", 10, 90),
        A("新增", "馆藏图书", "万册", 1, 9), A("组织", "非遗展示活动", "期", 4, 30),
        A("检查", "文化旅游经营场所", "家次", 100, 900), A("培训", "基层文艺骨干", "人次", 100, 900)),
        ("丰富公共文化服务供给", "推动文旅融合发展", "加强文物和非遗保护", "规范文化市场秩序"),
        ("公共文化服务体系建设", "非物质文化遗产保护", "文旅消费季活动"), "群众文化生活"),
    Kind("司法局", "我局", (
        A("开展", "法治宣传活动", "场", 30, 200), A("调解", "矛盾纠纷", "件", 300, 3000),
        A("提供", "法律援助", "件", 100, 900), A("接收", "社区矫正对象", "名", 20, 200),
        A("培训", "人民调解员", "人次", 100, 800), A("审查", "行政规范性文件", "件", 10, 90)),
        ("推进法治政府建设", "深化公共法律服务", "做好人民调解工作", "加强社区矫正管理"),
        ("公共法律服务体系建设", "法律援助", "人民调解能力提升"), "群众法律需求"),
    Kind("民政局", "我局", (
        A("走访", "困难群众", "户", 300, 3000), A("救助", "临时困难对象", "人次", 200, 2000),
        A("登记", "婚姻", "对", 800, 6000), A("检查", "养老服务机构", "家次", 20, 200),
        A("培育", "社区社会组织", "个", 10, 90), A("建设", "社区养老服务站", "个", 3, 20)),
        ("兜牢基本民生保障底线", "提升养老服务水平", "加强基层治理", "规范社会组织管理"),
        ("居家和社区养老服务提升", "困难群众救助", "殡葬服务改革"), "困难群众和老年人"),
    Kind("人力资源和社会保障局", "我局", (
        A("举办", "招聘会", "场", 10, 80), A("开展", "职业技能培训", "人次", 1000, 9000),
        A("办结", "劳动人事争议案件", "件", 100, 900), A("发放", "就业创业补贴", "人次", 200, 3000),
        A("检查", "用人单位", "户", 100, 900), A("帮扶", "就业困难人员", "人", 100, 900)),
        ("稳定和扩大就业", "完善社会保障体系", "构建和谐劳动关系", "加强人才队伍建设"),
        ("职业技能提升行动", "就业专项资金", "根治欠薪"), "劳动者和用人单位"),
    Kind("审计局", "我局", (
        A("完成", "审计项目", "个", 15, 60), A("提出", "审计建议", "条", 40, 300),
        A("移送", "问题线索", "件", 2, 20), A("出具", "审计报告", "份", 15, 60),
        A("培训", "内审人员", "人次", 50, 400), A("督促整改", "审计发现问题", "个", 30, 200)),
        ("做好预算执行审计", "开展重大政策跟踪审计", "推进审计整改", "加强内部审计指导"),
        ("政府投资项目审计", "经济责任审计", "审计信息化建设"), "财政资金安全"),
    Kind("农业农村局", "我局", (
        A("建设", "高标准农田", "万亩", 1, 9), A("培训", "高素质农民", "人", 100, 1500),
        A("推广", "农业主推技术", "项", 5, 30), A("检测", "农产品样品", "批次", 300, 3000),
        A("扶持", "家庭农场", "家", 10, 90), A("改造", "农村户厕", "户", 500, 5000)),
        ("保障粮食安全", "推进农村人居环境整治", "促进农民增收", "加强农产品质量安全监管"),
        ("高标准农田建设", "农村人居环境整治", "农业技术推广"), "农业生产和农民"),
]


@dataclass
class Department:
    index: int
    name: str
    kind: Kind
    province: str
    city: str
    district: str | None
    base_wan: Decimal          # a year's budget in 万元, before the yearly drift
    report_type: str           # department_overall or project
    project: str = ""

    @property
    def short_name(self) -> str:
        """How others name the unit in passing (区教育局, 市教育局)."""
        return ("区" if self.district else "市") + self.kind.name


def department(seed: int, index: int) -> Department:
    rng = random.Random(f"{seed}:department:{index}")
    kind = KINDS[index % len(KINDS)]
    # Departments of one kind move 3 places on each round, so no two share a name (up to 220 of them).
    province, city, district = PLACES[(index % len(KINDS) + 3 * (index // len(KINDS))) % len(PLACES)]
    base = Decimal(rng.choice([rng.randint(600, 4000), rng.randint(4000, 30000)]))
    project = rng.choice(kind.projects) if index % 3 == 2 else ""
    return Department(index, f"{city}{district or ''}{kind.name}", kind, province, city, district,
                      base if not project else Decimal(rng.randint(80, 3000)),
                      "project" if project else "department_overall", project)


# --- writing numbers ---------------------------------------------------------------------------------

CENT = Decimal("0.01")


def hundreds(value_yuan: Decimal) -> Decimal:
    """Rounded to whole 100 元, so that every figure is exact in 万元 with two decimals."""
    return (value_yuan / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 100


def wan(value_yuan: Decimal) -> Decimal:
    return (value_yuan / 10000).quantize(CENT)


def grouped(value: Decimal, places: int = 2) -> str:
    return f"{value:,.{places}f}"


@dataclass
class MoneyStyle:
    """How one report writes money: the unit and whether digits are grouped."""
    unit: str          # 万元, 元, 萬元
    separators: bool
    space: bool        # a space between number and unit
    big_in_yi: bool    # budget totals of 1 亿元 or more written in 亿元

    def write(self, value_yuan: Decimal, big: bool = False) -> str:
        gap = " " if self.space else ""
        if big and self.big_in_yi and value_yuan >= 100_000_000 and value_yuan % 1_000_000 == 0:
            return f"{value_yuan / 100_000_000:.2f}{gap}亿元"
        if self.unit == "元":
            number = grouped(value_yuan) if self.separators else f"{value_yuan:.2f}"
        else:
            number = grouped(wan(value_yuan)) if self.separators else f"{wan(value_yuan):.2f}"
        return f"{number}{gap}{self.unit}"


def percent(part: Decimal, whole: Decimal, places: int = 2) -> Decimal:
    return (part * 100 / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def chinese(n: int) -> str:
    return cn2an.an2cn(n)


# --- phrase banks (our own wording) ------------------------------------------------------------------

FILLER = [
    "坚持把预算绩效管理作为提升治理能力的重要抓手，做到花钱必问效、无效必问责",
    "严格执行预算批复，按照轻重缓急统筹安排资金，优先保障重点工作",
    "建立健全内部控制制度，明确资金审批权限和支付流程",
    "加强与财政部门的沟通衔接，及时掌握资金拨付进度",
    "定期召开工作调度会，研究解决项目推进中遇到的困难",
    "对照年度工作要点逐项梳理，压实各科室和下属单位的工作责任",
    "注重发挥资金的引导作用，撬动社会力量共同参与",
    "把群众满意作为检验工作成效的标准，畅通意见反馈渠道",
    "强化过程监控，按月跟踪支出进度和绩效目标实现情况",
    "规范政府采购程序，做到应采尽采、公开透明",
    "认真落实过紧日子要求，从严控制一般性支出",
    "加强资产管理，做到账实相符、账账相符",
    "结合上年度评价结果调整支出结构，压减低效无效支出",
    "积极推进信息公开，主动接受社会监督",
    "深入基层了解实际需求，使资金投向更加精准",
    "加强业务培训，提升财务人员和项目负责人的绩效意识",
    "健全跟踪问效机制，对发现的问题及时督促整改",
    "统筹做好疫情后恢复和常态化管理，保持工作平稳有序",
]
OPENERS = ["围绕{topic}，", "针对{topic}中的薄弱环节，", "在{topic}方面，", "为推动{topic}提质增效，", "", "",
           "结合{topic}工作实际，", "聚焦{topic}，"]
TOPICS = ["预算执行", "项目管理", "资金监管", "绩效评价", "内部控制", "政府采购", "资产管理", "信息公开",
          "基层服务", "队伍建设", "风险防控", "制度建设"]
SLOGAN_SENTENCES = [
    ("全面贯彻党的二十大精神，增强“四个意识”、坚定“四个自信”、做到“两个维护”", ["四个意识", "四个自信", "两个维护", "二十大"]),
    ("坚持以人民为中心的发展思想，落实“放管服”改革要求，推动“十四五”规划各项任务落地", ["十四五", "放管服"]),
    ("严格落实中央八项规定精神，坚决反对“四风”", ["八项规定", "四风"]),
]
DUTIES = [
    "负责贯彻执行国家和省市有关{field}方面的法律法规和政策，拟订本地区的实施办法并组织实施",
    "负责统筹规划本地区{field}相关事业的发展，编制中长期规划和年度计划",
    "负责本部门预算的编制和执行，管理和监督所属单位的财务和资产",
    "负责指导和监督所属单位的业务工作，组织开展检查评估",
    "负责本系统的安全生产和应急管理工作，组织处置突发事件",
    "负责本部门干部队伍建设和人事管理工作",
    "负责相关领域的统计分析和信息公开工作",
    "完成上级党委、政府交办的其他任务",
]
ACHIEVEMENTS = {
    "强化管理基础": ["健全内控制度", "规范资产管理", "完善预算管理"],
    "提升服务质效": ["优化服务流程", "推进数字化应用", "畅通群众诉求渠道"],
    "加强队伍建设": ["开展业务培训", "强化作风建设", "落实廉政责任"],
    "推动重点工作落实": ["加强统筹调度", "压实工作责任", "强化督查问效"],
}
PLACE_NAMES = ["第十二中学", "三江口泵站", "五里墩社区", "九龙湖片区", "2035创新港", "七星岗街道"]
TASK_LABELS = ["任务{cn}：", "《任务{cn}》", "任务{n}、", "任务{cn}."]
GOAL_LABELS = ["预期目标：", "绩效目标：", "年度目标：", "计划目标："]
RESULT_LABELS = ["完成情况：", "实际完成情况：", "完成结果：", "执行情况："]
PROBLEMS = [
    ("预算编制的精准度有待提高", "部分项目在年初编制预算时测算不够细致，年中调整的情况仍然存在"),
    ("绩效目标设置还不够科学", "个别指标以工作量代替效果，难以全面反映资金使用成效"),
    ("支出进度不够均衡", "上半年支出偏慢，资金集中在第四季度支付"),
    ("绩效运行监控有待加强", "对项目实施过程的跟踪多停留在进度层面，对质量和效益关注不够"),
    ("基层财务力量相对薄弱", "下属单位财务人员多为兼职，业务能力参差不齐"),
]
MEASURES = [
    ("进一步提高预算编制质量", "结合历年执行情况细化项目测算，减少年中追加调整"),
    ("完善绩效目标管理", "按照可量化、可考核的要求设置指标，突出产出和效益"),
    ("加快预算执行进度", "建立支出进度通报制度，对进度滞后的项目及时督办"),
    ("强化绩效运行监控", "将监控结果与下年度预算安排挂钩，切实提高资金使用效益"),
    ("加强财务队伍建设", "定期组织业务培训，推动下属单位配齐配强财务人员"),
]


# --- one report ----------------------------------------------------------------------------------------

@dataclass
class Writer:
    """The lines of one report and the gold facts it states, written together."""
    rng: random.Random
    lines: list[str] = field(default_factory=list)
    gold: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in ("sections", "amounts", "rates", "counts", "must_not", "tasks", "findings", "checks"):
            self.gold[name] = []

    def line(self, text: str) -> None:
        self.lines.append(text)

    def filler(self, low: int = 1, high: int = 3) -> str:
        """Sentences without facts: what every report says about its work, in our words."""
        rng = self.rng
        return "".join(f"{rng.choice(OPENERS).format(topic=rng.choice(TOPICS))}{s}。"
                       for s in rng.sample(FILLER, rng.randint(low, high)))

    def amount(self, label: str, role: str, value: Decimal, raw: str) -> str:
        self.gold["amounts"].append({"label": label, "role": role, "value_yuan": float(value), "raw": raw})
        return raw

    def rate(self, label: str, role: str, value: Decimal) -> str:
        raw = f"{value}%"
        self.gold["rates"].append({"label": label, "role": role, "value_pct": float(value), "raw": raw})
        return raw

    def count(self, activity: Activity, n: int) -> str:
        """A sentence stating a count of an activity, in one of several phrasings."""
        rng = self.rng
        number = f"{n:,}" if n >= 1000 and rng.random() < 0.4 else str(n)
        # Chinese numerals for small counts; not 一 (一起, 一场 read as words) nor before 万 (八万亩 is 80000 亩).
        if 2 <= n < 100 and not activity.unit.startswith("万") and rng.random() < 0.2:
            number = chinese(n)
        approx = rng.random() < 0.25
        if approx:
            before, after = rng.choice([("近", ""), ("约", ""), ("超过", ""), ("", "余"), ("", "多")])
            written = f"{before}{number}{after}{activity.unit}"
        else:
            written = f"{number}{activity.unit}"
        template = rng.choice([
            "全年{verb}{noun}{n}", "{verb}{noun}共计{n}", "累计{verb}{noun}{n}", "{verb}{n}{noun}",
            "{verb}{noun}{n}", "年内共{verb}{noun}{n}"])
        self.count_gold(activity.noun, n, activity.unit, written)
        return template.format(verb=activity.verb, noun=activity.noun, n=written)

    def count_gold(self, what: str, n: int, unit: str, raw: str) -> None:
        if unit in MEASUREMENTS:
            self.must_not(raw)  # an area or a length is a measurement, not a count of work done
        elif unit[0] in MULTIPLIERS:  # 3万册 is 30000 册
            self.gold["counts"].append({"what": what, "value": n * MULTIPLIERS[unit[0]], "unit": unit[1:], "raw": raw})
        else:
            self.gold["counts"].append({"what": what, "value": n, "unit": unit, "raw": raw})

    def must_not(self, *spans: str) -> None:
        self.gold["must_not"].extend(spans)


@dataclass
class Numbering:
    """The heading markers of one report, a style per level."""
    styles: tuple[str, str, str]
    counters: list[int] = field(default_factory=lambda: [0, 0, 0])

    def next(self, level: int) -> tuple[str, str]:
        self.counters[level - 1] += 1
        for deeper in range(level, 3):
            self.counters[deeper] = 0
        n = self.counters[level - 1]
        style = self.styles[level - 1]
        return style.format(cn=chinese(n), n=n), chinese(n) if "{cn}" in style else str(n)


LEVEL_STYLES = (["{cn}、", "第{cn}部分 ", "{cn}．"], ["（{cn}）", "({cn})"], ["{n}.", "{n}、", "（{n}）"])


def heading(w: Writer, numbering: Numbering, level: int, title: str) -> None:
    marker, number = numbering.next(level)
    w.line(f"{marker}{title}")
    w.gold["sections"].append({"level": level, "number": number, "title": title, "marker": marker.strip()})


@dataclass
class Budget:
    initial: Decimal
    total: Decimal
    spent: Decimal
    basic: Decimal
    personnel: Decimal
    public: Decimal
    project: Decimal


def budget_for(dept: Department, year: int, seed: int) -> Budget:
    """Figures that drift a few percent a year from the department's base, in whole 100 元."""
    rng = random.Random(f"{seed}:budget:{dept.index}:{year}")
    drift = Decimal(1)
    for y in range(2020, year):
        drift *= Decimal(1) + Decimal(random.Random(f"{seed}:drift:{dept.index}:{y}").randint(-5, 12)) / 100
    total = hundreds(dept.base_wan * drift * 10000)
    if total >= 100_000_000 and rng.random() < 0.5:
        total = (total / 1_000_000).quantize(Decimal(1)) * 1_000_000
    initial = hundreds(total * Decimal(rng.randint(88, 100)) / 100)
    spent = hundreds(total * Decimal(rng.randint(900, 999)) / 1000)
    basic = hundreds(spent * Decimal(rng.randint(55, 85)) / 100)
    personnel = hundreds(basic * Decimal(rng.randint(70, 90)) / 100)
    return Budget(initial, total, spent, basic, personnel, basic - personnel, spent - basic)


def budget_points(rate: Decimal) -> Decimal:
    """A 自评表's 10 points for budget execution, in proportion to the execution rate."""
    return (rate / 10).quantize(Decimal("0.1"))


def grade_of(score: Decimal) -> str:
    return "优秀" if score >= 90 else "良好" if score >= 80 else "合格"


def write_report(dept: Department, year: int, seed: int) -> tuple[str, dict]:
    rng = random.Random(f"{seed}:report:{dept.index}:{year}")
    w = Writer(rng)
    budget = budget_for(dept, year, seed)
    money = MoneyStyle(unit=rng.choice(["万元", "万元", "万元", "元", "萬元"]) if rng.random() < 0.97 else "万元",
                       separators=rng.random() < 0.5, space=rng.random() < 0.4, big_in_yi=rng.random() < 0.6)
    if money.unit == "萬元" and rng.random() < 0.5:
        money.unit = "万元"
    numbering = Numbering(tuple(rng.choice(options) for options in LEVEL_STYLES))
    year_words = rng.choice(["{y}年度", "{y}年", "{y}年度"]).format(y=year)
    kind = "部门整体支出绩效自评报告" if dept.report_type == "department_overall" else f"{dept.project}项目支出绩效自评报告"
    # Some years the unit signs with its province too: the same department under another name.
    name = f"{dept.province}{dept.name}" if rng.random() < 0.25 else dept.name
    title = rng.choice(["{d}{y}{k}", "{d}{y}{k}", "{y}{d}{k}"]).format(d=name, y=year_words, k=kind)
    w.line(title)
    score = Decimal(rng.randint(820, 990)) / 10
    if dept.report_type == "project":  # the 自评表's total: at most 90 indicator points + the budget's
        score = min(score, 90 + budget_points(percent(budget.spent, budget.total)))
    with_score = rng.random() < 0.8
    grade = grade_of(score)
    w.gold["report"] = {
        "title": title, "department": name, "department_aliases": sorted({dept.name, dept.short_name} - {name}),
        "region_province": dept.province, "region_city": dept.city, "region_district": dept.district,
        "year": year, "report_type": dept.report_type, "grade": grade,
        "score": float(score) if with_score else None,
    }
    if dept.report_type == "department_overall":
        _department_overall(w, dept, year, budget, money, numbering, score if with_score else None, grade)
    else:
        _project(w, dept, year, budget, money, numbering, score if with_score else None, grade)
    return "\n".join(w.lines) + "\n", w.gold


def _distractors(w: Writer, dept: Department, year: int) -> str:
    """A sentence or two that carry numbers which are not facts."""
    rng = w.rng
    k = rng.randint(2, 48)
    abbr = dept.city[0] + (dept.district[0] if dept.district else "")
    doc_no = f"〔{year + 1}〕{k}号"
    choices = [
        (f"根据{dept.city}财政局《关于做好{year}年度预算绩效自评工作的通知》（{abbr}财绩{doc_no}）要求，"
         f"{dept.kind.me}组织开展了本次自评", [doc_no, f"{year}年度"]),
        (f"本报告数据统计截至{year}年12月31日，经{dept.kind.me}党组会议审议通过", [f"{year}年12月31日"]),
        (f"如有疑问请与{dept.kind.me}财务室联系，联系电话：0{rng.randint(20, 999)}-{rng.randint(20000000, 89999999)}",
         []),
    ]
    chosen = rng.sample(choices, 2)
    phone = next((c for c in chosen if "联系电话" in c[0]), None)
    if phone:
        w.must_not(phone[0].rsplit("：", 1)[1])
    for _, spans in chosen:
        w.must_not(*spans)
    return "".join(f"{text}。" for text, _ in chosen)


def _overview(w: Writer, dept: Department, numbering: Numbering) -> None:
    rng = w.rng
    heading(w, numbering, 2, rng.choice(["部门职能", "主要职能", "部门主要职责"]))
    w.line(f"{dept.name}是{dept.city}{dept.district or ''}人民政府的工作部门，负责{dept.kind.field}相关工作的统筹协调和监督管理。"
           "主要职责是：")
    # Numbered duties are list items (sentences), not headings.
    marker = rng.choice(["{n}.", "{n}、", "（{n}）"])
    for n, duty in enumerate(rng.sample(DUTIES[:-1], rng.randint(4, 6)) + DUTIES[-1:], 1):
        w.line(f"{marker.format(n=n)}{duty.format(field=dept.kind.field)}。")
    heading(w, numbering, 2, rng.choice(["机构设置及人员情况", "机构和人员情况"]))
    offices, staff, units = rng.randint(4, 12), rng.randint(20, 90), rng.randint(1, 5)
    w.line(f"{dept.kind.me}内设职能科室{offices}个，核定行政编制{staff}名，另有下属事业单位{units}家。")
    w.gold["counts"] += [
        {"what": "职能科室", "value": offices, "unit": "个", "raw": f"{offices}个"},
        {"what": "行政编制", "value": staff, "unit": "名", "raw": f"{staff}名"},
        {"what": "下属事业单位", "value": units, "unit": "家", "raw": f"{units}家"},
    ]


def _spending(w: Writer, dept: Department, year: int, b: Budget, money: MoneyStyle) -> None:
    """The budget paragraph(s) of a department's report, in one of five shapes."""
    rng = w.rng
    rate = percent(b.spent, b.total, rng.choice([1, 2]))
    m = money.write
    shape = rng.randrange(5)
    if shape == 0:
        w.line(f"{year}年度，{dept.kind.me}年初预算数为{w.amount('年初预算数', 'budget_initial', b.initial, m(b.initial, True))}，"
               f"全年预算数为{w.amount('全年预算数', 'budget_total', b.total, m(b.total, True))}，"
               f"全年执行数为{w.amount('全年执行数', 'expenditure_total', b.spent, m(b.spent))}，"
               f"预算执行率为{w.rate('预算执行率', 'execution_rate', rate)}。")
    elif shape == 1:
        w.line(f"本年度部门整体支出调整后预算数{w.amount('调整后预算数', 'budget_total', b.total, m(b.total, True))}，"
               f"实际支出{w.amount('实际支出', 'expenditure_total', b.spent, m(b.spent))}，"
               f"完成预算的{w.rate('完成预算', 'execution_rate', rate)}。")
    elif shape == 2:
        added = b.total - b.initial
        w.line(f"全年预算总额{w.amount('预算总额', 'budget_total', b.total, m(b.total, True))}，"
               f"其中年初批复预算{w.amount('年初批复预算', 'budget_initial', b.initial, m(b.initial, True))}，"
               f"年中追加{w.amount('年中追加', 'other', added, m(added))}。"
               f"全年累计支出{w.amount('累计支出', 'expenditure_total', b.spent, m(b.spent))}，"
               f"预算执行率达{w.rate('预算执行率', 'execution_rate', rate)}。")
    elif shape == 3:
        w.line(f"截至{year}年12月31日，{dept.kind.me}全年预算数{w.amount('全年预算数', 'budget_total', b.total, m(b.total, True))}，"
               f"执行数{w.amount('执行数', 'expenditure_total', b.spent, m(b.spent))}，"
               f"执行率为{w.rate('执行率', 'execution_rate', rate)}。")
        w.must_not(f"{year}年12月31日")
    else:
        w.line("部门整体支出情况如下表。")
        w.line("单位：万元")
        cells = [str(wan(v)) for v in (b.initial, b.total, b.spent)]
        w.line("项目\t年初预算数\t全年预算数\t全年执行数\t执行率")
        w.line(f"部门整体支出\t{cells[0]}\t{cells[1]}\t{cells[2]}\t{rate}%")
        for label, role, value, cell in zip(("年初预算数", "全年预算数", "全年执行数"),
                                             ("budget_initial", "budget_total", "expenditure_total"),
                                             (b.initial, b.total, b.spent), cells):
            w.amount(label, role, wan(value) * 10000, cell)
        w.rate("执行率", "execution_rate", rate)
    w.line(w.filler(1, 2))
    parts = rng.randrange(5)
    if parts == 0:
        w.line(f"按支出性质分，基本支出{w.amount('基本支出', 'basic_expenditure', b.basic, m(b.basic))}，"
               f"其中：人员经费{w.amount('人员经费', 'personnel', b.personnel, m(b.personnel))}，"
               f"公用经费{w.amount('公用经费', 'public_expenses', b.public, m(b.public))}；"
               f"项目支出{w.amount('项目支出', 'project_expenditure', b.project, m(b.project))}。")
    elif parts == 1:
        w.line(f"其中，基本支出{w.amount('基本支出', 'basic_expenditure', b.basic, m(b.basic))}"
               f"（人员经费{w.amount('人员经费', 'personnel', b.personnel, m(b.personnel))}、"
               f"公用经费{w.amount('公用经费', 'public_expenses', b.public, m(b.public))}），"
               f"项目支出{w.amount('项目支出', 'project_expenditure', b.project, m(b.project))}。")
    elif parts == 2:
        share = percent(b.basic, b.spent, 1)
        w.line(f"从支出结构看，基本支出{w.amount('基本支出', 'basic_expenditure', b.basic, m(b.basic))}，"
               f"占全年支出的{w.rate('占全年支出的', 'other', share)}；"
               f"项目支出{w.amount('项目支出', 'project_expenditure', b.project, m(b.project))}，"
               f"占{w.rate('占', 'other', Decimal(100) - share)}。")
    elif parts == 3:
        w.line(f"支出中包括基本支出{w.amount('基本支出', 'basic_expenditure', b.basic, m(b.basic))}"
               f"和项目支出{w.amount('项目支出', 'project_expenditure', b.project, m(b.project))}。")
    else:
        w.line(f"基本支出{w.amount('基本支出', 'basic_expenditure', b.basic, m(b.basic))}，主要用于保障机构正常运转；"
               f"项目支出{w.amount('项目支出', 'project_expenditure', b.project, m(b.project))}，主要用于{dept.kind.field}方面的重点工作。")
    sources = rng.random() < 0.6
    if sources:
        other = hundreds(b.spent * Decimal(rng.randint(0, 8)) / 100)
        general = b.spent - other
        if rng.random() < 0.5:
            w.line(f"按资金来源划分，一般公共预算财政拨款支出{w.amount('一般公共预算财政拨款支出', 'source_general_public_budget', general, m(general))}，"
                   f"政府性基金预算财政拨款支出{w.amount('政府性基金预算财政拨款支出', 'source_government_fund', Decimal(0), m(Decimal(0)))}，"
                   f"国有资本经营预算财政拨款支出{w.amount('国有资本经营预算财政拨款支出', 'source_state_capital', Decimal(0), m(Decimal(0)))}，"
                   f"其他资金支出{w.amount('其他资金支出', 'source_other', other, m(other))}。")
        else:
            w.line(f"从资金来源看，一般公共预算{w.amount('一般公共预算', 'source_general_public_budget', general, m(general))}，"
                   f"其他资金{w.amount('其他资金', 'source_other', other, m(other))}。")
    if rng.random() < 0.5:
        carry = b.total - b.spent
        w.line(f"年末结转和结余{w.amount('年末结转和结余', 'carryover', carry, m(carry))}。")
    if rng.random() < 0.5:
        reception = Decimal(rng.randint(1, 30)) * 1000
        cars = Decimal(rng.randint(5, 60)) * 1000
        w.line(f"“三公”经费支出{w.amount('“三公”经费支出', 'three_public', reception + cars, m(reception + cars))}，"
               f"其中公务接待费{w.amount('公务接待费', 'other', reception, m(reception))}，"
               f"公务用车运行维护费{w.amount('公务用车运行维护费', 'other', cars, m(cars))}，因公出国（境）费用为零。")
    if rng.random() < 0.3:
        lakh = rng.randint(2, 9) * 10
        w.line(f"此外，全年安排业务培训经费{chinese(lakh)}万元，用于基层人员能力提升。")
        w.amount("业务培训经费", "other", Decimal(lakh * 10000), f"{chinese(lakh)}万元")
    w.gold["checks"] = [
        {"check": "basic_plus_project_equals_expenditure", "expected": "pass"},
        {"check": "sources_sum_to_expenditure", "expected": "pass" if sources else "skipped"},
        {"check": "personnel_plus_public_equals_basic", "expected": "pass" if parts < 2 else "skipped"},
        {"check": "execution_rate_matches", "expected": "pass"},
    ]


def _tasks(w: Writer, dept: Department, activities: list[Activity]) -> None:
    rng = w.rng
    label, goal_label, result_label = (rng.choice(TASK_LABELS), rng.choice(GOAL_LABELS), rng.choice(RESULT_LABELS))
    names = rng.sample(dept.kind.tasks, 3)
    for i, name in enumerate(names, 1):
        goal = f"围绕{name}，按照年度计划推进各项工作，确保{dept.kind.field}得到有效保障。"
        mine = activities[2 * (i - 1):2 * i]
        counts = "，".join(w.count(a, rng.randint(a.low, a.high)) for a in mine)
        result = f"{counts}。{w.filler(2, 4)}"
        w.line(f"{label.format(cn=chinese(i), n=i)}{name}。{goal_label}{goal}{result_label}{result}")
        w.gold["tasks"].append({"task_no": i, "goal_startswith": goal[:12], "result_startswith": result[:8],
                                "result_endswith": result[-8:]})


def _findings(w: Writer, kind: str, items: list[tuple[str, str]]) -> None:
    rng = w.rng
    style = rng.randrange(5)
    texts = [f"{head}。{detail}" for head, detail in items]
    if style == 0:
        for i, text in enumerate(texts, 1):
            w.line(f"{i}.{text}。")
    elif style == 1:
        for i, text in enumerate(texts, 1):
            w.line(f"（{i}）{text}。")
    elif style == 2:
        w.line("；".join(f"{chinese(i)}是{head}，{detail}" for i, (head, detail) in enumerate(items, 1)) + "。")
        texts = [f"{head}，{detail}" for head, detail in items]
    elif style == 3:
        for i, text in enumerate(texts, 1):
            w.line(f"第{chinese(i)}，{text}。")
    else:
        openers = ["首先，", "其次，", "最后，"] if len(items) == 3 else ["首先，", "最后，"]
        w.line("".join(f"{o}{t}。" for o, t in zip(openers, texts)))
    for i, text in enumerate(texts, 1):
        w.gold["findings"].append({"kind": kind, "seq": i, "startswith": text[:10]})


def _conclusion(w: Writer, dept: Department, year: int, score: Decimal | None, grade: str) -> None:
    rng = w.rng
    if score is None:
        w.line(rng.choice([f"经综合评价，{dept.kind.me}{year}年度自评结论为“{grade}”。",
                           f"对照评价指标逐项自评，绩效等级为{grade}。"]))
        return
    w.line(rng.choice([
        f"经自评，{dept.kind.me}{year}年度绩效自评得分为{score}分，自评等级为{grade}。",
        f"综合自评得分{score}分，评价等级：{grade}。",
        f"根据评分标准，本部门自评总分{score}分，绩效等级为{grade}。",
        f"按照评价指标体系逐项打分，自评得分{score}分，评定为“{grade}”等级。",
        f"自评分为{score}分，自评结论为{grade}。",
    ]))


def _department_overall(w, dept, year, budget, money, numbering, score, grade) -> None:
    rng = w.rng
    activities = rng.sample(dept.kind.activities, 6)
    slogan, slogan_spans = rng.choice(SLOGAN_SENTENCES)
    w.line(f"{_distractors(w, dept, year)}现将{year}年度部门整体支出绩效自评情况报告如下。")
    heading(w, numbering, 1, rng.choice(["基本情况", "部门基本情况", "部门概况"]))
    _overview(w, dept, numbering)
    heading(w, numbering, 2, rng.choice(["部门整体支出情况", "预算安排及执行情况", "年度预算收支情况"]))
    _spending(w, dept, year, budget, money)
    heading(w, numbering, 2, rng.choice(["部门整体绩效管理情况", "预算绩效管理工作开展情况"]))
    for _ in range(3):
        w.line(w.filler(3, 5))
    conclusion_first = rng.random() < 0.5
    if conclusion_first:
        heading(w, numbering, 1, rng.choice(["自评结论", "综合评价结论"]))
        _conclusion(w, dept, year, score, grade)
    heading(w, numbering, 1, rng.choice(["绩效目标完成情况", "年度工作任务完成情况", "部门整体绩效目标实现情况"]))
    w.line(f"{slogan}。{w.filler(2, 3)}")
    w.must_not(*slogan_spans)
    _tasks(w, dept, activities)
    heading(w, numbering, 1, rng.choice(["主要工作成效", "取得的成效"]))
    for title in rng.sample(sorted(ACHIEVEMENTS), rng.randint(2, 3)):
        heading(w, numbering, 2, title)
        for subtitle in rng.sample(ACHIEVEMENTS[title], rng.randint(1, 2)):
            heading(w, numbering, 3, subtitle)
            w.line(w.filler(3, 5))
            w.line(w.filler(2, 4))
    place = rng.choice(PLACE_NAMES)
    w.must_not(place)
    w.line(f"{dept.kind.me}在{place}召开现场推进会，总结推广典型经验。{w.filler(2, 3)}")
    w.line(f"在全年工作中，{w.count(rng.choice(activities[:3]), rng.randint(1, 9))}，"
           f"服务对象满意度达到{w.rate('满意度', 'other', Decimal(rng.randint(900, 995)) / 10)}，"
           f"较上年提高{rng.randint(1, 3)}个百分点。")
    heading(w, numbering, 1, rng.choice(["存在的问题", "存在的主要问题", "问题及原因"]))
    _findings(w, "problem", rng.sample(PROBLEMS, rng.randint(2, 3)))
    heading(w, numbering, 1, rng.choice(["下一步改进措施", "改进措施", "下一步工作计划"]))
    _findings(w, "measure", rng.sample(MEASURES, rng.randint(2, 3)))
    if not conclusion_first:
        heading(w, numbering, 1, rng.choice(["自评结论", "绩效自评结果"]))
        _conclusion(w, dept, year, score, grade)


INDICATOR_HEADER = "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施"


def _project(w, dept, year, budget, money, numbering, score, grade) -> None:
    rng = w.rng
    b = budget
    m = money.write
    code = f"{rng.randint(100000, 999999)}{year}{rng.randint(10000000, 99999999)}"
    w.must_not(code)
    w.line(f"{_distractors(w, dept, year)}项目编码：{code}。")
    heading(w, numbering, 1, "项目基本情况")
    heading(w, numbering, 2, "项目概况")
    w.line(f"{dept.project}项目由{dept.name}组织实施，主要服务{dept.kind.field}。{w.filler(2, 3)}")
    heading(w, numbering, 2, "项目资金情况")
    rate = percent(b.spent, b.total, 2)
    shape = rng.randrange(3)
    if shape == 0:
        w.line(f"本项目年初预算数{w.amount('本项目年初预算数', 'budget_initial', b.initial, m(b.initial, True))}，"
               f"调整后全年预算数{w.amount('调整后全年预算数', 'budget_total', b.total, m(b.total, True))}，"
               f"全年执行数{w.amount('全年执行数', 'expenditure_total', b.spent, m(b.spent))}，"
               f"预算执行率{w.rate('预算执行率', 'execution_rate', rate)}。")
    elif shape == 1:
        w.line(f"项目全年预算数{w.amount('项目全年预算数', 'budget_total', b.total, m(b.total, True))}，"
               f"资金到位{w.amount('资金到位', 'funds_received', b.total, m(b.total))}，"
               f"资金到位率{w.rate('资金到位率', 'funds_received_rate', Decimal('100.00'))}；"
               f"实际支出{w.amount('实际支出', 'expenditure_total', b.spent, m(b.spent))}，"
               f"执行率为{w.rate('执行率', 'execution_rate', rate)}。")
    else:
        w.line(f"该项目年初安排资金{w.amount('年初安排资金', 'budget_initial', b.initial, m(b.initial, True))}，"
               f"全年预算{w.amount('全年预算', 'budget_total', b.total, m(b.total, True))}，"
               f"截至年底已支出{w.amount('已支出', 'expenditure_total', b.spent, m(b.spent))}，"
               f"支出率{w.rate('支出率', 'execution_rate', rate)}。")
    activities = rng.sample(dept.kind.activities, rng.randint(4, 6))
    targets = {a: rng.randint(a.low, a.high) for a in activities}
    actual = {a: targets[a] + rng.randint(0, max(1, targets[a] // 10)) for a in activities}
    heading(w, numbering, 1, "绩效目标完成情况")
    heading(w, numbering, 2, "产出完成情况")
    w.line("，".join(w.count(a, actual[a]) for a in activities[:3]) + "，均完成年度目标。" + w.filler(1, 2))
    heading(w, numbering, 2, "效益实现情况")
    satisfaction = Decimal(rng.randint(900, 990)) / 10
    w.line(f"项目实施后{dept.kind.field}得到改善，受益对象满意度为{w.rate('受益对象满意度', 'other', satisfaction)}。{w.filler(1, 2)}")
    heading(w, numbering, 1, rng.choice(["存在的问题", "问题及原因"]))
    _findings(w, "problem", rng.sample(PROBLEMS, 2))
    heading(w, numbering, 1, rng.choice(["下一步改进措施", "改进措施"]))
    _findings(w, "measure", rng.sample(MEASURES, 2))
    heading(w, numbering, 1, "自评结论")
    _conclusion(w, dept, year, score, grade)
    if rng.random() < 0.5:
        w.line(f"附件：{dept.project}项目支出绩效自评表")  # the attachment opens a new page
    else:  # the table follows the text and may run onto the next page
        w.line(f"{dept.project}项目支出绩效自评情况见下表。")
    _self_evaluation_table(w, dept, b, rate, activities, targets, actual, score)
    w.gold["checks"] = [
        {"check": "basic_plus_project_equals_expenditure", "expected": "skipped"},
        # the form's 当年财政拨款 and 其他资金 rows add up to its 年度资金总额
        {"check": "sources_sum_to_expenditure", "expected": "pass"},
        {"check": "personnel_plus_public_equals_basic", "expected": "skipped"},
        {"check": "execution_rate_matches", "expected": "pass"},
    ]


def _self_evaluation_table(w, dept, b, rate, activities, targets, actual, score) -> None:
    rng = w.rng
    cells = [str(wan(v)) for v in (b.initial, b.total, b.spent)]
    label = "项目资金（万元）"
    rows = [
        ["项目名称"] + [dept.project] * 7,
        ["主管部门"] + [dept.name] * 3 + ["实施单位"] + [dept.name] * 3,
        [label, "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [label, "年度资金总额", *cells, "10", f"{rate}%", str(budget_points(rate))],
        [label, "其中：当年财政拨款", *cells, "—", "—", "—"],
        [label, "其他资金", "0.00", "0.00", "0.00", "—", "—", "—"],
        INDICATOR_HEADER.split("\t"),
    ]
    for role, value, cell in zip(("budget_initial", "budget_total", "expenditure_total"), (b.initial, b.total, b.spent), cells):
        w.amount(cell, role, wan(value) * 10000, cell)
    for column, value, cell in zip(("年初预算数", "全年预算数", "全年执行数"), (b.initial, b.total, b.spent), cells):
        w.amount(f"当年财政拨款 {column}", "source_general_public_budget", wan(value) * 10000, cell)
        w.amount(f"其他资金 {column}", "source_other", Decimal(0), "0.00")
    w.rate("执行率", "execution_rate", rate)
    indicators = []
    for a in activities:
        indicators.append(["产出指标", "数量指标", f"{a.verb}{a.noun}", f"≥{targets[a]}{a.unit}", f"{actual[a]}{a.unit}"])
        # An indicator's target and actual are facts of their own (role other), named by the indicator.
        w.count_gold(f"{a.verb}{a.noun}", targets[a], a.unit, f"{targets[a]}{a.unit}")
        w.count_gold(f"{a.verb}{a.noun}", actual[a], a.unit, f"{actual[a]}{a.unit}")
    extra = [
        ["产出指标", "质量指标", "项目验收合格率", "100%", "100%"],
        ["产出指标", "质量指标", "资金使用合规率", "100%", "100%"],
        ["产出指标", "时效指标", "任务按期完成率", "≥95%", f"{rng.randint(95, 100)}%"],
        ["产出指标", "成本指标", "项目总成本控制", f"≤{cells[1]}万元", f"{cells[2]}万元"],
        ["效益指标", "社会效益指标", f"{dept.kind.field}服务水平", "明显提升", "有所提升"],
        ["效益指标", "社会效益指标", "政策知晓率", "≥85%", f"{rng.randint(86, 97)}%"],
        ["效益指标", "可持续影响指标", "长效管护机制建立情况", "建立", "已建立"],
        ["满意度指标", "满意度指标", "服务对象满意度", "≥90%", f"{rng.randint(90, 99)}%"],
    ]
    indicators += rng.sample(extra[:4], rng.randint(2, 4)) + extra[4:4 + rng.randint(2, 4)]
    indicators.sort(key=lambda r: ["产出指标", "效益指标", "满意度指标"].index(r[0]))
    if indicators[-1][0] != "满意度指标":
        indicators.append(extra[-1])
    for row in indicators:
        for cell in row[3:5]:
            figure = cell.lstrip("≥≤")
            if figure.endswith("%"):
                w.rate(row[2], "other", Decimal(figure[:-1]))
            elif figure.endswith("万元"):
                w.amount(row[2], "other", Decimal(figure[:-2]) * 10000, figure)
    total_score = score if score is not None else Decimal(rng.randint(850, 980)) / 10
    weights = _split(90, len(indicators), rng)
    lost = 90 + budget_points(rate) - total_score
    scores = _deduct(weights, lost, rng)
    for i, (row, weight, got) in enumerate(zip(indicators, weights, scores), 1):
        note = "" if got == weight else "受客观因素影响略有偏差，已制定整改措施"
        rows.append(row + [str(weight), _num(got), note])
        w.gold.setdefault("indicators", []).append({
            "table_no": 1, "row_no": i, "level1": row[0], "level2": row[1], "level3": row[2], "target": row[3],
            "actual": row[4], "weight": float(weight), "score": float(got), "note": note})
    rows.append(["总分"] * 5 + ["100", _num(total_score), ""])
    w.gold["report"]["score"] = float(total_score)  # the form's 总分 row states the report's score
    for row in rows:
        w.line("\t".join(row))


def _split(total: int, n: int, rng: random.Random) -> list[int]:
    """n whole weights of at least 5 that add up to total."""
    weights = [5] * n
    for _ in range(total - 5 * n):
        weights[rng.randrange(n)] += 1
    return weights


def _deduct(weights: list[int], lost: Decimal, rng: random.Random) -> list[Decimal]:
    """Scores under the weights whose shortfalls add up to `lost` (in tenths)."""
    scores = [Decimal(w_) for w_ in weights]
    tenths = int(max(lost, Decimal(0)) * 10)
    while tenths:
        i = rng.randrange(len(scores))
        if scores[i] > Decimal(weights[i]) / 2:
            step = min(tenths, rng.randint(1, 10))
            scores[i] -= Decimal(step) / 10
            tenths -= step
    return scores


def _num(value: Decimal) -> str:
    """A score as a table writes it: 10, 9.5."""
    return str(int(value)) if value == value.to_integral() else str(value)


# --- output ------------------------------------------------------------------------------------------

def generate(out_dir: Path, seed: int, n_departments: int, n_years: int, formats: tuple[str, ...] = FORMATS,
             first_year: int = 2021) -> list[Path]:
    """Write the reports (and their gold) into out_dir; returns the report files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(n_departments):
        dept = department(seed, index)
        for year in range(first_year, first_year + n_years):
            stem = f"g{seed}_{index:03d}_{year}"
            text, gold = write_report(dept, year, seed)
            gold = {"source": f"{stem}.txt", "notes": f"Generated by corpus/generate.py (seed {seed}).", **gold}
            source = out_dir / f"{stem}.txt"
            source.write_text(text, encoding="utf-8")
            (out_dir / f"{stem}.gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1), encoding="utf-8")
            written += _render(source, formats, index + year)
            if "txt" in formats:
                written.append(source)
            else:  # the text was only the source of the PDF and Word files
                source.unlink()
    return written


def _render(source: Path, formats: tuple[str, ...], turn: int) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from render import FOOTERS, render_docx, render_pdf
    written = []
    if "pdf" in formats:
        render_pdf(source, source.with_suffix(".pdf"), FOOTERS[turn % len(FOOTERS)])
        written.append(source.with_suffix(".pdf"))
    if "docx" in formats:
        render_docx(source, source.with_suffix(".docx"))
        written.append(source.with_suffix(".docx"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "large"), help="output folder (default corpus/large)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--departments", type=int, default=40)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--formats", default=",".join(FORMATS), help="any of txt,pdf,docx")
    args = parser.parse_args(argv)
    formats = tuple(f for f in args.formats.split(",") if f)
    written = generate(Path(args.out), args.seed, args.departments, args.years, formats)
    print(f"corpus: {args.departments} departments × {args.years} years, {len(written)} files written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
