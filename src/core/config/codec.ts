/**
 * Permalink codec: `#c=` + lz-string's URI-safe compression of the canonical config JSON
 * (lz-string, Pieroxy: a small, widely used LZ-based compressor with a URI-component alphabet).
 *
 * Decoding treats the link as hostile: bounded encoded and decoded sizes, JSON.parse only (never
 * eval), and the result goes through restoreConfig like any other untrusted config.
 */
import LZString from 'lz-string';
import {
  ConfigError,
  canonicalKey,
  restoreConfig,
  type CanonicalConfig,
  type ExperimentConfig,
} from './schema';

export const MAX_ENCODED_LENGTH = 32_768;
export const MAX_DECODED_LENGTH = 262_144;
/** Deepest array/object nesting accepted in config JSON (a valid config nests 4 levels). */
export const MAX_JSON_DEPTH = 32;

/**
 * JSON text → value, refusing nesting deeper than MAX_JSON_DEPTH before parsing: JSON.parse
 * itself copes with 10⁵ levels, but every recursive consumer after it (validation, error
 * formatting, JSON.stringify) would overflow the stack, which is not a config error message.
 * The scan follows RFC 8259 §7 strings (backslash escapes) so brackets inside strings don't count.
 */
export function parseConfigJson(text: string, field: string, invalid?: string): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH)
        throw new ConfigError(field, `JSON nests deeper than ${MAX_JSON_DEPTH} levels (at character ${i})`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(field, invalid ?? `not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Link checksum: CRC-32 (ISO-HDLC, the zip/PNG polynomial) of the compressed payload in base 36,
 * appended as `.<check>`. A CRC detects every single-character edit of the payload (any burst of
 * ≤ 32 bits); without it 2 of 497 one-character edits of a link decoded to a different valid config
 * with no message. Links without a check (written before it existed) still decode as before.
 */
const CHECK_LENGTH = 7; // 36^7 > 2^32

let crcTable: Uint32Array | undefined;
function crc32Ascii(text: string): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < text.length; i++) c = crcTable[(c ^ text.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function linkCheck(payload: string): string {
  return crc32Ascii(payload).toString(36).padStart(CHECK_LENGTH, '0');
}

export function encodeConfig(config: ExperimentConfig): string {
  const payload = LZString.compressToEncodedURIComponent(canonicalKey(config));
  return `${payload}.${linkCheck(payload)}`;
}

export function permalinkHash(config: ExperimentConfig): string {
  return `#c=${encodeConfig(config)}`;
}

/** Pull the encoded payload (with its `.check`, if any) out of a URL, a hash, or `c=…`;
 *  undefined if there is none. */
export function extractPayload(text: string): string | undefined {
  const m = /(?:^|[#?&])c=([A-Za-z0-9+\-$_]*(?:\.[0-9a-z]*)?)/.exec(text.trim());
  return m ? m[1] : undefined;
}

/** Encoded payload → raw JSON value (not yet validated). Throws ConfigError('permalink', …). */
export function decodePayload(withCheck: string): unknown {
  const dot = withCheck.indexOf('.');
  const payload = dot < 0 ? withCheck : withCheck.slice(0, dot);
  const check = dot < 0 ? '' : withCheck.slice(dot + 1);
  // An empty check is a link without one followed by a full stop (a link at the end of a sentence).
  if (check !== '') {
    if (check !== linkCheck(payload))
      throw new ConfigError(
        'permalink',
        'link is corrupt: its checksum does not match (was it edited or cut short?)',
      );
  }
  if (payload.length === 0) throw new ConfigError('permalink', 'empty config in link');
  if (payload.length > MAX_ENCODED_LENGTH) {
    throw new ConfigError(
      'permalink',
      `link payload is ${payload.length} characters, over the limit of ${MAX_ENCODED_LENGTH}`,
    );
  }
  let json: string | null;
  try {
    json = LZString.decompressFromEncodedURIComponent(payload);
  } catch {
    json = null;
  }
  if (!json) throw new ConfigError('permalink', 'link is corrupt: it does not decompress');
  if (json.length > MAX_DECODED_LENGTH) {
    throw new ConfigError(
      'permalink',
      `decoded config is ${json.length} characters, over the limit of ${MAX_DECODED_LENGTH}`,
    );
  }
  return parseConfigJson(json, 'permalink', 'link is corrupt: the config is not valid JSON');
}

/** A URL, hash or payload → validated canonical config. Throws ConfigError naming the field. */
export function decodePermalink(text: string): CanonicalConfig {
  const payload = extractPayload(text);
  if (payload === undefined) throw new ConfigError('permalink', 'no "c=" config found in the link');
  return restoreConfig(decodePayload(payload));
}
