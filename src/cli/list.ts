/**
 * `lab list`: every data source, transform, quantizer and metric with its params (CONTRACT.md §6).
 * `--json` also lists the analysis views (`analysis.id` in a config) with their params schema, so a
 * CLI user can discover everything the page can do; the text listing keeps its original sections.
 */
import { ANALYSES } from '../core/analyses';
import { DATA_SOURCE_KINDS, METRICS, QUANTIZERS, TRANSFORMS } from '../core/methods';
import type { ParamSchema } from '../core/methods/types';
import { specSummary } from '../core/config/schema';

export interface MethodListing {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly reference?: string;
  readonly params: ParamSchema;
}

export interface Listing {
  readonly dataSources: readonly MethodListing[];
  readonly transforms: readonly MethodListing[];
  readonly quantizers: readonly MethodListing[];
  readonly metrics: readonly { id: string; label: string; description: string; better: string }[];
  /** Analysis views (`"analysis": {"id", "params"}` in a config), params with their schema. */
  readonly analyses: readonly MethodListing[];
}

const pick = (m: MethodListing): MethodListing => ({
  id: m.id,
  label: m.label,
  description: m.description,
  reference: m.reference,
  params: m.params,
});

export function listMethods(): Listing {
  return {
    dataSources: DATA_SOURCE_KINDS.map(pick),
    transforms: TRANSFORMS.map(pick),
    quantizers: QUANTIZERS.map(pick),
    metrics: METRICS.map((m) => ({ id: m.id, label: m.label, description: m.description, better: m.better })),
    analyses: ANALYSES.map(pick),
  };
}

export function formatList(l: Listing): string {
  const lines: string[] = [];
  const section = (title: string, items: readonly MethodListing[]) => {
    lines.push(`${title}:`);
    for (const m of items) {
      lines.push(`  ${m.id.padEnd(18)} ${m.description}`);
      for (const [name, spec] of Object.entries(m.params)) {
        lines.push(`      ${name}=${JSON.stringify(spec.default)}  (${specSummary(spec)}) ${spec.doc}`);
      }
    }
    lines.push('');
  };
  section('data sources (data.source)', l.dataSources);
  section('transforms (transform.id)', l.transforms);
  section('quantizers (quantizer.id)', l.quantizers);
  lines.push('metrics:');
  for (const m of l.metrics) lines.push(`  ${m.id.padEnd(18)} ${m.description} (${m.better} is better)`);
  return `${lines.join('\n')}\n`;
}
