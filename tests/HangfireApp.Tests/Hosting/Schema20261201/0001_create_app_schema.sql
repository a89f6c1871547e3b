-- The application's own schema, separate from Hangfire's (`hangfire`).
create schema if not exists app;
