-- Live control of worker types and job servers, and the minute rollups behind the dashboard's charts.

-- One row per worker type an operator has touched: paused, and/or a cluster-wide cap on its running chunks.
-- The chunk claim reads it (a paused or capped chunk stays queued and waits), so it holds on every host.
create table app.worker_type_controls (
    worker_type        text        primary key,
    paused             boolean     not null default false,
    max_running_chunks integer     check (max_running_chunks is null or max_running_chunks > 0),
    updated_at         timestamptz not null default now(),
    updated_by         text
);

-- A job server's live WorkerCount, by its server name (`<machine>.<configured name>`): the host running that
-- server replaces it in-process with the new count within seconds, and again after a restart.
create table app.server_controls (
    server_name  text        primary key,
    worker_count integer     not null check (worker_count between 1 and 1000),
    updated_at   timestamptz not null default now(),
    updated_by   text
);

-- Item outcomes per worker type and minute: each host adds what it counted every few seconds (one upsert per
-- worker type, so chunks never contend on these rows). Pruned after two days.
create table app.throughput_minutes (
    minute      timestamptz not null,
    worker_type text        not null,
    succeeded   bigint      not null default 0,
    failed      bigint      not null default 0,
    retried     bigint      not null default 0,
    cancelled   bigint      not null default 0,
    primary key (minute, worker_type)
);

-- Queue depth per minute, cluster-wide (every host writes the same reading; the last one wins). Pruned after two days.
create table app.queue_depth_minutes (
    minute             timestamptz not null,
    queue              text        not null,
    depth              bigint      not null,
    oldest_age_seconds double precision not null default 0,
    primary key (minute, queue)
);
