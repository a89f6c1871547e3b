-- Findings keep referring only to packages and advisories that exist, and go with them (as `on delete cascade` did),
-- but the references are checked once per statement instead of once per row.
--
-- Why: a scan writes a slice's findings (about 1,100 rows for 250 packages) in one insert, and the two foreign keys
-- checked each row on its own: two queries per row, each locking the referenced row (a WAL record per lock, and a
-- multixact when several slices refer to the same advisory at once). On the benchmark's data that was about two
-- thirds of the insert's cost (45,000 findings: 590–780 ms with the keys, 180–270 ms without) and about a sixth of
-- PostgreSQL's CPU for the whole scan. PostgreSQL has no set-based foreign key, so these triggers are one:
--   * after an insert or update of findings, one query per statement checks that every package and advisory it
--     names exists (`foreign_key_violation` otherwise);
--   * after a delete of packages or advisories, one statement deletes their findings; after a truncate of either,
--     every finding goes;
--   * an id that findings refer to cannot change.
-- Concurrency, in READ COMMITTED (the application's level): a delete of packages or advisories locks app.findings in
-- SHARE ROW EXCLUSIVE mode before deleting the findings, so it waits for every transaction that is writing findings
-- and then deletes what they committed (its statement's snapshot is taken after the lock); a findings writer that
-- comes after it waits for its commit, and its check (a fresh snapshot, after the wait) no longer sees the deleted
-- row. In REPEATABLE READ or SERIALIZABLE, whose snapshot can be older than such a commit, the check locks the
-- referenced rows (FOR KEY SHARE, as a foreign key does), which turns the race into a serialization failure.

alter table app.findings drop constraint if exists findings_package_id_fkey;
alter table app.findings drop constraint if exists findings_advisory_id_fkey;

-- Orphans cannot exist yet (the foreign keys held until now), so nothing needs cleaning here.

create function app.findings_check_references() returns trigger
language plpgsql as $$
declare
    missing text;
begin
    if current_setting('transaction_isolation') = 'read committed' then
        select coalesce(
            (select 'package ' || n.package_id from (select distinct package_id from new_findings) n
             where not exists (select from app.packages p where p.id = n.package_id) limit 1),
            (select 'advisory ' || n.advisory_id from (select distinct advisory_id from new_findings) n
             where not exists (select from app.advisories a where a.id = n.advisory_id) limit 1))
        into missing;
    else
        select coalesce(
            (select 'package ' || n.package_id from (select distinct package_id from new_findings) n
             left join lateral (select true as found from app.packages p where p.id = n.package_id for key share) l on true
             where l.found is null limit 1),
            (select 'advisory ' || n.advisory_id from (select distinct advisory_id from new_findings) n
             left join lateral (select true as found from app.advisories a where a.id = n.advisory_id for key share) l on true
             where l.found is null limit 1))
        into missing;
    end if;
    if missing is not null then
        raise foreign_key_violation using
            message = format('insert or update on table "findings" refers to a %s that does not exist', missing),
            table = 'findings';
    end if;
    return null;
end
$$;

create trigger findings_references_on_insert after insert on app.findings
    referencing new table as new_findings for each statement execute function app.findings_check_references();
create trigger findings_references_on_update after update on app.findings
    referencing new table as new_findings for each statement execute function app.findings_check_references();

create function app.findings_delete_with_packages() returns trigger
language plpgsql as $$
begin
    lock table app.findings in share row exclusive mode;
    delete from app.findings f using gone_packages g where f.package_id = g.id;
    return null;
end
$$;

create trigger packages_delete_findings after delete on app.packages
    referencing old table as gone_packages for each statement execute function app.findings_delete_with_packages();

create function app.findings_delete_with_advisories() returns trigger
language plpgsql as $$
begin
    lock table app.findings in share row exclusive mode;
    delete from app.findings f using gone_advisories g where f.advisory_id = g.id;
    return null;
end
$$;

create trigger advisories_delete_findings after delete on app.advisories
    referencing old table as gone_advisories for each statement execute function app.findings_delete_with_advisories();

-- A delete, not a truncate: a truncate of several tables that lists app.findings too (as the tests' reset does) has
-- it open already, and a truncate inside would be refused; after such a truncate the table is empty anyway.
create function app.findings_truncate() returns trigger
language plpgsql as $$
begin
    delete from app.findings;
    return null;
end
$$;

create trigger packages_truncate_findings after truncate on app.packages
    for each statement execute function app.findings_truncate();
create trigger advisories_truncate_findings after truncate on app.advisories
    for each statement execute function app.findings_truncate();

create function app.findings_refuse_key_change() returns trigger
language plpgsql as $$
declare
    referred boolean;
begin
    -- One branch per table: old.id is a bigint in one and text in the other.
    if tg_table_name = 'packages' then
        referred := exists (select from app.findings where package_id = old.id);
    else
        referred := exists (select from app.findings where advisory_id = old.id);
    end if;
    if referred then
        raise foreign_key_violation using
            message = format('the id of %s %s cannot change: findings refer to it', tg_table_name, old.id),
            table = tg_table_name;
    end if;
    return null;
end
$$;

create trigger packages_refuse_key_change after update of id on app.packages
    for each row when (old.id is distinct from new.id) execute function app.findings_refuse_key_change();
create trigger advisories_refuse_key_change after update of id on app.advisories
    for each row when (old.id is distinct from new.id) execute function app.findings_refuse_key_change();
