-- The telemetry worker type: registered matches (with their summary once processed), uploaded telemetry files
-- and per-player statistics.

create table app.telemetry_matches (
    match_id text primary key check (length(match_id) between 1 and 200),
    status text not null default 'pending'
        check (status in ('pending', 'queued', 'processing', 'processed', 'failed')),
    source text not null check (source in ('upload', 'url')),
    telemetry_url text,
    file_bytes bigint,
    registered_at timestamptz not null default now(),
    requested_at timestamptz not null default now(),
    last_batch_id bigint,
    processed_at timestamptz,
    last_error text,
    map_name text,
    mode text,
    team_size int,
    is_custom_game boolean,
    started_at timestamptz,
    ended_at timestamptz,
    duration_seconds double precision,
    player_count int,
    event_count bigint,
    telemetry_bytes bigint,
    check ((source = 'url') = (telemetry_url is not null))
);

-- What the pending-matches sweep scans: oldest request first.
create index telemetry_matches_pending on app.telemetry_matches (requested_at, match_id) where status = 'pending';

-- Uploaded files in 1 MiB parts, as received (usually gzip): every worker host reads them from here.
create table app.telemetry_files (
    match_id text not null references app.telemetry_matches (match_id) on delete cascade,
    part int not null,
    data bytea not null,
    primary key (match_id, part)
);
-- Gzip data does not compress again: store it out of line without trying.
alter table app.telemetry_files alter column data set storage external;

create table app.telemetry_player_stats (
    match_id text not null references app.telemetry_matches (match_id) on delete cascade,
    account_id text not null,
    name text not null,
    team_id int not null,
    kills int not null,
    assists int not null,
    dbnos int not null,
    damage_dealt double precision not null,
    headshot_kills int not null,
    longest_kill double precision not null,
    kill_streaks int not null,
    team_kills int not null,
    road_kills int not null,
    heals int not null,
    boosts int not null,
    revives int not null,
    walk_distance double precision not null,
    ride_distance double precision not null,
    swim_distance double precision not null,
    time_survived double precision not null,
    vehicle_destroys int not null,
    weapons_acquired int not null,
    win_place int,
    heal_amount double precision not null,
    primary key (match_id, account_id)
);

-- A player's matches and lifetime totals, and the leaderboard's grouping.
create index telemetry_player_stats_account on app.telemetry_player_stats (account_id);
