/**
 * The experiment config (CONTRACT.md §1): the permalink, the react-query key and the CLI input.
 *
 * `parseConfig` turns untrusted input (a JSON file, stdin, a decoded permalink) into a canonical
 * config or a one-line error naming the field. The envelope is checked with zod; method params are
 * checked against each method's ParamSchema through zod schemas built from it, so the same schema
 * drives UI controls, validation and the canonical form.
 *
 * Canonical form: fixed key order, every param spelled out (so a changed default never changes an
 * old link), labels only when set. `canonicalKey(config)` is its JSON text.
 */
import { z } from './zod';
import { dataSourceKindsById, quantizersById, transformsById } from '../methods';
import type { ParamSchema, ParamSpec, Params, ParamValue } from '../methods/types';
import { MAX_COORDINATES, MAX_PIPELINES, formatCount } from '../limits';
import { MAX_RUN_BYTES, configCost, formatBytesShort, largestItem } from '../cost';
import { MAX_SKETCH_ENTRIES } from '../methods/quantizers/qjl';
import type { MethodRef, MetricDomain, PipelineSpec as PipelineConfig } from '../pipeline';
import type { DenseProducts } from '../methods/types';
import { migrate } from './migrate';
import { analysesById } from '../analyses';
import { CONFIG_VERSION, ConfigError } from './errors';
import { resolveSweep, type SweepConfig } from './sweep-config';

export { CONFIG_VERSION, ConfigError };

export type { MethodRef, PipelineSpec as PipelineConfig } from '../pipeline';

export interface DataConfig {
  readonly source: string;
  readonly [param: string]: ParamValue;
}

export interface ExperimentConfig {
  readonly v: number;
  readonly seed: number;
  readonly data: DataConfig;
  readonly pipelines: readonly PipelineConfig[];
  /** Optional analysis view (src/core/analyses); absent = the metrics table only. */
  readonly analysis?: MethodRef;
  /**
   * Whole-checkpoint sweep (file data only): every matching tensor is quantized by every pipeline
   * (src/engine/checkpoint.ts). Absent in single-tensor configs, so their links are unchanged.
   */
  readonly sweep?: SweepConfig;
  /**
   * Optional index of the pipeline the table compares the others with (Δ and ratio); absent =
   * no baseline. Added after v1 links existed: old links lack it and decode unchanged.
   */
  readonly baseline?: number;
  /**
   * Optional saved experiment the table compares with instead (Δ and ratio per metric): its seed,
   * data and pipelines, run by the same engine. Rows pair by position (pipeline i with the saved
   * pipeline i; a saved config with one pipeline is every row's baseline). Exclusive with
   * `baseline`; absent in older links, which decode unchanged.
   */
  readonly baselineConfig?: BaselineConfig;
  /**
   * Calibration activations X (tokens × dim) for the calibrated methods of every pipeline (GPTQ,
   * MR-GPTQ, SmoothQuant, FlatQuant, EoRA, ResQ): a tensor of a file, read like file data. Absent
   * = none (GPTQ is then round-to-nearest and says so); old links lack it and decode unchanged.
   */
  readonly calibration?: CalibrationConfig;
  /**
   * Optional numeric choices that change results only within float rounding (CONTRACT.md §1, §5).
   * Absent = every metric in the data domain, as every link before it; canonical form keeps it only
   * when it differs from that, so old links decode to the same text and numbers.
   */
  readonly numerics?: NumericsConfig;
}

export interface NumericsConfig {
  /**
   * 'transformed': metrics of pipelines whose chain is orthogonal and keeps the dim are computed
   * on (y, ŷ) without the inverse transform (pipeline.ts RunOptions.metricDomain). Absent: 'data'.
   */
  readonly metricDomain?: MetricDomain;
  /**
   * 'float32': dense rotations and QJL sketch products in float32 arithmetic
   * (pipeline.ts RunOptions.denseProducts, CONTRACT.md §5.2). Absent: 'float64'.
   */
  readonly denseProducts?: DenseProducts;
}

/** A saved config pinned as the baseline: the parts that determine its numbers. */
export interface BaselineConfig {
  readonly seed: number;
  readonly data: DataConfig;
  readonly pipelines: readonly PipelineConfig[];
}

export interface CalibrationConfig {
  /** File name (page: matched among the opened files) or path (CLI). */
  readonly path: string;
  /** Tensor name inside the file; '' when the file holds one. */
  readonly tensor: string;
  /** 'rows-first': axis 0 = tokens; 'cols-first' reads the matrix transposed. */
  readonly layout: 'rows-first' | 'cols-first';
}

/** `config.sweep`: which tensors of the opened file(s) a sweep quantizes (sweep-config.ts). */
export type { SweepConfig } from './sweep-config';

declare const canonicalBrand: unique symbol;

/**
 * A config that went through `restoreConfig` (validated) and is in canonical form (fixed key order,
 * every param spelled out). Only this module makes one; code past the edges (a decoded link, the
 * CLI's input, the worker's entry) takes this type and neither re-validates nor re-canonicalises:
 * `restoreConfig`, `canonicalize` and `canonicalKey` return at once for an object that already is
 * one (a runtime set of those objects backs the type, so a spread copy is not mistaken for one).
 */
export type CanonicalConfig = ExperimentConfig & { readonly [canonicalBrand]: true };

const canonicalObjects = new WeakSet<object>();
const canonicalText = new WeakMap<object, string>();

/** Whether `config` is an object this module validated and canonicalised (in this realm). */
export function isCanonical(config: unknown): config is CanonicalConfig {
  return typeof config === 'object' && config !== null && canonicalObjects.has(config);
}

export type ParseResult = { ok: true; config: CanonicalConfig } | { ok: false; error: string; field: string };

const plainObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  { message: 'expected an object' },
);

const envelope = z
  .object({
    v: z.number().int().min(1),
    seed: z.number().int().min(0).max(4294967295).default(0),
    data: plainObject,
    pipelines: z.array(plainObject).min(1).max(MAX_PIPELINES),
    analysis: plainObject.optional(),
    sweep: z.unknown().optional(),
    calibration: z
      .object({
        path: z.string().min(1).max(4096),
        tensor: z.string().max(512).default(''),
        layout: z.enum(['rows-first', 'cols-first']).default('rows-first'),
      })
      .strict()
      .optional(),
    baseline: z
      .number()
      .int()
      .min(0)
      .max(MAX_PIPELINES - 1)
      .optional(),
    baselineConfig: plainObject.optional(),
    numerics: z
      .object({
        metricDomain: z.enum(['data', 'transformed']).default('data'),
        denseProducts: z.enum(['float64', 'float32']).default('float64'),
      })
      .strict()
      .optional(),
  })
  .strict();

const baselineShape = z.object({ seed: z.unknown(), data: z.unknown(), pipelines: z.unknown() }).strict();

/**
 * `baselineConfig`: validated as a whole config of the current version (it is only ever written
 * in canonical form), so it meets every limit the experiment itself meets; errors name the field
 * under `baselineConfig`.
 */
function resolveBaselineConfig(raw: Record<string, unknown>): BaselineConfig {
  const shape = baselineShape.safeParse(raw);
  if (!shape.success) throw zodError(shape.error, 'baselineConfig');
  try {
    const c = restoreConfig({ v: CONFIG_VERSION, ...shape.data });
    return { seed: c.seed, data: c.data, pipelines: c.pipelines };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const message = e.field ? e.message.slice(e.field.length + 2) : e.message;
    throw new ConfigError(e.field ? `baselineConfig.${e.field}` : 'baselineConfig', message);
  }
}

const methodRef = z
  .object({
    id: z.string().max(64),
    params: plainObject.optional(),
  })
  .strict();

/** Longest transform chain in one pipeline (smooth → permute → rotate is three). */
export const MAX_CHAIN = 8;

const pipelineShape = z
  .object({
    transforms: z.array(plainObject).max(MAX_CHAIN),
    quantizer: plainObject,
    label: z.string().max(120).optional(),
  })
  .strict();

function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

function paramZod(spec: ParamSpec): z.ZodType<ParamValue> {
  switch (spec.kind) {
    case 'int': {
      const int = z.number().int().min(spec.min).max(spec.max);
      return spec.powerOfTwo ? int.refine((v) => (v & (v - 1)) === 0) : int;
    }
    case 'number':
      return z.number().min(spec.min).max(spec.max);
    case 'enum':
      return z.enum(spec.options as [string, ...string[]]);
    case 'bool':
      return z.boolean();
    case 'string':
      return z.string().max(spec.maxLength);
  }
}

export function specSummary(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'int':
      return spec.powerOfTwo
        ? `a power of two in [${spec.min}, ${spec.max}]`
        : `an integer in [${spec.min}, ${spec.max}]`;
    case 'number':
      return `a number in [${spec.min}, ${spec.max}]`;
    case 'enum':
      return `one of ${spec.options.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'bool':
      return 'true or false';
    case 'string':
      return `a string of at most ${spec.maxLength} characters`;
  }
}

/** Validate params against a schema; unknown params are errors (they are usually typos). */
export function resolveParams(schema: ParamSchema, given: Record<string, unknown>, field: string): Params {
  const out: Record<string, ParamValue> = {};
  for (const key of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema, key)) {
      const known = Object.keys(schema);
      throw new ConfigError(
        `${field}.${key}`,
        `unknown param${known.length ? `; known: ${known.join(', ')}` : ' (this method takes none)'}`,
      );
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    const raw = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : undefined;
    if (raw === undefined) {
      out[name] = spec.default;
      continue;
    }
    const r = paramZod(spec).safeParse(raw);
    if (!r.success) {
      throw new ConfigError(`${field}.${name}`, `expected ${specSummary(spec)}, got ${describeValue(raw)}`);
    }
    out[name] = r.data;
  }
  return out;
}

function zodError(error: z.ZodError, prefix: string): ConfigError {
  const issue = error.issues[0];
  const path = issue.path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 && !prefix ? String(p) : `.${String(p)}`))
    .join('');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    return new ConfigError(`${prefix}${path}${path || prefix ? '.' : ''}${issue.keys[0]}`, 'unknown field');
  }
  if (issue.code === 'invalid_type' && issue.path.length > 0) {
    message = `${issue.message}`;
  }
  return new ConfigError(`${prefix}${path}`, message);
}

function resolveMethod(
  raw: Record<string, unknown>,
  field: string,
  kind: 'transform' | 'quantizer' | 'analysis',
): MethodRef {
  const shape = methodRef.safeParse(raw);
  if (!shape.success) throw zodError(shape.error, `${field}`);
  const registry: ReadonlyMap<string, { id: string; params: ParamSchema }> =
    kind === 'transform' ? transformsById : kind === 'quantizer' ? quantizersById : analysesById;
  const def = registry.get(shape.data.id);
  if (!def) {
    throw new ConfigError(
      `${field}.id`,
      `unknown ${kind} ${describeValue(shape.data.id)}; known: ${[...registry.keys()].join(', ')}`,
    );
  }
  return { id: def.id, params: resolveParams(def.params, shape.data.params ?? {}, `${field}.params`) };
}

export function dataParamSchema(source: string): ParamSchema | undefined {
  return dataSourceKindsById.get(source)?.params;
}

function resolveData(raw: Record<string, unknown>): DataConfig {
  const source = raw.source;
  if (typeof source !== 'string')
    throw new ConfigError('data.source', `expected a string, got ${describeValue(source)}`);
  const schema = dataParamSchema(source);
  if (!schema) {
    throw new ConfigError(
      'data.source',
      `unknown data source ${describeValue(source)}; known: ${[...dataSourceKindsById.keys()].join(', ')}`,
    );
  }
  // fromEntries defines own properties, so a "__proto__" key from JSON.parse stays a key (and is
  // refused as an unknown param) instead of being swallowed by the prototype setter.
  const rest = Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'source'));
  const params = resolveParams(schema, rest, 'data');
  return { source, ...params };
}

/**
 * Checks that need the whole config: the kind's own cross-param check, then, when the kind
 * declares its shape up front, the memory budget and transform dimension limits (a kind read from
 * bytes is checked once its shape is known, while reading).
 */
function checkLimits(config: ExperimentConfig): void {
  const { source, ...params } = config.data;
  const kind = dataSourceKindsById.get(source);
  const problem = kind?.check?.(params);
  if (problem) throw new ConfigError(`data.${problem.param}`, problem.message);
  const shape = kind?.shape(params);
  if (shape) checkShape(config, shape.rows, shape.dim);
}

/** Refuse shapes beyond the memory budget or a transform's dimension limit (message names both). */
export function checkShape(config: ExperimentConfig, rows: number, dim: number): void {
  if (rows * dim > MAX_COORDINATES) {
    throw new ConfigError(
      'data',
      `rows×dim = ${rows}×${dim} = ${formatCount(rows * dim)} coordinates exceeds the memory budget of ${formatCount(MAX_COORDINATES)} (${MAX_COORDINATES}) coordinates`,
    );
  }
  config.pipelines.forEach((p, i) => {
    let d = dim;
    p.transforms.forEach((ref, k) => {
      const t = transformsById.get(ref.id);
      if (!t) return;
      const field = `pipelines[${i}].transforms[${k}]`;
      if (t.maxDim !== undefined && d > t.maxDim) {
        throw new ConfigError(
          field,
          `${t.id} supports dim ≤ ${t.maxDim} (it needs O(d²) memory), got dim = ${d}`,
        );
      }
      const outDim = t.outDim(ref.params, d);
      if (rows * outDim > MAX_COORDINATES) {
        throw new ConfigError(
          field,
          `padding dim ${d} to ${outDim} gives ${formatCount(rows * outDim)} coordinates, over the budget of ${formatCount(MAX_COORDINATES)}`,
        );
      }
      d = outDim;
    });
  });
  checkCost(config, rows, dim);
}

/** The declared cost model (src/core/cost.ts): every buffer that does not scale with rows × dim. */
export function checkCost(config: ExperimentConfig, rows: number, dim: number): void {
  const cost = configCost(rows, dim, config.pipelines);
  for (const item of cost.items) {
    if (item.sketchEntries !== undefined && item.sketchEntries > MAX_SKETCH_ENTRIES) {
      throw new ConfigError(
        item.what.replace(/ \(.*$/, ''),
        `${item.what.replace(/^[^(]*\(|\)$/g, '')} has ${item.sketchEntries} entries, over the limit of ${MAX_SKETCH_ENTRIES} (2^28, 1 GiB of float32); lower the sketch rows or the dim`,
      );
    }
  }
  if (cost.peakBytes > MAX_RUN_BYTES) {
    const big = largestItem(cost);
    throw new ConfigError(
      rows * dim === 0 ? 'data' : big.what.replace(/ \(.*$/, ''),
      `the run needs about ${formatBytesShort(cost.peakBytes)} (largest: ${big.what}, ${formatBytesShort(big.bytes)}), over the memory budget of ${formatBytesShort(MAX_RUN_BYTES)}`,
    );
  }
}

/**
 * How often configs were validated (restoreConfig) and canonicalised (canonicalize doing the
 * work), for the link-load measurement in src/ui/state/link-load.test.ts; plain counters.
 */
export const configWork = { validations: 0, canonicalisations: 0 };

/**
 * Untrusted input → canonical config, or throws ConfigError naming the field: the one validation,
 * at the edge. A config that already is canonical (isCanonical) is returned as it is.
 */
export function restoreConfig(input: unknown): CanonicalConfig {
  if (isCanonical(input)) return input;
  configWork.validations++;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('', `config must be a JSON object, got ${describeValue(input)}`);
  }
  const migrated = migrate(input as Record<string, unknown>);
  const env = envelope.safeParse(migrated);
  if (!env.success) throw zodError(env.error, '');
  const data = resolveData(env.data.data);
  const pipelines = env.data.pipelines.map((raw, i): PipelineConfig => {
    const field = `pipelines[${i}]`;
    if (Object.hasOwn(raw, 'transform'))
      throw new ConfigError(
        `${field}.transform`,
        `v${CONFIG_VERSION} pipelines take a chain, "transforms": [ … ] (zero or more); "transform" is the v1 form, read only from configs with "v": 1`,
      );
    const shape = pipelineShape.safeParse(raw);
    if (!shape.success) throw zodError(shape.error, field);
    const transforms = shape.data.transforms.map((t, k) =>
      resolveMethod(t, `${field}.transforms[${k}]`, 'transform'),
    );
    const quantizer = resolveMethod(shape.data.quantizer, `${field}.quantizer`, 'quantizer');
    return shape.data.label !== undefined && shape.data.label.trim() !== ''
      ? { transforms, quantizer, label: shape.data.label }
      : { transforms, quantizer };
  });
  const analysis = env.data.analysis ? resolveMethod(env.data.analysis, 'analysis', 'analysis') : undefined;
  const sweep = env.data.sweep === undefined ? undefined : resolveSweep(env.data.sweep, data);
  const { baseline } = env.data;
  if (baseline !== undefined && baseline >= pipelines.length)
    throw new ConfigError(
      'baseline',
      `expected the index of a pipeline, 0…${pipelines.length - 1} (the config has ${pipelines.length}), got ${baseline}`,
    );
  const baselineConfig =
    env.data.baselineConfig === undefined ? undefined : resolveBaselineConfig(env.data.baselineConfig);
  if (baseline !== undefined && baselineConfig)
    throw new ConfigError(
      'baselineConfig',
      'a config has one baseline: a pipeline index ("baseline") or a saved config ("baselineConfig"), not both',
    );
  const { calibration, numerics } = env.data;
  const config: ExperimentConfig = {
    v: CONFIG_VERSION,
    seed: env.data.seed,
    data,
    pipelines,
    ...(analysis ? { analysis } : {}),
    ...(sweep ? { sweep } : {}),
    ...(baseline !== undefined ? { baseline } : {}),
    ...(baselineConfig ? { baselineConfig } : {}),
    ...(calibration ? { calibration } : {}),
    ...(numerics ? { numerics } : {}),
  };
  checkLimits(config);
  return canonicalForm(config);
}

export function parseConfig(input: unknown): ParseResult {
  try {
    return { ok: true, config: restoreConfig(input) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, error: e.message, field: e.field };
    return { ok: false, error: `invalid config: ${(e as Error).message}`, field: '' };
  }
}

function orderedParams(schema: ParamSchema, params: Params): Params {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(schema)) out[name] = params[name] ?? schema[name].default;
  return out;
}

/**
 * Fixed key order and every param spelled out. Assumes a validated config (a literal in the
 * source, like DEFAULT_CONFIG, or a validated config edited by the caller); returns a canonical
 * config as it is.
 */
export function canonicalize(config: ExperimentConfig): CanonicalConfig {
  return isCanonical(config) ? config : canonicalForm(config);
}

function canonicalForm(config: ExperimentConfig): CanonicalConfig {
  configWork.canonicalisations++;
  const out = canonicalShape(config);
  canonicalObjects.add(out);
  return out as CanonicalConfig;
}

function canonicalShape(config: ExperimentConfig): ExperimentConfig {
  const schema = dataParamSchema(config.data.source) ?? {};
  const data: DataConfig = { source: config.data.source, ...orderedParams(schema, config.data) };
  const pipelines = config.pipelines.map((p): PipelineConfig => {
    // The identity is a no-op stage: dropped, so [identity] and [] are one config (one cache key).
    const transforms = p.transforms
      .filter((ref) => ref.id !== 'identity')
      .map((ref) => {
        const t = transformsById.get(ref.id);
        return { id: ref.id, params: t ? orderedParams(t.params, ref.params) : ref.params };
      });
    const q = quantizersById.get(p.quantizer.id);
    const quantizer = {
      id: p.quantizer.id,
      params: q ? orderedParams(q.params, p.quantizer.params) : p.quantizer.params,
    };
    return p.label ? { transforms, quantizer, label: p.label } : { transforms, quantizer };
  });
  const sweep = config.sweep
    ? { include: config.sweep.include, exclude: config.sweep.exclude, minElements: config.sweep.minElements }
    : undefined;
  // Optional fields only when set (an old link's canonical text must not change).
  const optional = {
    ...(sweep ? { sweep } : {}),
    ...(config.baseline !== undefined ? { baseline: config.baseline } : {}),
    ...(config.baselineConfig ? { baselineConfig: canonicalBaseline(config.baselineConfig) } : {}),
    ...(config.calibration
      ? {
          calibration: {
            path: config.calibration.path,
            tensor: config.calibration.tensor,
            layout: config.calibration.layout,
          },
        }
      : {}),
    // Only non-default choices: {metricDomain: 'data'} and no field are one config (one cache key).
    ...canonicalNumerics(config.numerics),
  };
  if (!config.analysis) return { v: config.v, seed: config.seed, data, pipelines, ...optional };
  const a = analysesById.get(config.analysis.id);
  const analysis = {
    id: config.analysis.id,
    params: a ? orderedParams(a.params, config.analysis.params) : config.analysis.params,
  };
  return { v: config.v, seed: config.seed, data, pipelines, analysis, ...optional };
}

/**
 * `numerics` holding only its non-default choices, in a fixed key order; no field at all when every
 * choice is the default, so links made before a choice existed keep their text and cache key.
 */
function canonicalNumerics(n: NumericsConfig | undefined): { numerics?: NumericsConfig } {
  const numerics = {
    ...(n?.metricDomain === 'transformed' ? { metricDomain: 'transformed' as const } : {}),
    ...(n?.denseProducts === 'float32' ? { denseProducts: 'float32' as const } : {}),
  };
  return Object.keys(numerics).length ? { numerics } : {};
}

function canonicalBaseline(b: BaselineConfig): BaselineConfig {
  const c = canonicalize({ v: CONFIG_VERSION, seed: b.seed, data: b.data, pipelines: b.pipelines });
  return { seed: c.seed, data: c.data, pipelines: c.pipelines };
}

/**
 * The experiment a pinned saved config runs (the same engine and caches as any config), in the
 * experiment's own metric domain, so pinning the settings on screen compares equal numbers.
 */
export function baselineExperiment(config: ExperimentConfig): ExperimentConfig | undefined {
  const b = config.baselineConfig;
  if (!b) return undefined;
  const numerics = config.numerics ? { numerics: config.numerics } : {};
  return { v: CONFIG_VERSION, seed: b.seed, data: b.data, pipelines: b.pipelines, ...numerics };
}

/**
 * The saved pipeline row `index` is compared with: the same position, or the only one when the
 * saved config has one pipeline; undefined when the saved config has no pipeline at that position.
 */
export function baselineRow(index: number, savedPipelines: number): number | undefined {
  if (savedPipelines === 1) return 0;
  return index < savedPipelines ? index : undefined;
}

/** The react-query key and the permalink payload: canonical JSON text. */
export function canonicalKey(config: ExperimentConfig): string {
  const c = canonicalize(config);
  let text = canonicalText.get(c);
  if (text === undefined) {
    text = JSON.stringify(c);
    canonicalText.set(c, text);
  }
  return text;
}
