/**
 * What the 2-D and 3-D point views show while their worker answer is not there: the worker's error,
 * a missing quantizer, or "quantizing in the worker…" (the point's ŷ and grid come from the
 * teaching worker, bridge/teach-client.ts usePoint).
 */
export function PointPending({
  error,
  hasQuantizer,
  testId,
}: {
  readonly error: Error | null;
  readonly hasQuantizer: boolean;
  readonly testId: string;
}) {
  if (error) return <span role="alert">{error.message}</span>;
  if (!hasQuantizer) return <span role="alert">no quantizer</span>;
  return (
    <span className="muted" data-testid={testId}>
      quantizing in the worker…
    </span>
  );
}
