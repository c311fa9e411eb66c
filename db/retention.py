"""Retention of hires: the 6-, 12- and 36-month follow-ups after arrival, and which are due."""
from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from db import audit, candidates, clock
from db.enums import Stage
from db.errors import ValidationError
from db.permissions import Action, User, require, scope_enclave
from db.pipeline import load_application, require_person_editable, retrying
from db.sql import Cursor, frame, next_id, scalar
from db.stage_rules import clean

RETENTION_MONTHS = (6, 12, 36)


def record_retention_check(
    cur: Cursor, actor: User, application_id: int, *, months: int, checked_on: date, still_employed: bool,
    still_in_pinghu: bool, note: str | None = None,
) -> int:
    """Record the 6-, 12- or 36-month follow-up of a hire; returns the check's id."""
    if months not in RETENTION_MONTHS:
        raise ValidationError("留平回访只在到岗后 6、12 或 36 个月进行。", field="months")
    if checked_on > clock.today():
        raise ValidationError(f"回访日期 {checked_on} 晚于今天，请填写实际回访的日期。", field="checked_on")
    note = clean(note, "回访备注")

    def work(cur: Cursor) -> int:
        app = load_application(cur, application_id)
        require_person_editable(cur, actor, app.candidate_id)
        if app.stage not in (Stage.ARRIVED, Stage.RETAINED):
            raise ValidationError(f"只有「已到岗」或「留平1年+」的投递需要留平回访（当前：{Stage.label_of(app.stage)}）。")
        arrived_at = scalar(cur, "select max(occurred_at) from stage_event where application_id = $id"
                                 " and to_stage = 'arrived'", {"id": app.id})
        if arrived_at is not None and checked_on < arrived_at.date():
            raise ValidationError(f"回访日期不能早于到岗日期（{arrived_at.date()}）。", field="checked_on")
        done = scalar(cur, "select min(checked_on) from retention_check where application_id = $id and months = $m",
                      {"id": app.id, "m": months})
        if done is not None:
            raise ValidationError(f"该投递已登记过到岗 {months} 个月回访（{done}）。")
        check_id = next_id(cur, "seq_retention_check")
        values = {"id": check_id, "app": app.id, "m": months, "on": checked_on, "employed": still_employed,
                  "pinghu": still_in_pinghu, "note": note, "by": actor.username}
        cur.execute("insert into retention_check (id, application_id, months, checked_on, still_employed,"
                    " still_in_pinghu, note, checked_by) values ($id, $app, $m, $on, $employed, $pinghu, $note, $by)",
                    values)
        # The check changes which moves are allowed: bump the version (and serialise double entry).
        cur.execute("update application set version = version + 1 where id = $id", {"id": app.id})
        audit.record(cur, actor, "retention_check", entity="application", entity_id=app.id,
                     after={k: values[k] for k in ("m", "on", "employed", "pinghu", "note")},
                     detail=f"到岗 {months} 个月留平回访：{'仍在平湖' if still_in_pinghu else '已离开平湖'}")
        return check_id

    return retrying(cur, work)


def retention_due(cur: Cursor, actor: User, *, today: date | None = None, within_days: int = 0,
                  limit: int = 200) -> pl.DataFrame:
    """Hires whose 6/12/36-month check falls due by `today` (+ `within_days`) and is not recorded:
    one row per application, its latest milestone due (a 12-month check also answers the 6-month
    one), oldest first; `total` counts all rows before `limit`. Recruiters: own enclave."""
    require(actor, Action.READ_PROGRAMMES)
    today = today or clock.today()
    scope, params = "", {"until": today + timedelta(days=within_days), "today": today, "limit": limit}
    if actor.is_recruiter:
        scope = "and c.enclave_id = $enclave_id"
        params["enclave_id"] = scope_enclave(actor)
    due = frame(
        cur,
        f"""
        with arrivals as (
            select application_id, cast(max(occurred_at) as date) as arrived_on
            from stage_event where to_stage = 'arrived' group by application_id
        ), checked as (
            select application_id, max(months) as months from retention_check group by application_id
        ), hires as (
            select a.id as application_id, a.candidate_id, a.employer_id, a.stage, a.version, ar.arrived_on,
                   case when ar.arrived_on + interval '36 months' <= $until then 36
                        when ar.arrived_on + interval '12 months' <= $until then 12
                        when ar.arrived_on + interval '6 months' <= $until then 6 end as months,
                   coalesce(ck.months, 0) as checked_months
            from application a
            join arrivals ar on ar.application_id = a.id
            left join checked ck on ck.application_id = a.id
            where a.stage in ('arrived', 'retained')
        ), due as (
            select h.*, cast(h.arrived_on + case h.months when 36 then interval '36 months'
                                                  when 12 then interval '12 months'
                                                  else interval '6 months' end as date) as due_on
            from hires h
            where h.months > h.checked_months
              and h.candidate_id in (select id from candidate c
                                     where c.merged_into is null and c.deleted_at is null {scope})
        ), page as (
            -- narrow rows are counted, sorted and cut; names are joined for the page only
            select d.*, count(*) over () as total from due d order by d.due_on, d.application_id limit $limit
        )
        select p.application_id, p.candidate_id, c.name, c.mobile, c.email, c.enclave_id, en.name as enclave,
               e.name as employer, p.stage, p.version, p.arrived_on, p.months, p.due_on,
               $today - p.due_on as days_overdue, p.total
        from page p
        join candidate c on c.id = p.candidate_id
        left join enclave en on en.id = c.enclave_id
        left join employer e on e.id = p.employer_id
        order by p.due_on, p.application_id
        """,
        params,
    )
    return candidates.mask_frame(due, actor)
