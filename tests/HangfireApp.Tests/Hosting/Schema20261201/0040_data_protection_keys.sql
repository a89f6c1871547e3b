-- ASP.NET Core data-protection keys, shared by every host on this database so that a login cookie or an
-- antiforgery token issued by one host is accepted by another. Written by PostgresXmlRepository; the key ring
-- is append-only (expired keys stay, as the framework expects of any repository).
create table app.data_protection_keys (
    id            bigint      generated always as identity primary key,
    friendly_name text        not null,
    xml           text        not null,
    created_at    timestamptz not null default now()
);
