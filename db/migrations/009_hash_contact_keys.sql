-- why: the uniqueness guard on mobiles and e-mails is keyed by a 128-bit number instead of the text, because DuckDB maintains a text primary key at roughly twice the cost of a number one — the largest single cost of a large import.
--
-- A key is md5_number('m:' || mobile) or md5_number('e:' || email), the MD5 digest read as a
-- little-endian 128-bit number (db.contacts.contact_key computes the same in Python, and a test
-- pins the two together, so a DuckDB that changed md5_number would fail the suite rather than let
-- duplicates through). Two different contacts sharing a key would need an MD5 collision between
-- phone numbers or addresses. The text itself stays on the candidate row; `python -m db check`
-- verifies that every key is one of its live candidate's contacts.

create table contact_key_before_009 as select * from contact_key;
drop table contact_key;
create table contact_key (
    key uhugeint primary key,               -- md5_number('m:13800138000') / md5_number('e:someone@example.com')
    candidate_id bigint not null
);
insert into contact_key select md5_number(contact), candidate_id from contact_key_before_009 order by 1;
drop table contact_key_before_009;
