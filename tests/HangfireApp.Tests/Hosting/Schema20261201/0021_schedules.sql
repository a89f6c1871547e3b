-- Recurring batch submissions. Each row is a Hangfire recurring job `schedule:<id>`; rows from
-- appsettings.json (`source = 'config'`) are re-applied at every start.
create table app.schedules (
    id          text        primary key check (id ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
    cron        text        not null,
    time_zone   text        not null default 'UTC',
    misfire     text        not null default 'relaxed' check (misfire in ('relaxed', 'strict', 'ignorable')),
    worker_type text        not null,
    -- What to submit: fixed items, or a named query that selects them when the schedule fires.
    items       jsonb,
    query       text,
    priority    text        not null default 'normal' check (priority in ('high', 'normal', 'low')),
    chunk_size  integer     check (chunk_size between 1 and 100000),
    description text,
    source      text        not null default 'api' check (source in ('api', 'config')),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    last_batch_id bigint,
    last_run_at timestamptz,
    check ((items is null) <> (query is null))
);
