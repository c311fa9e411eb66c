"""Who may do what: the role table of DESIGN.md as code, checked inside every db/ command."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from db.enums import Role
from db.errors import PermissionDenied


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    enclave_id: int | None = None
    display_name: str = ""

    @property
    def is_recruiter(self) -> bool:
        return self.role == Role.RECRUITER


# The actor for CLI work (imports, demo data, reports) run by whoever can open the database file.
SYSTEM = User(id=0, username="system", role=Role.ADMIN, display_name="系统")


class Action(Enum):
    VIEW_DASHBOARD = "view_dashboard"          # recruiters: own enclave only
    VIEW_ALL_CONTACTS = "view_all_contacts"    # unmasked mobile/e-mail outside one's own enclave
    EDIT_CANDIDATES = "edit_candidates"        # recruiters: own enclave only
    IMPORT = "import"
    EXPORT_UNMASKED = "export_unmasked"
    READ_PROGRAMMES = "read_programmes"
    EDIT_PROGRAMMES = "edit_programmes"
    ADMINISTER = "administer"                  # users, audit log, backups


ALLOWED: dict[Action, frozenset[str]] = {
    Action.VIEW_DASHBOARD: frozenset({Role.RECRUITER, Role.MANAGER, Role.HR, Role.ADMIN}),
    Action.VIEW_ALL_CONTACTS: frozenset({Role.MANAGER, Role.HR, Role.ADMIN}),
    Action.EDIT_CANDIDATES: frozenset({Role.RECRUITER, Role.HR, Role.ADMIN}),
    Action.IMPORT: frozenset({Role.HR, Role.ADMIN}),
    Action.EXPORT_UNMASKED: frozenset({Role.MANAGER, Role.HR, Role.ADMIN}),
    Action.READ_PROGRAMMES: frozenset({Role.RECRUITER, Role.MANAGER, Role.HR, Role.ADMIN}),
    Action.EDIT_PROGRAMMES: frozenset({Role.MANAGER, Role.HR, Role.ADMIN}),
    Action.ADMINISTER: frozenset({Role.ADMIN}),
}

# Actions a recruiter may take only inside their own enclave.
ENCLAVE_SCOPED = frozenset({Action.VIEW_DASHBOARD, Action.EDIT_CANDIDATES})

DENIED_MESSAGES = {
    Action.VIEW_DASHBOARD: "您无权查看该统计。",
    Action.VIEW_ALL_CONTACTS: "您无权查看其他飞地人员的完整联系方式。",
    Action.EDIT_CANDIDATES: "您无权修改该候选人：招才专员只能维护本飞地的人员。",
    Action.IMPORT: "只有人事/数据岗和管理员可以导入文件。",
    Action.EXPORT_UNMASKED: "您无权导出未脱敏的个人信息。",
    Action.READ_PROGRAMMES: "您无权查看项目信息。",
    Action.EDIT_PROGRAMMES: "招才专员只能查看项目信息，不能修改。",
    Action.ADMINISTER: "只有系统管理员可以管理账号、审计日志和备份。",
}


def can(user: User, action: Action, *, enclave_id: int | None = None, scoped: bool = False) -> bool:
    """True when `user` may take `action`; pass `scoped=True` with the target's enclave when one exists."""
    if user.role not in ALLOWED[action]:
        return False
    if scoped and user.is_recruiter and action in ENCLAVE_SCOPED:
        return enclave_id is not None and enclave_id == user.enclave_id
    return True


def require(user: User, action: Action, *, enclave_id: int | None = None, scoped: bool = False) -> None:
    if not can(user, action, enclave_id=enclave_id, scoped=scoped):
        raise PermissionDenied(DENIED_MESSAGES[action])


def scope_enclave(user: User) -> int | None:
    """The enclave a user's dashboards and lists are limited to; None means the whole city."""
    return user.enclave_id if user.is_recruiter else None
