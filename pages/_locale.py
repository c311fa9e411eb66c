"""Streamlit's own words in Chinese, in one place.

Streamlit 1.67 has no locale setting. Where a widget takes the text as a parameter, the default is
set here once (select boxes say "Choose an option" unless told otherwise); where it does not (the
uploader, the skip link, "Press Enter to submit form", the date placeholder), a style sheet hides the
English and, where the text matters, shows the Chinese instead (an empty date reads 年 / 月 / 日, not
yyyy / mm / dd). `apply()` runs on every screen (the
gate calls it). None of this carries user text.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

PLACEHOLDERS = {"selectbox": "请选择", "multiselect": "请选择（可多选）"}
STYLE = """<style>
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 0.875rem; }
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "拖放文件到这里，或点击「选择文件」；单个文件不超过 200 MB"; font-size: 0.875rem; }
[data-testid="stSkipToContent"] { font-size: 0; }
[data-testid="stSkipToContent"]::after { content: "跳到主要内容"; font-size: 1rem; }
[data-testid="InputInstructions"] { display: none; }
[data-testid="stDateInputField"] span[data-placeholder="true"] { font-size: 0; }
[data-testid="stDateInputField"] span[data-placeholder="true"]::before { font-size: 0.875rem; opacity: 0.6; }
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="year"]::before { content: "年"; }
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="month"]::before { content: "月"; }
[data-testid="stDateInputField"] span[data-placeholder="true"][data-type="day"]::before { content: "日"; }
</style>"""


def _chinese_placeholder(method: Callable[..., Any], text: str) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("placeholder") is None:
            kwargs["placeholder"] = text
        return method(*args, **kwargs)

    call.__chinese__ = True  # type: ignore[attr-defined]
    return call


def _install() -> None:
    """Wrap the widget functions once per process: the class's (columns, forms, the sidebar) and
    the module's own, which are bound to the main area before any wrapping."""
    for name, text in PLACEHOLDERS.items():
        if not getattr(getattr(DeltaGenerator, name), "__chinese__", False):
            setattr(DeltaGenerator, name, _chinese_placeholder(getattr(DeltaGenerator, name), text))
        if not getattr(getattr(st, name), "__chinese__", False):
            setattr(st, name, _chinese_placeholder(getattr(st, name), text))


_install()


def apply() -> None:
    """The style sheet, on this screen."""
    st.html(STYLE)
