-- The worker types page counts recent throughput from the chunks of batches that are open or ended within the
-- last minutes: this index finds the recently ended ones without reading every batch. Batches change state a
-- handful of times in their life, so the index costs their writes next to nothing.
create index batches_finished_at on app.batches (finished_at) where finished_at is not null;
