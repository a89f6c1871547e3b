-- The e-mail addresses a scrape batch found, de-duplicated per batch (case-insensitively: address_key is the
-- lowercased address, address the spelling first seen). Items merge what they found into it as they finish;
-- a merge is idempotent (sets of pages, least item number), so a retried or re-run item changes nothing it
-- already wrote. The final handler turns it into the batch's output.csv.
create table app.scrape_addresses (
    batch_id      bigint  not null references app.batches (id) on delete cascade,
    address_key   text    not null,
    address       text    not null,
    first_item_no integer not null,
    first_page    text    not null,
    pages         text[]  not null,
    more_pages    boolean not null default false,
    primary key (batch_id, address_key)
);
