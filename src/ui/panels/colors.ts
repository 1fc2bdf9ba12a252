/**
 * Stable pipeline colours: Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008),
 * extended with Tableau-10 hues beyond eight pipelines. A pipeline keeps its colour by position.
 */
export const PIPELINE_COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#8c564b',
  '#F0E442',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#9467bd',
  '#e377c2',
  '#2ca02c',
  '#d62728',
  '#1f77b4',
] as const;

export function pipelineColor(index: number): string {
  return PIPELINE_COLORS[index % PIPELINE_COLORS.length];
}
