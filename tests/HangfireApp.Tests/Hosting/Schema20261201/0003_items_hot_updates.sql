-- Item outcome writes are the engine's hottest statement. Let them be HOT updates (no index write per
-- item): no index may involve a column they change — the partial index on failed items had `state` in its
-- predicate — and pages need free room for the new row versions. Failed items are grouped per batch,
-- which the primary key (batch_id, item_no) already narrows to one batch.
drop index if exists app.items_failed;
alter table app.items set (fillfactor = 70);
