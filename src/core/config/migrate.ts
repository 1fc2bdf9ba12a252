/**
 * Config versions. Links written by any released version must keep decoding (CONTRACT.md §1):
 * each version bump adds one step here that rewrites the previous version's shape into the next,
 * and e2e/unit tests hold saved links with their expected numbers.
 *
 * v1 (2026-11): the first released shape; one `transform` per pipeline. Params added later to
 *   existing methods keep old links' numbers by pinning the old behaviour where a v1 config omits
 *   them: svdquant, eora, resq `svd` (added with the exact truncated SVD): omitted =
 *   'randomized-2', the 2-step randomized subspace iteration every earlier link ran; new configs
 *   spell out the schema default 'exact' (canonical links list every param).
 * v2 (2026-11): a pipeline is a chain `transforms: [...]` (zero or more, applied in order, inverted
 *   in reverse) then a quantizer. v1 → v2 turns `transform: T` into `transforms: [T]`, and the
 *   identity transform into the empty chain; the first stage of a chain draws its random streams
 *   exactly as a v1 transform did, so every v1 link keeps its numbers.
 */
import { ConfigError, CONFIG_VERSION } from './errors';

export function migrate(raw: Record<string, unknown>): Record<string, unknown> {
  const v = raw.v;
  if (v === undefined)
    throw new ConfigError('v', `missing config version (this QuantScope writes v: ${CONFIG_VERSION})`);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    // Quote at most 40 characters of the value: a message is one short line, whatever a link holds.
    const shown = JSON.stringify(v) ?? String(v);
    throw new ConfigError(
      'v',
      `expected a positive integer version, got ${shown.length > 40 ? `${shown.slice(0, 40)}…` : shown}`,
    );
  }
  if (v > CONFIG_VERSION) {
    throw new ConfigError(
      'v',
      `config version ${v} is newer than this QuantScope (reads up to v${CONFIG_VERSION})`,
    );
  }
  return v === 1 ? v1ToV2(pinLegacyV1Params(raw)) : raw;
}

/** Rewrites what v1 links can hold; anything malformed is left for validation to name. */
function v1ToV2(raw: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(raw.pipelines)) return { ...raw, v: 2 };
  const pipelines = raw.pipelines.map((p: unknown) => {
    if (typeof p !== 'object' || p === null || Array.isArray(p) || !Object.hasOwn(p, 'transform')) return p;
    const { transform, ...rest } = p as Record<string, unknown>;
    const isIdentity =
      typeof transform === 'object' &&
      transform !== null &&
      (transform as { id?: unknown }).id === 'identity';
    return { transforms: isIdentity ? [] : [transform], ...rest };
  });
  return { ...raw, v: 2, pipelines };
}

/** Quantizers whose low-rank SVD changed from randomized (2 power steps) to exact. */
const LEGACY_RANDOMIZED_SVD = new Set(['svdquant', 'eora', 'resq']);

function pinLegacyV1Params(raw: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(raw.pipelines)) return raw;
  const pipelines = raw.pipelines.map((p: unknown) => {
    if (typeof p !== 'object' || p === null) return p;
    const q = (p as Record<string, unknown>).quantizer;
    if (typeof q !== 'object' || q === null) return p;
    const ref = q as Record<string, unknown>;
    if (typeof ref.id !== 'string' || !LEGACY_RANDOMIZED_SVD.has(ref.id)) return p;
    const params = ref.params;
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
      return p;
    const given = (params ?? {}) as Record<string, unknown>;
    if ('svd' in given) return p;
    return {
      ...(p as Record<string, unknown>),
      quantizer: { ...ref, params: { ...given, svd: 'randomized-2' } },
    };
  });
  return { ...raw, pipelines };
}
