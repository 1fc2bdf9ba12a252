/**
 * Config versions. Links written by any released version must keep decoding (CONTRACT.md §1):
 * each version bump adds one step here that rewrites the previous version's shape into the next,
 * and e2e/unit tests hold saved links with their expected numbers.
 *
 * v1 (2026-11): the first released shape; nothing to migrate.
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
  return raw;
}
