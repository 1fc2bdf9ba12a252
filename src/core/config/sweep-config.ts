/**
 * `config.sweep` (whole checkpoints): `{"include": "<regex>", "exclude": "<regex>", "minElements": 1024}`.
 *
 * With `data.source = "file"`, every tensor whose name matches `include` (empty: every name) and
 * not `exclude` (empty: none), with at least 2 dimensions and at least `minElements` elements, is
 * quantized by every pipeline (src/engine/checkpoint.ts). The field is optional and absent from
 * single-tensor configs, so their canonical form and links are unchanged.
 *
 * The patterns come from links, i.e. from strangers, and run against every tensor name in the
 * user's checkpoint, so they are checked before use (ECMAScript RegExp syntax, no flags):
 * - at most SWEEP_PATTERN_MAX characters;
 * - they must compile;
 * - no back-references, and no repeated group that itself contains a quantifier or an
 *   alternation (`(a+)+`, `(a|ab)*`, `(\w+\.)*`): the constructions that make a backtracking
 *   engine take exponential time ("catastrophic backtracking", e.g. OWASP ReDoS). Such patterns
 *   are refused with a ConfigError naming the field; an equivalent without nested repetition
 *   (`layers\.\d+\.`) is always available for tensor names.
 */
import { z } from './zod';
import { ConfigError } from './errors';
import { readsBytes } from '../methods';
import type { DataConfig } from './schema';

export interface SweepConfig {
  /** Tensor names to keep (RegExp source, unanchored); '' keeps every name. */
  readonly include: string;
  /** Tensor names to drop (RegExp source, unanchored); '' drops none. */
  readonly exclude: string;
  /** Smallest tensor (in elements) a sweep quantizes; smaller ones (biases, norms) are skipped. */
  readonly minElements: number;
}

export const SWEEP_PATTERN_MAX = 256;
export const SWEEP_DEFAULTS: SweepConfig = { include: '', exclude: '', minElements: 1024 };

const sweepShape = z
  .object({
    include: z.string().optional(),
    exclude: z.string().optional(),
    minElements: z
      .number()
      .int()
      .min(1)
      .max(2 ** 40)
      .optional(),
  })
  .strict();

/**
 * Why `pattern` is unsafe or invalid, or undefined when it may be used. A small scanner over the
 * pattern (escapes and character classes skipped) tracks, per open group, whether it contains a
 * quantifier or an alternation; a group closed by a repeating quantifier (*, +, {n,}, {n,m} with
 * m > 1) that contains either is refused.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > SWEEP_PATTERN_MAX)
    return `is ${pattern.length} characters long; the limit is ${SWEEP_PATTERN_MAX}`;
  try {
    new RegExp(pattern);
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message})`;
  }
  const stack: { quantified: boolean; alternation: boolean }[] = [];
  const repeatAt = (i: number): number => {
    // Length of a repeating quantifier starting at i (0 when there is none).
    const c = pattern[i];
    if (c === '*' || c === '+') return 1;
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) return 0;
      const max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
      return max > 1 ? m[0].length : 0;
    }
    return 0;
  };
  const markQuantified = () => {
    for (const g of stack) g.quantified = true;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (/[1-9k]/.test(pattern[i + 1] ?? ''))
        return 'uses a back-reference, which can take exponential time';
      i++;
      continue;
    }
    if (c === '[') {
      // Skip the class: up to the first unescaped ']' (a ']' right after '[' or '[^' is literal).
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      continue;
    }
    if (c === '|') {
      const top = stack[stack.length - 1];
      if (top) top.alternation = true;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      const q = repeatAt(i + 1);
      if (g && q > 0) {
        if (g.quantified)
          return 'repeats a group that itself contains a repetition (nested quantifiers take exponential time)';
        if (g.alternation)
          return 'repeats a group that contains an alternation (overlapping alternatives take exponential time)';
        markQuantified();
      } else if (g?.quantified) {
        markQuantified();
      }
      continue;
    }
    if (repeatAt(i) > 0 || c === '?') markQuantified();
  }
  return undefined;
}

/** Untrusted `sweep` value → canonical SweepConfig, or a ConfigError naming the field. */
export function resolveSweep(raw: unknown, data: DataConfig): SweepConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('sweep', 'expected an object {"include", "exclude", "minElements"}');
  const r = sweepShape.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    if (issue.code === 'unrecognized_keys')
      throw new ConfigError(`sweep.${issue.keys[0]}`, 'unknown field; known: include, exclude, minElements');
    const field = issue.path.length ? `sweep.${String(issue.path[0])}` : 'sweep';
    const what =
      issue.path[0] === 'minElements' ? 'an integer in [1, 2^40]' : 'a string (a regular expression)';
    throw new ConfigError(field, `expected ${what}`);
  }
  const sweep: SweepConfig = {
    include: r.data.include ?? SWEEP_DEFAULTS.include,
    exclude: r.data.exclude ?? SWEEP_DEFAULTS.exclude,
    minElements: r.data.minElements ?? SWEEP_DEFAULTS.minElements,
  };
  for (const field of ['include', 'exclude'] as const) {
    const why = unsafePatternReason(sweep[field]);
    if (why) throw new ConfigError(`sweep.${field}`, `pattern ${why}`);
  }
  if (!readsBytes(data.source))
    throw new ConfigError('sweep', `a sweep needs data.source "file" (got "${data.source}")`);
  for (const field of ['rowEnd', 'colEnd'] as const) {
    if (Number(data[field] ?? 0) > 0)
      throw new ConfigError(
        `data.${field}`,
        'a sweep quantizes whole tensors; remove the row/column slice (maxRows subsampling is allowed)',
      );
  }
  return sweep;
}

/** Whether a sweep keeps the tensor `name` (patterns already validated by resolveSweep). */
export function sweepMatcher(sweep: SweepConfig): (name: string) => boolean {
  const inc = sweep.include === '' ? null : new RegExp(sweep.include);
  const exc = sweep.exclude === '' ? null : new RegExp(sweep.exclude);
  return (name) => (inc === null || inc.test(name)) && (exc === null || !exc.test(name));
}
