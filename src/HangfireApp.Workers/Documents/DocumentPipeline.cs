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
    public static ContinuationSpec Continuation() => Then(DocumentStages.Ocr, ContinuationAfterOcr());

    /// <summary>What follows an <c>ocr</c> batch (also a rerun of pages): nlp, then validation.</summary>
    public static ContinuationSpec ContinuationAfterOcr() => Then(DocumentStages.Nlp, Then(DocumentStages.Validation, null));

    private static ContinuationSpec Then(string stage, ContinuationSpec? after) =>
        new(ContinuationCondition.OnAnyFinal, new NextStage(stage, null, null, after), null);
}
