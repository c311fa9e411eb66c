"""The screens, their titles, and which roles may open them: crm_app's navigation and every
screen's own gate read this one table."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from db.enums import Role

HERE = Path(__file__).parent
EVERYONE = frozenset(Role)
EDITORS = frozenset({Role.RECRUITER, Role.HR, Role.ADMIN})   # who may create and edit candidates
PROGRAMME_EDITORS = frozenset({Role.MANAGER, Role.HR, Role.ADMIN})


@dataclass(frozen=True)
class Screen:
    file: str
    title: str
    icon: str
    section: str
    roles: frozenset[str]
    default: bool = False
    hidden: bool = False        # reachable (e.g. by switch_page) but not listed in the menu

    @property
    def url_path(self) -> str:
        return self.file.removesuffix(".py")


SCREENS: tuple[Screen, ...] = (
    Screen("overview.py", "总览", ":material/dashboard:", "工作台", EVERYONE, default=True),
    Screen("candidates.py", "候选人", ":material/group:", "工作台", EVERYONE),
    Screen("candidate.py", "候选人详情", ":material/person_search:", "工作台", EVERYONE, hidden=True),
    Screen("candidate_new.py", "新建候选人", ":material/person_add:", "工作台", EDITORS),
    Screen("duplicates.py", "重复候选人", ":material/join:", "工作台", EDITORS),
    Screen("follow_ups.py", "待跟进", ":material/notifications_active:", "工作台", EDITORS),
    Screen("board.py", "流程看板", ":material/view_kanban:", "工作台", EVERYONE),
    Screen("programme_enclaves.py", "人才飞地", ":material/location_city:", "项目管理", EVERYONE),
    Screen("programme_employers.py", "企业与岗位", ":material/factory:", "项目管理", EVERYONE),
    Screen("programme_agreements.py", "院校协议", ":material/handshake:", "项目管理", EVERYONE),
    Screen("programme_drives.py", "校园招聘", ":material/school:", "项目管理", EVERYONE),
    Screen("programme_events.py", "人才活动", ":material/event:", "项目管理", EVERYONE),
    Screen("programme_co_supervision.py", "联合培养", ":material/supervisor_account:", "项目管理", EVERYONE),
    Screen("programme_appointments.py", "科技副总·柔性引进", ":material/workspace_premium:", "项目管理", EVERYONE),
    Screen("programme_declarations.py", "人才项目申报", ":material/military_tech:", "项目管理", EVERYONE),
    Screen("programme_targets.py", "目标", ":material/flag:", "项目管理", EVERYONE),
    Screen("analysis_funnel.py", "漏斗", ":material/filter_alt:", "分析", EVERYONE),   # recruiters: own enclave
    Screen("analysis_sources.py", "来源", ":material/source:", "分析", EVERYONE),
    Screen("analysis_time.py", "时长", ":material/hourglass_top:", "分析", EVERYONE),
    Screen("analysis_lost.py", "流失原因", ":material/trending_down:", "分析", EVERYONE),
    Screen("analysis_retention.py", "留平", ":material/home_pin:", "分析", EVERYONE),     # recruiters: own enclave
    Screen("analysis_targets.py", "目标进度", ":material/track_changes:", "分析", EVERYONE),
    Screen("analysis_report.py", "年度报告", ":material/summarize:", "分析", EVERYONE),   # recruiters: own enclave
    Screen("import_data.py", "导入", ":material/upload_file:", "数据", frozenset({Role.HR, Role.ADMIN})),
    Screen("import_registers.py", "台账导入", ":material/table_view:", "数据", PROGRAMME_EDITORS),
    Screen("signup_review.py", "扫码报名审核", ":material/fact_check:", "数据", EDITORS),   # recruiters: own enclave's drives
    Screen("admin_users.py", "用户管理", ":material/manage_accounts:", "系统管理", frozenset({Role.ADMIN})),
    Screen("admin_audit.py", "审计日志", ":material/policy:", "系统管理", frozenset({Role.ADMIN})),
    Screen("admin_backup.py", "备份", ":material/backup:", "系统管理", frozenset({Role.ADMIN})),
    Screen("account.py", "我的账户", ":material/person:", "账户", EVERYONE),
)


def allowed(role: str, file: str) -> bool:
    name = Path(file).name
    return any(s.file == name and role in s.roles for s in SCREENS)


def navigation(role: str) -> dict[str, list[st.Page]]:
    """Sections of st.Page for a role; a screen not listed cannot be reached through navigation."""
    sections: dict[str, list[st.Page]] = {}
    for s in SCREENS:
        if role in s.roles:
            page = st.Page(HERE / s.file, title=s.title, icon=s.icon, url_path=s.url_path, default=s.default,
                           visibility="hidden" if s.hidden else "visible")
            sections.setdefault(s.section, []).append(page)
    return sections


def login_navigation() -> list[st.Page]:
    """What a visitor without a session can reach: the login page — and, hidden, every screen's address,
    so a shared link (/candidate?id=5) opens its screen after login instead of Streamlit's English
    "Page not found". Each screen's gate shows the login form first; nothing of the screen runs before."""
    hidden = [st.Page(HERE / s.file, title=s.title, url_path=s.url_path, visibility="hidden")
              for s in SCREENS if not s.default]
    return [st.Page(HERE / "login.py", title="登录", icon=":material/login:", default=True), *hidden]
