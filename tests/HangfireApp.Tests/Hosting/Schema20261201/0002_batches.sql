-- Batches, their chunks (one Hangfire job each) and items, and the continuation a batch fires when final.
-- States are text, checked here, so the database itself refuses an unknown state.

create table app.batches (
    id                  bigint generated always as identity primary key,
    worker_type         text        not null,
    state               text        not null default 'created'
        check (state in ('created', 'running', 'succeeded', 'completed_with_failures', 'failed', 'cancelled')),
    priority            text        not null default 'normal' check (priority in ('high', 'normal', 'low')),
    description         text,
    total_items         integer     not null check (total_items >= 0),
    chunk_size          integer     not null check (chunk_size > 0),
    -- Incremented by every rerun; a continuation fires once per run.
    run_no              integer     not null default 1,
    cancel_requested_at timestamptz,
    idempotency_key     text unique,
    request_hash        text,
    parent_batch_id     bigint references app.batches (id),
    continuation        jsonb,
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz
);
create index batches_created_at on app.batches (created_at desc);
create index batches_state on app.batches (state, created_at desc);
create index batches_worker_type on app.batches (worker_type, created_at desc);
create index batches_parent on app.batches (parent_batch_id) where parent_batch_id is not null;

create table app.chunks (
    id               bigint generated always as identity primary key,
    batch_id         bigint      not null references app.batches (id) on delete cascade,
    chunk_no         integer     not null,
    -- The chunk owns items [first_item, first_item + item_count) of its batch.
    first_item       integer     not null,
    item_count       integer     not null check (item_count > 0),
    state            text        not null default 'queued'
        check (state in ('queued', 'running', 'succeeded', 'completed_with_failures', 'failed', 'cancelled')),
    attempt          integer     not null default 0,
    -- Fencing token: bumped by every claim and rescue; every outcome write must present the current one.
    lease_epoch      integer     not null default 0,
    hangfire_job_id  text,
    heartbeat_at     timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    succeeded_items  integer     not null default 0,
    failed_items     integer     not null default 0,
    cancelled_items  integer     not null default 0,
    last_error       text,
    unique (batch_id, chunk_no)
);
-- The sweeps only ever look at chunks that are not final.
create index chunks_open on app.chunks (state, heartbeat_at) where state in ('queued', 'running');

-- No foreign key to batches: items are written only with their batch, in bulk, and a per-row key
-- check would cost a third of the COPY. Deleting a batch deletes its items explicitly.
create table app.items (
    batch_id          bigint      not null,
    item_no           integer     not null,
    state             text        not null default 'pending'
        check (state in ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    attempts          integer     not null default 0,
    payload           jsonb       not null,
    result            jsonb,
    error             text,
    error_fingerprint text,
    finished_at       timestamptz,
    primary key (batch_id, item_no)
);
create index items_failed on app.items (batch_id, error_fingerprint) where state = 'failed';

create table app.continuations (
    id               bigint generated always as identity primary key,
    batch_id         bigint      not null references app.batches (id) on delete cascade,
    run_no           integer     not null,
    condition        text        not null check (condition in ('on_success', 'on_any_final')),
    state            text        not null check (state in ('skipped', 'started', 'completed', 'failed')),
    batch_state      text        not null,
    next_batch_id    bigint references app.batches (id),
    webhook_url      text,
    webhook_state    text check (webhook_state in ('pending', 'delivered', 'failed')),
    webhook_attempts integer     not null default 0,
    webhook_error    text,
    created_at       timestamptz not null default now(),
    -- Exactly once per run of a batch: the fan-in inserts here in the transaction that makes the batch final.
    unique (batch_id, run_no)
);
