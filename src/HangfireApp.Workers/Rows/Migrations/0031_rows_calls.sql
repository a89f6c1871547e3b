-- The `rows` worker type: the enrichment call of a batch, stored once per batch (not in every item).
-- `call` is the call as submitted with every secret header value removed; those values are in `secrets`,
-- encrypted with AES-256-GCM under WorkerTypes:rows:SecretKey (never in plain text in the database).
create table app.rows_calls (
    batch_id   bigint      primary key references app.batches (id) on delete cascade,
    -- The input CSV's header in input order and its delimiter: the output repeats them.
    columns    text[]      not null,
    delimiter  text        not null check (length(delimiter) = 1),
    call       jsonb       not null,
    secrets    bytea,
    created_at timestamptz not null default now()
);
