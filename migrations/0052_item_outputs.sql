-- Pipelines with fan-out: the items an item emitted for the next stage (a JSON array, in order), instead of its
-- single result. Null (every item before this script, and every item that returned a plain result) means the next
-- stage gets the item's result. Nullable without a default: adding it rewrites nothing.
alter table app.items add column outputs jsonb;
