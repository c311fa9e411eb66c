"""Fixed facts the demo data is built from: Pinghu's enclaves, the 2025 figures, name parts, majors."""
from __future__ import annotations

from datetime import date

DEMO_YEAR = 2025
# The demo world is observed on this day: retention checks due by then are recorded.
AS_OF = date(2026, 6, 30)
DEMO_PASSWORD = "pinghu2025"

# What Pinghu reported for 2025; at --scale N pipeline volume (hires, intents) is N times these.
REPORTED = {
    "enclaves": 12,
    "drive_employers": 82,
    "drive_universities": 34,
    "drive_positions": 1500,
    "drive_intents": 1342,          # "1300+ signed intents": any 1,300–1,399 satisfies the report
    "co_supervised": 53,
    "tech_vp": 12,
    "flexible_high_level": 46,
    "hires_young_phd": 39,
    "hires_young_graduate": 9645,
    "hires_high_skill": 1304,
    "declaration_applicants_national": 165,   # two batches: DECLARATION_BATCHES
    "talent_classes": 12,
    "talent_class_trainees": 736,   # "700+ trainees": the demo's exact number (TALENT_CLASSES' new trainees)
    "matching_events": 7,
}
# Talent-programme declarations (人才项目申报) of DEMO_YEAR: applicants per level, distinct people
# (db/programmes/declarations.figures: someone not selected in one batch who applies again in the next
# counts once). National as the city reported it, "国家级申报两批次165人"; provincial and city-level
# are the demo's own choice, of the same order (the city did not report them).
DECLARATION_APPLICANTS = {"国家级": REPORTED["declaration_applicants_national"], "省级": 218, "市级": 98}
# Per batch: level, batch, submitted on (None: still being prepared), new applicants, applicants again
# from the level's previous batch (not selected there), selected, what the others' status is, result on.
DECLARATION_BATCHES = (
    ("国家级", "2025 第一批", date(2025, 3, 14), 92, 0, 9, "not_selected", date(2025, 10, 28)),
    ("国家级", "2025 第二批", date(2025, 9, 19), 73, 12, 0, "reviewing", None),
    ("省级", "2025 第一批", date(2025, 4, 11), 130, 0, 21, "not_selected", date(2025, 9, 30)),
    ("省级", "2025 第二批", date(2025, 10, 17), 88, 10, 0, "reviewing", None),
    ("市级", "2025 第一批", date(2025, 5, 9), 60, 0, 18, "not_selected", date(2025, 8, 26)),
    ("市级", "2025 第二批", date(2025, 11, 14), 30, 4, 0, "submitted", None),
    ("市级", "2025 第二批", None, 8, 0, 0, "preparing", None),
)
# Of each level's applicants, how many are demo candidates (hired young PhDs and high-level talents,
# declared by the company that hired them); the others are named only.
DECLARATIONS_LINKED = {"国家级": 40, "省级": 55, "市级": 25}
DECLARATION_PROGRAMMES = {
    "国家级": ("国家海外高层次人才引进计划", "国家高层次人才特殊支持计划"),
    "省级": ("浙江省海外高层次人才引进计划", "浙江省高层次人才特殊支持计划", "浙江省“鲲鹏行动”计划"),
    "市级": ("嘉兴市创新创业领军人才计划", "平湖市高层次人才创业创新项目"),
}
DECLARATION_AGAIN = "上一批次未入选，本批次再次申报"

# Hires in categories the city does not headline, per scale unit.
UNREPORTED_HIRES = {"high_level": 28, "other": 160}
# The year before, for the year selector (appointments only; no pipeline volume).
PREVIOUS_YEAR_APPOINTMENTS = {"tech_vp": 10, "flexible": 35}

# code, name, city, province, host organisation, opened on, weight of candidates
ENCLAVES = (
    ("SH", "平湖（上海张江）人才飞地", "上海市", "上海市", "张江科学城创新中心", date(2019, 6, 18), 2.2),
    ("HZ", "平湖（杭州）人才飞地", "杭州市", "浙江省", "杭州未来科技城海创园", date(2020, 3, 26), 1.6),
    ("CD", "平湖（成都）人才飞地", "成都市", "四川省", "成都高新区天府软件园", date(2021, 9, 9), 1.1),
    ("GY", "平湖（贵阳）人才飞地", "贵阳市", "贵州省", "贵阳国家高新区创业园", date(2022, 5, 20), 0.8),
    ("XA", "平湖（西安）人才飞地", "西安市", "陕西省", "西安高新区创业研发园", date(2021, 11, 3), 0.9),
    ("WH", "平湖（武汉）人才飞地", "武汉市", "湖北省", "武汉东湖高新区光谷创业街", date(2022, 4, 12), 1.0),
    ("NJ", "平湖（南京）人才飞地", "南京市", "江苏省", "南京江北新区研创园", date(2020, 10, 15), 1.2),
    ("HF", "平湖（合肥）人才飞地", "合肥市", "安徽省", "合肥高新区创新产业园", date(2023, 3, 8), 0.7),
    ("CS", "平湖（长沙）人才飞地", "长沙市", "湖南省", "长沙麓谷企业广场", date(2023, 6, 16), 0.6),
    ("HRB", "平湖（哈尔滨）人才飞地", "哈尔滨市", "黑龙江省", "哈尔滨工大科技园", date(2023, 9, 22), 0.5),
    ("LZ", "平湖（兰州）人才飞地", "兰州市", "甘肃省", "兰州高新区创新创业大厦", date(2024, 4, 25), 0.4),
    ("SZ", "平湖（深圳）人才飞地", "深圳市", "广东省", "深圳南山智园", date(2024, 8, 30), 0.8),
)

# Universities with agreements (by current name), the kinds signed, and the enclave that owns them.
AGREEMENTS = (
    ("同济大学", "引才协议", "SH", date(2021, 5, 10), date(2026, 12, 31)),
    ("同济大学", "联合培养", "SH", date(2022, 9, 1), date(2027, 8, 31)),
    ("上海大学", "实习实践基地", "SH", date(2023, 3, 1), date(2026, 2, 28)),
    ("华东理工大学", "产教融合", "SH", date(2022, 6, 18), date(2027, 6, 17)),
    ("浙江大学", "引才协议", "HZ", date(2020, 11, 20), date(2025, 11, 19)),
    ("浙江大学", "联合培养", "HZ", date(2023, 9, 1), date(2028, 8, 31)),
    ("浙江工业大学", "学分互认", "HZ", date(2022, 2, 15), date(2027, 2, 14)),
    ("嘉兴大学", "产教融合", None, date(2019, 7, 1), None),
    ("电子科技大学", "引才协议", "CD", date(2022, 4, 8), date(2027, 4, 7)),
    ("西南交通大学", "联合培养", "CD", date(2023, 10, 12), date(2026, 10, 11)),
    ("贵州大学", "引才协议", "GY", date(2022, 8, 26), date(2027, 1, 31)),
    ("西安电子科技大学", "实习实践基地", "XA", date(2022, 1, 10), date(2024, 12, 31)),
    ("武汉理工大学", "联合培养", "WH", date(2023, 5, 22), date(2028, 5, 21)),
    ("南京航空航天大学", "引才协议", "NJ", date(2021, 12, 3), date(2026, 12, 2)),
    ("合肥工业大学", "学分互认", "HF", date(2023, 11, 9), date(2028, 11, 8)),
    ("哈尔滨工业大学", "联合培养", "HRB", date(2024, 3, 5), date(2029, 3, 4)),
)

# Agreements renewed (agreements.renew): university, kind of the agreement renewed, signed, starts, ends.
AGREEMENT_RENEWALS = (
    ("浙江大学", "引才协议", date(2025, 11, 6), date(2025, 11, 20), date(2030, 11, 19)),
)

# Provinces campus drives go to, most visited first (Pinghu's region, then enclave provinces).
DRIVE_PROVINCES = (
    "浙江省", "上海市", "江苏省", "安徽省", "四川省", "湖北省", "陕西省", "贵州省", "湖南省",
    "黑龙江省", "甘肃省", "广东省", "江西省", "河南省", "山东省",
)

INDUSTRIES = {
    "汽车零部件": ("汽车部件", "汽配科技", "精密机械", "动力系统"),
    "新材料": ("新材料", "复合材料", "高分子材料", "新型建材"),
    "人工智能": ("智能科技", "机器人", "智能装备", "视觉科技"),
    "航空航天": ("航空科技", "航天装备", "航空部件", "卫星技术"),
    "光电": ("光电科技", "光学", "激光技术", "半导体"),
    "数字经济": ("数字科技", "信息技术", "软件", "云计算"),
    "装备制造": ("机械", "装备制造", "智能制造", "液压"),
    "生物医药": ("生物医药", "医疗器械", "生物科技", "药业"),
}
BRANDS = (
    "景兴", "华瑞", "博创", "中润", "恒力", "嘉诚", "维科", "晨光", "星宇", "凯盛", "德力", "天正",
    "汉鼎", "瑞丰", "鼎晟", "宏达", "新港", "乍浦", "当湖", "独山", "九龙", "东湖", "曹桥", "钟埭",
    "林埭", "新埭", "广陈", "新仓", "黄姑", "全塘", "金平", "平港", "湖韵", "莫邪", "月河", "鸿翔",
    "正泰", "卓越", "聚能", "远景", "海纳", "金盛", "信和", "精工", "银河", "长虹", "华立", "中旭",
    "科瑞", "万丰", "东辰", "世纪", "云帆", "翔宇", "启明", "润泽", "海川", "嘉利", "天成", "宇航",
)
PARKS = (
    "平湖经济技术开发区", "独山港经济开发区", "张江长三角科技城平湖园", "中德产业园",
    "平湖高新技术产业园区", "乍浦经济开发区",
)
TIERS = ("种子级", "孵化级", "成长级")

POSITIONS = {
    "汽车零部件": ("机械设计工程师", "质量工程师", "工艺工程师", "汽车电子工程师", "生产管理培训生"),
    "新材料": ("材料研发工程师", "化学分析师", "工艺工程师", "质量工程师", "技术销售"),
    "人工智能": ("算法工程师", "嵌入式软件工程师", "机器视觉工程师", "产品经理", "测试工程师"),
    "航空航天": ("结构设计工程师", "复合材料工程师", "电气工程师", "试验工程师", "工艺工程师"),
    "光电": ("光学工程师", "激光器研发工程师", "半导体工艺工程师", "硬件工程师", "质量工程师"),
    "数字经济": ("Java 开发工程师", "前端开发工程师", "数据分析师", "运维工程师", "产品经理"),
    "装备制造": ("电气工程师", "机械设计工程师", "数控技师", "售后服务工程师", "生产主管"),
    "生物医药": ("药物研发员", "质量控制员", "注册专员", "临床监查员", "生产技术员"),
}
SKILLED_POSITIONS = ("数控车工", "焊工", "电工", "模具钳工", "设备维修技师", "质检员", "装配技师")

MAJORS = {
    "本科": ("机械设计制造及其自动化", "材料科学与工程", "电气工程及其自动化", "计算机科学与技术",
            "软件工程", "自动化", "车辆工程", "光电信息科学与工程", "化学工程与工艺", "高分子材料与工程",
            "电子信息工程", "数据科学与大数据技术", "工商管理", "会计学", "国际经济与贸易", "生物制药"),
    "硕士": ("机械工程", "材料工程", "控制工程", "计算机技术", "电子信息", "化学工程", "光学工程",
            "航空宇航科学与技术", "管理科学与工程", "生物与医药"),
    "博士": ("材料科学与工程", "机械工程", "控制科学与工程", "计算机科学与技术", "光学工程",
            "化学", "航空宇航科学与技术", "生物医学工程"),
    "大专": ("机电一体化技术", "数控技术", "汽车制造与试验技术", "电气自动化技术", "工业机器人技术",
            "模具设计与制造", "化工技术", "计算机应用技术", "电子商务", "物流管理"),
}

REJECT_REASONS = ("笔试未通过", "面试未通过", "专业不匹配", "学历不符合岗位要求", "岗位已招满", "背景调查未通过")
WITHDRAW_REASONS = ("已接受其他单位录用", "薪资未达预期", "家庭原因不愿离开原籍", "继续深造/考研",
                    "考公考编", "对通勤距离有顾虑", "失联")
LEFT_REASON = "离职离开平湖"
CO_SUPERVISION_LEFT = "毕业后离开平湖"
# The coded reason (db/lost_reasons.LostReason) of each text above, as migration 014's keyword rules
# code them — tests/test_demo.py checks the two agree.
LOST_CODES = {
    "笔试未通过": "job_mismatch", "面试未通过": "job_mismatch", "专业不匹配": "job_mismatch",
    "学历不符合岗位要求": "job_mismatch", "岗位已招满": "other", "背景调查未通过": "other",
    "已接受其他单位录用": "other", "薪资未达预期": "salary", "家庭原因不愿离开原籍": "location",
    "继续深造/考研": "further_study", "考公考编": "civil_service", "对通勤距离有顾虑": "location", "失联": "unreachable",
    LEFT_REASON: "other_city", CO_SUPERVISION_LEFT: "other_city",
}

ACTIVITY_TEXTS = {
    "call": ("电话沟通岗位意向，对薪资待遇较关注", "电话确认面试时间", "电话回访，已收到录用通知",
             "电话介绍平湖人才政策（购房补贴、生活补贴）"),
    "wechat": ("微信发送企业宣传资料", "微信沟通到岗时间", "微信答复落户政策问题", "微信推送岗位信息"),
    "visit": ("陪同参观企业生产线", "走访学院就业办", "陪同实地考察平湖人才公寓"),
    "meeting": ("飞地面谈，了解职业规划", "参加企业宣讲会后面谈", "与导师一起面谈课题方向"),
    "note": ("简历已转企业 HR", "候选人希望在长三角发展", "已加入平湖人才交流群", "需跟进三方协议办理"),
}

TECH_VP_TITLES = ("教授", "研究员", "副教授", "高级工程师")
FLEXIBLE_LEVELS = (("国家级", 8), ("省级", 20), ("市级", 18))
INSTITUTES = ("中国科学院宁波材料技术与工程研究所", "中国科学院上海光学精密机械研究所",
              "中国航天科技集团第八研究院", "浙江清华长三角研究院", "之江实验室", "中国电子科技集团第三十二研究所")
PROJECT_TOPICS = ("轻量化复合材料结构设计", "新能源汽车电驱系统可靠性", "工业视觉缺陷检测", "激光焊接工艺优化",
                  "光纤传感器封装", "航空紧固件疲劳寿命", "高分子膜材料改性", "智能产线数字孪生")


# 产业人才班 of DEMO_YEAR (db/programmes/events.py), "12 classes, 700+ trainees": industry, phase, starts on,
# days, new trainees, trainees back from the industry's previous class, partner university, capacity. The
# new trainees add up to REPORTED["talent_class_trainees"] (distinct people: someone back counts once).
TALENT_CLASSES = (
    ("汽车零部件", 1, date(2025, 3, 10), 10, 68, 0, "嘉兴职业技术学院", 70),
    ("新材料", 1, date(2025, 3, 24), 14, 62, 0, "嘉兴大学", 60),
    ("人工智能", 1, date(2025, 4, 14), 21, 55, 0, "浙江工业大学", 60),
    ("光电", 1, date(2025, 5, 12), 10, 58, 0, "中国计量大学", 60),
    ("装备制造", 1, date(2025, 5, 26), 28, 72, 0, "浙江机电职业技术学院", 80),
    ("生物医药", 1, date(2025, 6, 16), 14, 50, 0, "浙江理工大学", 50),
    ("航空航天", 1, date(2025, 7, 7), 10, 48, 0, None, 50),
    ("数字经济", 1, date(2025, 7, 21), 14, 64, 0, "嘉兴南湖学院", 60),
    ("汽车零部件", 2, date(2025, 9, 8), 10, 66, 3, "嘉兴职业技术学院", 70),
    ("新材料", 2, date(2025, 9, 22), 14, 60, 2, "嘉兴大学", 60),
    ("人工智能", 2, date(2025, 10, 20), 21, 58, 2, "浙江工业大学", 60),
    ("装备制造", 2, date(2025, 11, 10), 28, 75, 2, "嘉兴南洋职业技术学院", 80),
)
TALENT_CLASS_PLACES = ("平湖市技师学院", "平湖经济技术开发区人才服务中心", "独山港经济开发区人才驿站", "张江长三角科技城平湖园")
TALENT_CLASS_ORGANISER = "平湖市人力资源和社会保障局、平湖市委人才办"
# 产才对接活动 "星耀南湖·菁英荟": session, date, place, partner university, capacity, attendees.
MATCHING_EVENTS = (
    (1, date(2025, 3, 29), "平湖市人才发展中心", None, 150, 118),
    (2, date(2025, 4, 26), "平湖（上海张江）人才飞地", "同济大学", 120, 96),
    (3, date(2025, 5, 24), "平湖（杭州）人才飞地", "浙江大学", 150, 134),
    (4, date(2025, 6, 21), "平湖市人才发展中心", None, 200, 152),
    (5, date(2025, 9, 20), "平湖（南京）人才飞地", None, 120, 88),
    (6, date(2025, 10, 25), "平湖市人才发展中心", "嘉兴大学", 150, 126),
    (7, date(2025, 11, 22), "平湖（成都）人才飞地", None, 120, 91),
)
MATCHING_EVENT_NAME = "星耀南湖·菁英荟"
MATCHING_EVENT_ORGANISER = "平湖市委人才办、平湖市科技局"
