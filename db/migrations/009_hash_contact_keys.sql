-- why: the uniqueness guard on mobiles and e-mails is keyed by a 128-bit number instead of the text and carries no index, because DuckDB maintains a primary key at about a second per million keys — the largest single cost of a large import.
--
-- A key is md5_number('m:' || mobile) or md5_number('e:' || email), the MD5 digest read as a
-- little-endian 128-bit number (db.contact_keys.contact_key computes the same in Python, and a test
-- pins the two together, so a DuckDB that changed md5_number would fail the suite rather than let
-- duplicates through). Two different contacts sharing a key would need an MD5 collision between
-- phone numbers or addresses. The text itself stays on the candidate row.
--
-- Uniqueness is no longer the table's: DuckDB lets one process at a time write the file, and in
-- that process every transaction that adds keys holds the claim lock from before its first read to
-- its commit (db/contact_keys.py), so each one checks the keys against everything committed and no
-- other can add any meanwhile. `python -m db check` verifies that no key is held twice and that
-- every key is one of its live candidate's contacts.

create table contact_key_before_009 as select * from contact_key;
drop table contact_key;
create table contact_key (
    key uhugeint not null,                  -- md5_number('m:13800138000') / md5_number('e:someone@example.com')
    candidate_id bigint not null
);
insert into contact_key select md5_number(contact), candidate_id from contact_key_before_009 order by 1;
drop table contact_key_before_009;
