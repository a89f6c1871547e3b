-- Who did what to which target, and when: operator actions from the API and the dashboard, logins and logouts.
-- Written by HangfireApp.Batches.Audit.AuditLog, in the same transaction as the action where there is one.
create table app.audit_log (
    id      bigint      generated always as identity primary key,
    at      timestamptz not null default now(),
    actor   text        not null,
    action  text        not null,
    target  text,
    details jsonb
);
-- Newest first (the primary key), optionally filtered by actor or action.
create index audit_log_actor on app.audit_log (actor, id desc);
create index audit_log_action on app.audit_log (action, id desc);
