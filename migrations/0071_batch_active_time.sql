-- A batch's active time: the sum of its runs, each from its start (the first claim, or the rerun) to its final
-- state. Items per second of a finished batch are computed over it, so a rerun of a month-old batch is not measured
-- over the month in between. Retry waits inside a run still count: the run is not over while its chunks wait.
alter table app.batches
    add column active_seconds double precision not null default 0,
    -- Set while a run is open; added to active_seconds and cleared when the batch becomes final.
    add column run_started_at timestamptz;

update app.batches set active_seconds = greatest(0, extract(epoch from finished_at - started_at))
where finished_at is not null and started_at is not null;
update app.batches set run_started_at = started_at where finished_at is null and started_at is not null;
