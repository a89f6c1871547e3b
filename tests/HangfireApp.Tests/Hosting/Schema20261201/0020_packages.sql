-- The `packages` worker type: packages to scan, the advisory database (OSV records) and the findings.

create table app.packages (
    id            bigint generated always as identity primary key,
    -- OSV spelling: npm, crates.io, NuGet, PyPI, Go.
    ecosystem     text        not null,
    -- As first registered; `name_key` is the ecosystem's normalized form (PyPI: PEP 503, NuGet: lower case),
    -- so `Django` and `django` are one package.
    name          text        not null,
    name_key      text        not null,
    version       text        not null,
    status        text        not null default 'pending'
        check (status in ('pending', 'queued', 'scanning', 'scanned', 'failed')),
    priority      text        not null default 'normal' check (priority in ('high', 'normal', 'low')),
    requested_at  timestamptz not null default now(),
    scanned_at    timestamptz,
    -- The batch that scans (or last scanned) the package; only that batch may set its outcome.
    last_batch_id bigint,
    last_error    text,
    unique (ecosystem, name_key, version)
);
-- The pending-packages sweep: high priority first, then oldest; only pending rows are indexed.
create index packages_pending on app.packages
    ((case priority when 'high' then 1 when 'normal' then 2 else 3 end), requested_at, id)
    where status = 'pending';
create index packages_status on app.packages (status, id);
create index packages_last_batch on app.packages (last_batch_id) where last_batch_id is not null;

create table app.advisories (
    id          text        primary key,
    modified    timestamptz not null,
    published   timestamptz,
    withdrawn   timestamptz,
    summary     text,
    severity    text,
    aliases     text[]      not null default '{}',
    -- The OSV record as imported; matching reads `affected` from it.
    record      jsonb       not null,
    imported_at timestamptz not null default now()
);

-- Which packages an advisory affects, so a scan loads only the advisories of its own package.
create table app.advisory_packages (
    advisory_id text not null references app.advisories (id) on delete cascade,
    ecosystem   text not null,
    name_key    text not null,
    primary key (advisory_id, ecosystem, name_key)
);
create index advisory_packages_by_package on app.advisory_packages (ecosystem, name_key);

create table app.findings (
    package_id  bigint      not null references app.packages (id) on delete cascade,
    advisory_id text        not null references app.advisories (id) on delete cascade,
    severity    text,
    aliases     text[]      not null default '{}',
    summary     text,
    -- The lowest fixed version of the range that matched, if the advisory names one.
    fixed_in    text,
    found_at    timestamptz not null default now(),
    primary key (package_id, advisory_id)
);
create index findings_advisory on app.findings (advisory_id);

-- Shared rate limits (token buckets) for calls that all hosts together must keep under a rate, e.g. the
-- external package scanner. One row per limit; every host takes tokens with one atomic update.
create table app.rate_limits (
    key          text             primary key,
    tokens       double precision not null,
    refilled_at  timestamptz      not null default clock_timestamp(),
    -- Set from a 429's Retry-After: no host calls before then.
    blocked_until timestamptz
);
