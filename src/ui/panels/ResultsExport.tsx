/**
 * Results toolbar: copy as CSV / Markdown, download CSV / contract JSON ("Sharing").
 * Formatting lives in src/ui/export/results-format.ts (pure, unit-tested); this only wires buttons.
 */
import type { ExperimentOutput } from '../../engine/experiment';
import { METRICS } from '../../core/methods';
import { downloadText } from '../export/browser-io';
import { exportFileStem, resultsToCsv, resultsToJson, resultsToMarkdown } from '../export/results-format';
import { CopyButton } from './CopyButton';
import '../app/sharing.css';

function pageLink(output: ExperimentOutput): string {
  return `${window.location.origin}${window.location.pathname}${output.permalink}`;
}

export function ResultsExport({ output }: { output: ExperimentOutput }) {
  const stem = exportFileStem(output);
  const caption = `${output.data.source} ${output.data.rows}×${output.data.dim}, seed ${output.config.seed}`;
  return (
    <div className="export-bar" role="group" aria-label="Export results" data-testid="results-export">
      <CopyButton
        label="Copy CSV"
        testId="copy-csv"
        title="Copy the table as CSV (full precision)"
        getText={() => resultsToCsv(output, METRICS)}
      />
      <CopyButton
        label="Copy Markdown"
        testId="copy-markdown"
        title="Copy the table as a Markdown table with a link to this experiment"
        getText={() => resultsToMarkdown(output, METRICS, { caption, link: pageLink(output) })}
      />
      <button
        type="button"
        data-testid="download-csv"
        title="Download the results as CSV"
        onClick={() => downloadText(resultsToCsv(output, METRICS), `${stem}.csv`, 'text/csv;charset=utf-8')}
      >
        ⤓ CSV
      </button>
      <button
        type="button"
        data-testid="download-json"
        title="Download the CLI's JSON for this config (npm run lab -- run '<link>' --json)"
        onClick={() => downloadText(resultsToJson(output), `${stem}.json`, 'application/json')}
      >
        ⤓ JSON
      </button>
    </div>
  );
}
