-- why: pairs a user reviewed and declared "not the same person", so the duplicates screen stops listing them.

create table duplicate_dismissal (
    candidate_low bigint not null,          -- the smaller id of the pair
    candidate_high bigint not null,
    reason varchar not null,
    dismissed_by varchar not null,
    dismissed_at timestamp not null,
    primary key (candidate_low, candidate_high),
    check (candidate_low < candidate_high)
);
