/** The metric registry (CONTRACT.md §5): every result carries all of these, in this order. */
import type { MetricDef } from '../types';
import { vnmseMetric } from './vnmse';
import { mseMetric } from './mse';
import { sqnrDbMetric } from './sqnr-db';
import { cosineMetric } from './cosine';
import { ipRatioMetric } from './ip-ratio';
import { ipNvarMetric } from './ip-nvar';

export const METRICS: readonly MetricDef[] = [
  vnmseMetric,
  mseMetric,
  sqnrDbMetric,
  cosineMetric,
  ipRatioMetric,
  ipNvarMetric,
];
