-- The job console: per-job sections (one per attempt), their lines and named progress bars, shown on the
-- Hangfire job details page. Written in bulk (one statement per flush of a session), read as "lines after
-- id S of job J" while the page polls. Hangfire.PostgreSql's job ids are bigints, so job_id is one too.
create table app.console_sections (
    id         bigint      generated always as identity primary key,
    job_id     bigint      not null,
    title      text        not null,
    started_at timestamptz not null
);
create index console_sections_job on app.console_sections (job_id, id);
-- The retention sweep looks for old sections first.
create index console_sections_started on app.console_sections (started_at);

-- id is global and increasing: a job's lines are written by one session at a time, each flush in one
-- statement, so within a job the ids grow in commit order and "id > S" never skips a line.
create table app.console_lines (
    job_id     bigint      not null,
    id         bigint      generated always as identity,
    section_id bigint      not null,
    at         timestamptz not null,
    color      text,
    text       text        not null,
    primary key (job_id, id)
);

create table app.console_progress (
    job_id     bigint           not null,
    section_id bigint           not null,
    name       text             not null,
    value      double precision not null,
    updated_at timestamptz      not null default now(),
    primary key (job_id, section_id, name)
);
