using Npgsql;

namespace HangfireApp.Workers.Documents.Storage;

/// <summary>
/// Where the documents pipeline keeps files — uploads, page images, per-page and per-document PDFs — so that every
/// worker host can read them. Contract: <see cref="SaveAsync"/> reads its stream to the end in bounded pieces and
/// never holds the whole file; <see cref="CopyToAsync"/> writes a file to a stream piece by piece; a file is
/// immutable once saved. Saves join the caller's connection and transaction, so a file exists exactly when the rows
/// that point at it do.
/// </summary>
public interface IDocumentFileStore
{
    /// <summary>Stores <paramref name="content"/> (from its position to its end) and returns the file's id.</summary>
    Task<long> SaveAsync(NpgsqlConnection connection, Stream content, string contentType, CancellationToken cancellationToken);

    /// <summary>The file's length in bytes, or null when there is no such file.</summary>
    Task<long?> LengthAsync(long fileId, CancellationToken cancellationToken);

    /// <summary>Writes the file to <paramref name="destination"/>; false when there is no such file.</summary>
    Task<bool> CopyToAsync(long fileId, Stream destination, CancellationToken cancellationToken);
}
