"""Domain enums with their Chinese labels — the one place codes and labels are defined."""
from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry a Chinese label: `Stage.LEAD.label == "线索"`."""

    label: str

    def __new__(cls, code: str, label: str) -> "Labelled":
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def label_of(cls, code: str | None) -> str:
        if code is None:
            return ""
        try:
            return cls(code).label
        except ValueError:
            return str(code)


class Stage(Labelled):
    LEAD = "lead", "线索"
    CONTACTED = "contacted", "已联系"
    APPLIED = "applied", "已投递"
    INTERVIEWING = "interviewing", "面试中"
    INTENT = "intent", "签约意向"
    OFFER = "offer", "已录用"
    SIGNED = "signed", "已签约"
    ARRIVED = "arrived", "已到岗"
    RETAINED = "retained", "留平1年+"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "放弃"

    @property
    def rank(self) -> int:
        return list(Stage).index(self) + 1

    @property
    def is_exit(self) -> bool:
        return self in EXIT_STAGES


PIPELINE = tuple(s for s in Stage if s not in (Stage.REJECTED, Stage.WITHDRAWN))
EXIT_STAGES = (Stage.REJECTED, Stage.WITHDRAWN)


class TalentCategory(Labelled):
    YOUNG_PHD = "young_phd", "青年博士"
    YOUNG_GRADUATE = "young_graduate", "青年大学生"
    HIGH_SKILL = "high_skill", "高能人才"
    HIGH_LEVEL = "high_level", "高层次人才"
    TECH_VP = "tech_vp", "科技副总"
    OTHER = "other", "其他"


# The three categories the city reports hires for, in its own order.
REPORTED_CATEGORIES = (TalentCategory.YOUNG_PHD, TalentCategory.YOUNG_GRADUATE, TalentCategory.HIGH_SKILL)


class Degree(Labelled):
    ASSOCIATE = "大专", "大专"
    BACHELOR = "本科", "本科"
    MASTER = "硕士", "硕士"
    DOCTOR = "博士", "博士"
    POSTDOC = "博士后", "博士后"


class Channel(Labelled):
    ENCLAVE = "enclave", "人才飞地"
    CAMPUS_DRIVE = "campus_drive", "校园招聘"
    AGREEMENT = "agreement", "校地协议"
    JOINT_TRAINING = "joint_training", "联合培养"
    REFERRAL = "referral", "内部推荐"
    ONLINE = "online", "网络招聘"
    WALK_IN = "walk_in", "现场来访"
    OTHER = "other", "其他"


class AgreementKind(Labelled):
    RECRUITMENT = "引才协议", "引才协议"
    CREDIT = "学分互认", "学分互认"
    JOINT_TRAINING = "联合培养", "联合培养"
    INTERNSHIP = "实习实践基地", "实习实践基地"
    INDUSTRY = "产教融合", "产教融合"


class AgreementStatus(Labelled):
    ACTIVE = "active", "有效"
    EXPIRING = "expiring", "即将到期"
    EXPIRED = "expired", "已到期"
    NOT_STARTED = "not_started", "未生效"


class AppointmentKind(Labelled):
    TECH_VP = "tech_vp", "科技副总"
    FLEXIBLE = "flexible", "柔性引进"


class DriveStatus(Labelled):
    PLANNED = "planned", "计划中"
    HELD = "held", "已举办"
    CANCELLED = "cancelled", "已取消"


class Level(Labelled):
    NATIONAL = "国家级", "国家级"
    PROVINCIAL = "省级", "省级"
    CITY = "市级", "市级"


class CoSupervisionKind(Labelled):
    JOINT = "联培", "联培"
    COMMISSIONED = "委培", "委培"


class CoSupervisionOutcome(Labelled):
    PENDING = "pending", "待定"
    STAYED = "stayed", "留平就业"
    LEFT = "left", "离开平湖"


class DeclarationStatus(Labelled):
    PREPARING = "preparing", "筹备"
    SUBMITTED = "submitted", "已申报"
    REVIEWING = "reviewing", "评审中"
    SELECTED = "selected", "入选"
    NOT_SELECTED = "not_selected", "未入选"


GOLDEN_EAGLE_TIERS = ("种子级", "孵化级", "成长级")
INDUSTRIES = ("汽车零部件", "新材料", "人工智能", "航空航天", "光电", "数字经济", "智能制造", "生物医药", "装备制造",
              "现代服务业", "其他")


class Role(Labelled):
    RECRUITER = "recruiter", "招才专员"
    MANAGER = "manager", "管理者"
    HR = "hr", "人事/数据"
    ADMIN = "admin", "系统管理员"


class ActivityKind(Labelled):
    NOTE = "note", "备注"
    CALL = "call", "电话"
    VISIT = "visit", "走访"
    WECHAT = "wechat", "微信"
    MEETING = "meeting", "面谈"


YOUTH_AGE_LIMIT = 35   # 青年: 35 岁及以下 (the city's definition)
GRADUATE_DEGREES = (Degree.ASSOCIATE, Degree.BACHELOR, Degree.MASTER)
DOCTORAL_DEGREES = (Degree.DOCTOR, Degree.POSTDOC)


def derive_talent_category(degree: str | None, birth_year: int | None, year: int) -> TalentCategory:
    """The category a person falls in when nobody set one: by degree, and age in `year`.

    Unknown age counts as young: people reach us as students or recent graduates.
    High-skill and high-level talents are not derivable from a degree and are set by hand.
    """
    young = birth_year is None or year - birth_year <= YOUTH_AGE_LIMIT
    if degree in DOCTORAL_DEGREES:
        return TalentCategory.YOUNG_PHD if young else TalentCategory.OTHER
    if degree in GRADUATE_DEGREES:
        return TalentCategory.YOUNG_GRADUATE if young else TalentCategory.OTHER
    return TalentCategory.OTHER
