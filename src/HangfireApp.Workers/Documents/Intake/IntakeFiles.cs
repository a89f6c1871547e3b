using System.IO.Compression;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Storage;

namespace HangfireApp.Workers.Documents.Intake;

/// <summary>One uploaded document, spooled to a temporary file and checked: its format is known and every page reads.</summary>
public sealed record IntakeFile(string FileName, string Format, int Pages, TemporaryFile Content) : IDisposable
{
    public void Dispose() => Content.Dispose();
}

/// <summary>
/// Turns uploaded parts into checked documents before anything is written: each part (and each entry of a zip) is
/// copied to a temporary file with a byte cap counted while copying (never trusting a declared size), sniffed by its
/// bytes, and opened page by page. Every refusal names the file: 413 for a limit, 400 for an unsupported or corrupt file.
/// </summary>
public sealed class IntakeFiles(DocumentsOptions options) : IDisposable
{
    private readonly List<IntakeFile> _files = [];
    private readonly List<(string Name, string Format, TemporaryFile Spooled)> _unread = [];

    /// <summary>The checked documents, in upload order (after <see cref="ReadPagesAsync"/>).</summary>
    public IReadOnlyList<IntakeFile> Files => _files;

    /// <summary>
    /// Opens every document added, page by page, on every core at once (a 300 dpi scan takes ~45 ms to decode, and the
    /// request waits for all of them: 20 pages one by one held the answer ~1 s with a core idle), then refuses the
    /// first one in upload order that does not read or has too many pages.
    /// </summary>
    public async Task ReadPagesAsync(CancellationToken cancellationToken)
    {
        var counted = new (int Pages, DocumentFormatException? Error)[_unread.Count];
        await Parallel.ForAsync(0, _unread.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            (index, _) =>
            {
                try
                {
                    counted[index] = (DocumentSplitter.CountPages(_unread[index].Spooled.Path, _unread[index].Format), null);
                }
                catch (DocumentFormatException e)
                {
                    counted[index] = (0, e);
                }
                return ValueTask.CompletedTask;
            });
        for (var index = 0; index < _unread.Count; index++)
        {
            var (name, format, spooled) = _unread[index];
            var (pages, error) = counted[index];
            if (error is not null)
            {
                throw Refuse(name, $"'{name}' is corrupt: {error.Message}", 400);
            }
            if (pages == 0)
            {
                throw Refuse(name, $"'{name}' has no pages.", 400);
            }
            if (pages > options.MaxPagesPerDocument)
            {
                throw Refuse(name, $"'{name}' has {pages} pages, more than the limit of {options.MaxPagesPerDocument}.", 413);
            }
            _files.Add(new IntakeFile(name, format, pages, spooled));
        }
        _unread.Clear();
    }

    /// <summary>Adds one uploaded part: a document, or a zip of documents.</summary>
    public async Task AddAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        var name = SafeName(fileName);
        var spooled = await SpoolAsync(name, content, cancellationToken);
        var format = Sniff(spooled.Path);
        if (format == DocumentFormats.Zip)
        {
            using (spooled)
            {
                await AddZipAsync(name, spooled.Path, cancellationToken);
            }
            return;
        }
        Check(name, format, spooled);
    }

    private async Task AddZipAsync(string zipName, string path, CancellationToken cancellationToken)
    {
        ZipArchive archive;
        try
        {
            archive = await ZipArchive.CreateAsync(File.OpenRead(path), ZipArchiveMode.Read, leaveOpen: false, entryNameEncoding: null, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw Refuse(zipName, $"'{zipName}' is not a readable zip: {e.Message}", 400);
        }
        await using (archive)
        {
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.EndsWith('/') || entry.Length == 0 && entry.Name.Length == 0)
                {
                    continue; // a folder
                }
                var name = $"{zipName}/{SafeName(entry.FullName)}";
                if (_unread.Count + _files.Count >= options.MaxFilesPerRequest)
                {
                    throw Refuse(name, $"More than {options.MaxFilesPerRequest} documents in one request (at '{name}').", 413);
                }
                TemporaryFile spooled;
                try
                {
                    await using var stream = await entry.OpenAsync(cancellationToken);
                    spooled = await SpoolAsync(name, stream, cancellationToken);
                }
                catch (InvalidDataException e)
                {
                    throw Refuse(name, $"'{name}' cannot be unpacked: {e.Message}", 400);
                }
                var format = Sniff(spooled.Path);
                if (format == DocumentFormats.Zip)
                {
                    spooled.Dispose();
                    throw Refuse(name, $"'{name}' is a zip inside a zip; send the documents or one zip of them.", 400);
                }
                Check(name, format, spooled);
            }
        }
    }

    private void Check(string name, string? format, TemporaryFile spooled)
    {
        try
        {
            if (format is null)
            {
                throw Refuse(name, $"'{name}' is not a PDF, TIFF, PNG or JPEG file (nor a zip of them).", 400);
            }
            if (_unread.Count + _files.Count >= options.MaxFilesPerRequest)
            {
                throw Refuse(name, $"More than {options.MaxFilesPerRequest} documents in one request (at '{name}').", 413);
            }
            _unread.Add((name, format, spooled)); // its pages are read by ReadPagesAsync, with the others'
        }
        catch
        {
            spooled.Dispose();
            throw;
        }
    }

    /// <summary>Copies to a temporary file, refusing (413) as soon as the copy passes the byte limit.</summary>
    private async Task<TemporaryFile> SpoolAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        var file = new TemporaryFile();
        try
        {
            await using var output = new FileStream(file.Path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true);
            var buffer = new byte[81920];
            long total = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > options.MaxFileBytes)
                {
                    throw Refuse(name, $"'{name}' is larger than the limit of {options.MaxFileBytes} bytes.", 413);
                }
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            if (total == 0)
            {
                throw Refuse(name, $"'{name}' is empty.", 400);
            }
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static string? Sniff(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using var stream = File.OpenRead(path);
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return DocumentFormats.Sniff(head[..read]);
    }

    /// <summary>The name as shown back: no folders, no control characters, at most 200 characters.</summary>
    private static string SafeName(string fileName)
    {
        var name = string.Concat(fileName.Where(c => !char.IsControl(c) && !char.IsSurrogate(c))).Trim();
        name = name.Length == 0 ? "file" : name;
        return name.Length > 200 ? name[..200] : name;
    }

    private static BatchRequestException Refuse(string name, string message, int status) =>
        new(message, new Dictionary<string, string[]> { ["file"] = [message], ["fileName"] = [name] }, status);

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }
        foreach (var (_, _, spooled) in _unread)
        {
            spooled.Dispose();
        }
        _files.Clear();
        _unread.Clear();
    }
}
