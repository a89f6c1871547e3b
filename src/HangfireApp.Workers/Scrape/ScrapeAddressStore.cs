using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Scrape;

/// <summary>An address and a page it was found on.</summary>
public sealed record FoundAddress(string Address, string Page);

/// <summary>One row of a batch's de-duplicated addresses.</summary>
public sealed record AddressRow(string Address, string FirstPage, IReadOnlyList<string> Pages, bool MorePages);

/// <summary>
/// The per-batch address set (<c>app.scrape_addresses</c>). An item merges everything it found in one statement;
/// merging is idempotent, so retries and reruns never double anything.
/// </summary>
public sealed class ScrapeAddressStore(NpgsqlDataSource dataSource, ScrapeOptions options)
{
    /// <summary>Merges an item's findings (in the order found) into the batch's set.</summary>
    public async Task MergeAsync(long batchId, int itemNo, IReadOnlyList<FoundAddress> found, CancellationToken cancellationToken)
    {
        if (found.Count == 0)
        {
            return;
        }
        // Rows are inserted in key order so that two items merging overlapping addresses lock them in the same
        // order and cannot deadlock.
        await using var command = dataSource.CreateCommand("""
            with found as (
                select f.address, f.page, f.ord from unnest(@addresses, @pages) with ordinality as f(address, page, ord)
            ), grouped as (
                select lower(address) as address_key,
                       (array_agg(address order by ord))[1] as address,
                       (array_agg(page order by ord))[1] as first_page,
                       array_agg(distinct page) as pages
                from found group by lower(address)
            )
            insert into app.scrape_addresses as a (batch_id, address_key, address, first_item_no, first_page, pages, more_pages)
            select @batch, g.address_key, g.address, @item, g.first_page, g.pages[1:@cap], cardinality(g.pages) > @cap
            from grouped g
            order by g.address_key
            on conflict (batch_id, address_key) do update set
                address = case when excluded.first_item_no < a.first_item_no then excluded.address else a.address end,
                first_page = case when excluded.first_item_no < a.first_item_no then excluded.first_page else a.first_page end,
                first_item_no = least(a.first_item_no, excluded.first_item_no),
                pages = (select array_agg(p order by p) from (select distinct p from unnest(a.pages || excluded.pages) p order by p limit @cap) s),
                more_pages = a.more_pages or excluded.more_pages
                    or (select count(distinct p) from unnest(a.pages || excluded.pages) p) > @cap
            """);
        command.Parameters.AddWithValue("addresses", NpgsqlDbType.Array | NpgsqlDbType.Text, found.Select(f => f.Address).ToArray());
        command.Parameters.AddWithValue("pages", NpgsqlDbType.Array | NpgsqlDbType.Text, found.Select(f => f.Page).ToArray());
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("item", itemNo);
        command.Parameters.AddWithValue("cap", options.MaxSourcesPerAddress);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The batch's addresses: in the order of the item that found each first, then alphabetically.</summary>
    public async IAsyncEnumerable<AddressRow> ReadAsync(long batchId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select address, first_page, pages, more_pages from app.scrape_addresses
            where batch_id = @batch order by first_item_no, address_key
            """);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new AddressRow(reader.GetString(0), reader.GetString(1), reader.GetFieldValue<string[]>(2), reader.GetBoolean(3));
        }
    }
}
