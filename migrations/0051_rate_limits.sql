-- Shared rate limits (token buckets) for calls that all hosts together must keep under a rate (the external
-- package scanner, a rows batch's API). One row per limit; every host takes tokens with one atomic update.
-- The engine owns this table now; databases from before the worker-type modules got it from 0020_packages.sql,
-- hence "if not exists".
create table if not exists app.rate_limits (
    key          text             primary key,
    tokens       double precision not null,
    refilled_at  timestamptz      not null default clock_timestamp(),
    -- Set from a 429's Retry-After: no host calls before then.
    blocked_until timestamptz
);
