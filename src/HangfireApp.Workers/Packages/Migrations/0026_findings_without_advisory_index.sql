-- The findings' index by advisory served the per-row `on delete cascade` from app.advisories (each deleted advisory
-- looked its findings up). Since 0025 that cascade is one statement per delete statement, which can as well scan the
-- findings once, and nothing else reads findings by advisory (the API reads them by package). Every finding a scan
-- writes paid for the index: on the benchmark's data about a third of the findings insert without foreign keys
-- (45,000 rows: 100–160 ms without it, 180–270 ms with it). Deleting advisories is an operator's rare act.
drop index if exists app.findings_advisory;
