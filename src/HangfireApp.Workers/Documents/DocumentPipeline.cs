using HangfireApp.Batches.Submit;

namespace HangfireApp.Workers.Documents;

/// <summary>
/// The chain preprocessing → ocr → nlp → validation as continuations. Each stage starts when the one before is final
/// whatever its outcome (<c>on_any_final</c>): one unreadable document must not hold back the others, whose items
/// the stage emitted all the same.
/// </summary>
public static class DocumentPipeline
{
    /// <summary>What follows <c>preprocessing</c>: ocr, then nlp, then validation.</summary>
    public static ContinuationSpec Continuation() =>
        new(ContinuationCondition.OnAnyFinal, new NextStage(DocumentStages.Ocr, null, null), null);

    /// <summary>What follows an <c>ocr</c> batch (a rerun of pages): nlp, then validation.</summary>
    public static ContinuationSpec ContinuationAfterOcr() =>
        new(ContinuationCondition.OnAnyFinal, new NextStage(DocumentStages.Nlp, null, null), null);
}
