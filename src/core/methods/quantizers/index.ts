/** The quantizer registry: one line per quantizer file (registry.test.ts checks none is missing). */
import type { QuantizerDef } from '../types';

export const QUANTIZERS: readonly QuantizerDef[] = [];
