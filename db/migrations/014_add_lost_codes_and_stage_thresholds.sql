-- why: managers count why people leave the pipeline and who is stuck in it — an exit (未通过 / 放弃) carries a coded reason from the office's short list (its free text kept beside it), the free-text reasons entered before are coded once here by keyword, and the days after which a person counts as stuck in an open stage are stored per stage, editable by managers and admins.
--
-- application.lost_code is one of the codes of db/lost_reasons.LostReason:
--   salary 薪资 · location 地域 · job_mismatch 岗位不匹配 · further_study 继续深造 · civil_service 考公考编
--   · other_city 去其他城市 · unreachable 联系不上 · other 其他
-- set on every application in rejected/withdrawn, null on the others. DuckDB cannot add a column with a
-- CHECK, and rebuilding application (as 010 did) is not worth it for one column: db/pipeline.py writes
-- only codes of the enum and refuses an exit without one; `python -m db check` verifies it (db/integrity.py).
--
-- The mapping of the existing texts, first rule that matches wins (the order settles texts that name two
-- things, e.g. "继续深造/考研" before anything about salary). Rejections after a test or interview are
-- coded 岗位不匹配: the employer found person and position did not fit. Texts that match no rule — and
-- exits without any text — are coded 其他; their text stays in lost_reason as it was.
--   1 unreachable    失联 联系不上 联系不到 无法联系 电话不通 未接 不回复 无回应
--   2 civil_service  考公 考编 公务员 事业编 事业单位 选调
--   3 further_study  深造 考研 读研 读博 考博 升学 留学
--   4 salary         薪 (薪资 薪酬 薪水 月薪 年薪 …) 工资 待遇 收入
--   5 other_city     其他城市 别的城市 外地 离开平湖
--   6 location       地域 地理 通勤 距离 太远 偏远 原籍 家乡 老家 异地
--   7 job_mismatch   不匹配 不对口 不符 专业 笔试未通过 面试未通过
--   8 other          everything else

alter table application add column lost_code varchar;

update application set lost_code = case
    when lost_reason like '%失联%' or lost_reason like '%联系不上%' or lost_reason like '%联系不到%'
      or lost_reason like '%无法联系%' or lost_reason like '%电话不通%' or lost_reason like '%未接%'
      or lost_reason like '%不回复%' or lost_reason like '%无回应%' then 'unreachable'
    when lost_reason like '%考公%' or lost_reason like '%考编%' or lost_reason like '%公务员%'
      or lost_reason like '%事业编%' or lost_reason like '%事业单位%' or lost_reason like '%选调%' then 'civil_service'
    when lost_reason like '%深造%' or lost_reason like '%考研%' or lost_reason like '%读研%'
      or lost_reason like '%读博%' or lost_reason like '%考博%' or lost_reason like '%升学%'
      or lost_reason like '%留学%' then 'further_study'
    when lost_reason like '%薪%' or lost_reason like '%工资%' or lost_reason like '%待遇%'
      or lost_reason like '%收入%' then 'salary'
    when lost_reason like '%其他城市%' or lost_reason like '%别的城市%' or lost_reason like '%外地%'
      or lost_reason like '%离开平湖%' then 'other_city'
    when lost_reason like '%地域%' or lost_reason like '%地理%' or lost_reason like '%通勤%'
      or lost_reason like '%距离%' or lost_reason like '%太远%' or lost_reason like '%偏远%'
      or lost_reason like '%原籍%' or lost_reason like '%家乡%' or lost_reason like '%老家%'
      or lost_reason like '%异地%' then 'location'
    when lost_reason like '%不匹配%' or lost_reason like '%不对口%' or lost_reason like '%不符%'
      or lost_reason like '%专业%' or lost_reason like '%笔试未通过%' or lost_reason like '%面试未通过%'
      then 'job_mismatch'
    else 'other' end
where stage in ('rejected', 'withdrawn');

-- Days in an open stage after which a person counts as stuck (分析 → 时长), one row per open stage.
create table stage_threshold (
    stage varchar primary key check (stage in ('lead', 'contacted', 'applied', 'interviewing', 'intent', 'offer', 'signed')),
    days integer not null check (days between 1 and 3650),
    updated_by varchar,                     -- null: the default set here
    updated_at timestamp,
    version integer not null default 1
);
insert into stage_threshold (stage, days) values
    ('lead', 30), ('contacted', 30), ('applied', 21), ('interviewing', 21), ('intent', 45), ('offer', 30),
    ('signed', 60);
