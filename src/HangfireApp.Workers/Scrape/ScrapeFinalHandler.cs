using System.Globalization;
using System.Text;
using CsvHelper;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Outputs;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// When a <c>scrape</c> batch is final (whatever its state: a partial result is still worth having), writes its
/// output.csv from the batch's address set: <c>address, first_page, page_count, more_pages, pages</c> (pages
/// space-separated, at most <see cref="ScrapeOptions.MaxSourcesPerAddress"/>; <c>more_pages</c> says there were
/// more). Idempotent: a retry or a rerun replaces the file.
/// </summary>
public sealed class ScrapeFinalHandler(ScrapeAddressStore store, BatchOutputStore outputs) : IBatchFinalHandler
{
    public static readonly string[] Columns = ["address", "first_page", "page_count", "more_pages", "pages"];

    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        await using var file = new MemoryStream();
        await using (var writer = new StreamWriter(file, new UTF8Encoding(false), leaveOpen: true))
        await using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var column in Columns)
            {
                csv.WriteField(column);
            }
            await csv.NextRecordAsync();
            await foreach (var row in store.ReadAsync(batch.BatchId, cancellationToken))
            {
                csv.WriteField(row.Address);
                csv.WriteField(row.FirstPage);
                csv.WriteField(row.Pages.Count.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(row.MorePages ? "true" : "false");
                csv.WriteField(string.Join(' ', row.Pages));
                await csv.NextRecordAsync();
            }
        }
        file.Position = 0;
        await outputs.SaveAsync(batch.BatchId, batch.Run, $"scrape-{batch.BatchId}.csv", "text/csv", file, cancellationToken);
    }
}
