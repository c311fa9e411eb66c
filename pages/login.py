"""登录: the only screen a visitor without a session can reach."""
from __future__ import annotations

from pages import _session

_session.login_page()
