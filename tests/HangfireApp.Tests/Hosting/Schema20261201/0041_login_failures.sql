-- Failed dashboard logins, per user name ('user:<lower-case name>') and per client address ('address:<ip>'),
-- kept in the database so that throttling holds across hosts. A row is forgotten after a quiet window.
create table app.login_failures (
    key             text        primary key,
    failures        integer     not null,
    last_failure_at timestamptz not null,
    locked_until    timestamptz
);
