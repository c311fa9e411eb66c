"""Domain errors raised by db/ commands; each carries a Chinese message a screen can show as is."""
from __future__ import annotations


class DomainError(Exception):
    """Base class: `str(error)` is a complete, user-facing Simplified Chinese sentence."""


class PermissionDenied(DomainError):
    pass


class ValidationError(DomainError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    pass


class DuplicateCandidate(DomainError):
    def __init__(self, message: str, *, existing_id: int) -> None:
        super().__init__(message)
        self.existing_id = existing_id


class ConcurrentEdit(DomainError):
    """Someone else changed the row since it was read, and retrying would overwrite their work."""


class DatabaseBusy(DomainError):
    """Another process (usually the running app) holds the database file."""


class SchemaTooNew(DomainError):
    """The database was migrated by a newer version of the code than this one."""


class DatabaseUnusable(DomainError):
    """The database file cannot be opened or read: damaged, not a database, a folder, or out of reach."""
