"""The workbook's contract: its sheets, in the order they are written, and each sheet's columns.

A column of a register sheet is that register's Field (label and synonyms are header spellings);
the header the template writes comes first. Columns the contract does not list but the register
has (备注, 联系人, 开题 …) are accepted too; the template leaves them out, the 说明 sheet names them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from db.enums import AppointmentKind, DriveStatus
from db.programmes import agreements, appointments, co_supervision, declarations, drives, employers, enclaves, targets
from db.programmes.register import Field, Register
from loaders.importer.normalise import DEGREES
from loaders.registers.cells import header_key

# Kinds of column: a register field's own kind, a reference written as a name, or one of these.
REFERENCES = ("enclave", "employer", "university", "drive")
EMPLOYER_NAMES = ("企业名称", "企业", "单位名称", "公司名称", "单位", "公司")
DATE_HELP = "日期，如 2025-06-30、2025/6/30、2025年6月30日；Excel 日期单元格也可以"
KIND_HELP = {
    "text": "文字", "long_text": "文字（可多行）", "date": DATE_HELP, "int": "不小于 0 的整数",
    "bool": "是 或 否（也可写 Y/N、1/0、√）",
    "enclave": "飞地编码或名称（须已登记，或写在本工作簿的「飞地」表中）",
    "employer": "企业名称（须已登记，或写在本工作簿的「企业」表中；空格、全角/半角括号不影响匹配）",
    "university": "高校全称，或常用的曾用名、简称（如 浙大、上海体育学院）",
    "drive": "校园招聘的名称（须已登记，或写在本工作簿的「校园招聘」表中）",
    "mobile": "11 位手机号", "email": "电子邮箱",
}


@dataclass(frozen=True)
class Column:
    key: str                                    # the register field, or the sheet's own name for it
    header: str                                 # what the template writes
    kind: str                                   # a Field kind, a REFERENCES kind, credit_code, mobile, email
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: Mapping[str, str] | None = None    # code → label
    aliases: Mapping[str, str] = field(default_factory=dict)   # other spellings → code
    month_ok: bool = False                      # a month without a day means the 1st
    help: str = ""
    example: Any = None
    in_template: bool = True

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)

    @property
    def explained(self) -> str:
        if self.help:
            return self.help
        if self.choices is not None:
            return "可选：" + "、".join(self.choices.values())
        return KIND_HELP.get(self.kind, "文字")


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]                        # the natural key's columns, named in messages
    register: Register | None = None
    synonyms: tuple[str, ...] = ()
    help: str = ""

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def headers(self) -> dict[str, Column]:
        """Every accepted header spelling (header_key) → its column."""
        found: dict[str, Column] = {}
        for column in self.columns:
            for spelling in column.spellings:
                other = found.setdefault(header_key(spelling), column)
                assert other is column, (self.name, spelling, other.key, column.key)
        return found


def from_field(f: Field, header: str | None = None, *, kind: str | None = None, required: bool | None = None,
               example: Any = None, synonyms: tuple[str, ...] = (), help: str | None = None,
               in_template: bool = True, month_ok: bool = False, aliases: Mapping[str, str] | None = None) -> Column:
    shown = header or f.label
    spellings = tuple(s for s in dict.fromkeys((f.label, *f.synonyms, *synonyms)) if s != shown)
    column_kind = kind or (f.ref if f.kind == "ref" else f.kind)
    return Column(f.name, shown, column_kind, f.required if required is None else required, spellings, f.choices,
                  dict(aliases or {}), month_ok, help if help is not None else (f.help or ""), example, in_template)


def extras(register: Register, *names: str) -> tuple[Column, ...]:
    """Register fields a sheet accepts without the template listing them."""
    return tuple(from_field(register.field(n), in_template=False) for n in names)


E, P = employers.REGISTER, employers.POSITIONS
A, D, S = agreements.REGISTER, drives.REGISTER, co_supervision.REGISTER
T, R = appointments.REGISTER, declarations.REGISTER
EXAMPLE_ENCLAVE, EXAMPLE_EMPLOYER, EXAMPLE_SCHOOL = "SH", "平湖示例光电科技有限公司", "浙江大学"
EXAMPLE_DRIVE = "2025 扬帆计划·浙江大学专场"

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("飞地", (
        from_field(enclaves.REGISTER.field("code"), required=True, example=EXAMPLE_ENCLAVE),
        from_field(enclaves.REGISTER.field("name"), example="平湖（上海张江）人才飞地"),
        from_field(enclaves.REGISTER.field("city"), example="上海市"),
        from_field(enclaves.REGISTER.field("province"), example="上海市", help="省份全称，如 上海市、四川省"),
        from_field(enclaves.REGISTER.field("host_organisation"), example="张江科学城创新中心"),
        from_field(enclaves.REGISTER.field("address"), example="上海市浦东新区张江路 100 号"),
        from_field(enclaves.REGISTER.field("opened_on"), month_ok=True, example=date(2019, 6, 18),
                   help=DATE_HELP + "；只写年月（2019年6月）按当月 1 日"),
    ), key=("code",), register=enclaves.REGISTER, synonyms=("人才飞地", "飞地名录"),
        help="按「编码」匹配已有飞地：编码相同即更新该飞地。"),
    SheetSpec("企业", (
        from_field(E.field("name"), example=EXAMPLE_EMPLOYER),
        from_field(E.field("credit_code"), kind="credit_code", example="91330482MA2JX00013"),
        from_field(E.field("industry"), example="光电"),
        from_field(E.field("park"), example="平湖经济技术开发区"),
        from_field(E.field("golden_eagle_tier"), example="成长级"),
        from_field(E.field("is_high_tech"), help="是 或 否（也可写 Y/N、1/0、√）；空白为否", example="是"),
        *extras(E, "contact_name", "contact_phone"),
    ), key=("name",), register=E, synonyms=("企业名录", "平湖企业"),
        help="按「统一社会信用代码」匹配已有企业，未填代码时按企业名称（空格、全角/半角括号不影响）。"),
    SheetSpec("岗位", (
        from_field(P.field("employer_id"), "企业名称", synonyms=EMPLOYER_NAMES, example=EXAMPLE_EMPLOYER),
        from_field(P.field("title"), example="光学工程师"),
        from_field(P.field("degree_required"), aliases=DEGREES, example="硕士"),
        from_field(P.field("headcount"), example=5),
    ), key=("employer_id", "title"), register=P, synonyms=("企业岗位", "岗位需求"),
        help="按「企业名称 + 岗位名称」匹配已有岗位。"),
    SheetSpec("院校协议", (
        from_field(A.field("university_id"), example=EXAMPLE_SCHOOL),
        from_field(A.field("kind"), example="引才协议"),
        from_field(A.field("starts_on"), example=date(2025, 1, 1)),
        from_field(A.field("ends_on"), example=date(2027, 12, 31)),
        from_field(A.field("signed_on"), example=date(2024, 12, 20)),
        from_field(A.field("enclave_id"), example=EXAMPLE_ENCLAVE),
        from_field(A.field("title"), example="浙江大学引才合作协议"),
        from_field(A.field("quota"), example=20),
        *extras(A, "notes"),
    ), key=("university_id", "kind", "starts_on"), register=A, synonyms=("校地协议", "高校协议", "协议"),
        help="按「高校 + 协议类型 + 开始日期」匹配已有协议。"),
    SheetSpec("校园招聘", (
        from_field(D.field("title"), example=EXAMPLE_DRIVE),
        from_field(D.field("programme"), example="扬帆计划"),
        from_field(D.field("university_id"), example=EXAMPLE_SCHOOL),
        from_field(D.field("held_on"), example=date(2025, 10, 15)),
        from_field(D.field("enclave_id"), example=EXAMPLE_ENCLAVE),
        from_field(D.field("city"), example="杭州市"),
        from_field(D.field("status"), required=False, aliases={"计划": DriveStatus.PLANNED},
                   help="可选：计划、已举办、已取消；不填时新登记的场次按日期定（今天及以前为已举办），已有场次保持不变",
                   example="已举办"),
        *extras(D, "notes"),
    ), key=("title",), register=D, synonyms=("校园招聘会", "招聘会", "扬帆计划"),
        help="按「名称」匹配已有场次，名称须唯一。"),
    SheetSpec("参会企业", (
        Column("drive", "校园招聘名称", "drive", True, ("校园招聘", "场次名称", "招聘会名称", "专场名称"),
               example=EXAMPLE_DRIVE),
        Column("employer", "企业名称", "employer", True, EMPLOYER_NAMES[1:], example=EXAMPLE_EMPLOYER),
        Column("positions", "岗位数", "int", True, ("提供岗位数", "岗位数量", "岗位"), help="该企业在这场招聘中提供的岗位数",
               example=12),
    ), key=("drive", "employer"), synonyms=("校园招聘参会企业", "参会单位"),
        help="按「校园招聘名称 + 企业名称」匹配：已登记的参会企业更新岗位数。"),
    SheetSpec("联合培养", (
        Column("student", "学生姓名", "text", True, ("学生", "姓名"), example="林晓"),
        Column("mobile", "手机号码", "mobile", False, ("手机号", "手机", "联系电话", "电话"),
               help="11 位手机号；与电子邮箱至少填一项，用来找到已建档的学生", example="13800000000"),
        Column("email", "电子邮箱", "email", False, ("邮箱", "email", "e-mail", "电子邮件"),
               help="与手机号码至少填一项", example="linxiao@example.com"),
        from_field(S.field("university_id"), required=True, example=EXAMPLE_SCHOOL),
        from_field(S.field("employer_id"), "企业名称", synonyms=EMPLOYER_NAMES[1:] + ("培养企业",),
                   example=EXAMPLE_EMPLOYER),
        from_field(S.field("enterprise_mentor"), example="王工"),
        from_field(S.field("university_mentor"), example="陈教授"),
        from_field(S.field("kind"), example="联培"),
        from_field(S.field("topic"), example="车载激光雷达光学设计"),
        from_field(S.field("starts_on"), example=date(2025, 9, 1)),
        from_field(S.field("expected_graduation"), month_ok=True, example=date(2027, 6, 30),
                   help=DATE_HELP + "；只写年月（2027年6月）按当月 1 日"),
        from_field(S.field("outcome"), required=False, example="待定",
                   help="可选：待定、留平就业、离开平湖；不填时新记录为待定，已有记录保持不变"),
        *extras(S, "proposal_on", "midterm_on", "defence_on"),
        from_field(S.field("outcome_employer_id"), in_template=False,
                   help="去向为留平就业时的就业企业；不填则为培养企业"),
    ), key=("student", "employer_id"), register=S, synonyms=("联合培养研究生", "联培学生"),
        help="按「学生（手机号码或电子邮箱）+ 企业名称」匹配已有记录；系统中还没有的学生会新建候选人档案。"),
    SheetSpec("科技副总与柔性引进", (
        from_field(T.field("kind"), example="科技副总"),
        from_field(T.field("person_name"), example="赵教授"),
        from_field(T.field("title"), example="研究员"),
        from_field(T.field("level"), example="省级"),
        from_field(T.field("home_institution"), example="浙江大学光电科学与工程学院"),
        from_field(T.field("employer_id"), "企业名称", synonyms=EMPLOYER_NAMES[1:], example=EXAMPLE_EMPLOYER),
        from_field(T.field("enclave_id"), example=EXAMPLE_ENCLAVE),
        from_field(T.field("starts_on"), example=date(2025, 3, 1)),
        from_field(T.field("ends_on"), example=date(2027, 2, 28)),
        *extras(T, "notes"),
    ), key=("kind", "person_name", "starts_on"), register=T,
        synonyms=("科技副总", "柔性引进", "科技副总·柔性引进", "科技副总、柔性引进", "科技副总和柔性引进"),
        help="按「类型 + 姓名 + 开始日期」匹配已有记录。"),
    SheetSpec("人才项目申报", (
        from_field(R.field("programme"), example="省级人才计划"),
        from_field(R.field("level"), example="省级"),
        from_field(R.field("batch"), example="2025 第一批"),
        from_field(R.field("applicant_name"), required=True, example="赵教授"),
        from_field(R.field("employer_id"), "企业名称", synonyms=EMPLOYER_NAMES[1:] + ("申报单位",),
                   example=EXAMPLE_EMPLOYER),
        from_field(R.field("submitted_on"), example=date(2025, 4, 10)),
        from_field(R.field("status"), required=False, example="已申报",
                   help="可选：筹备、已申报、评审中、入选、未入选；不填时新记录按是否有申报日期定，已有记录保持不变"),
        *extras(R, "year", "result_on", "notes"),
    ), key=("programme", "batch", "applicant_name"), register=R, synonyms=("项目申报", "人才申报", "申报"),
        help="按「项目名称 + 批次 + 申报人」匹配已有申报。"),
    SheetSpec("目标", (
        Column("year", "年度", "int", True, ("年份",), example=2025),
        Column("enclave", "飞地", "enclave", False, ("所属飞地", "范围"),
               help="飞地编码或名称；不填（或写「全市」）为全市目标", example=EXAMPLE_ENCLAVE),
        Column("metric", "指标", "choice", True, ("目标指标", "类别"), choices=targets.METRICS, example="青年大学生"),
        Column("value", "目标值", "int", True, ("目标", "数值", "目标数"), example=800),
    ), key=("year", "enclave", "metric"), synonyms=("年度目标",),
        help="按「年度 + 飞地 + 指标」匹配：已有目标更新目标值。指标可选：" + "、".join(targets.METRICS.values()) + "。"),
)
ORDER = tuple(s.name for s in SHEETS)
NOTES_SHEET = "说明"
IGNORED_SHEETS = (NOTES_SHEET, "填写说明", "使用说明", "readme")


def spec_for(sheet_name: str) -> SheetSpec | None:
    """The sheet a workbook's tab means, by name or a synonym (spacing and width ignored)."""
    key = header_key(sheet_name)
    return next((s for s in SHEETS if key in {header_key(n) for n in (s.name, *s.synonyms)}), None)
