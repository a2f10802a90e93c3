/** Previous/Next buttons under a paginated list; `null` disables a direction. */
export function Pager({
  label,
  onPrevious,
  onNext,
}: {
  /** What is paged, for screen readers: "Pages of roles". */
  label: string;
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="button button-secondary"
        data-testid="prev-page"
        disabled={!onPrevious}
        onClick={() => onPrevious?.()}
      >
        ← Previous
      </button>
      <button
        type="button"
        className="button button-secondary"
        data-testid="next-page"
        disabled={!onNext}
        onClick={() => onNext?.()}
      >
        Next →
      </button>
    </nav>
  );
}
