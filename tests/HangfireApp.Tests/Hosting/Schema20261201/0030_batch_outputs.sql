-- A batch's output file (rows: the enriched CSV; scrape: the addresses found), assembled by its worker
-- type's final handler once per run and streamed by GET /api/batches/{id}/output.csv. A rerun replaces it.
create table app.batch_outputs (
    batch_id     bigint      primary key references app.batches (id) on delete cascade,
    run          integer     not null,
    file_name    text        not null,
    content_type text        not null,
    size_bytes   bigint      not null,
    content      bytea       not null,
    created_at   timestamptz not null default now()
);
