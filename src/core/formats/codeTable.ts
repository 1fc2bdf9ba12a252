/**
 * Code tables: every code of a format with its bit string and value, for the conformance UI and
 * for tests that compare against an independently generated table (testing/fixtures/formats.json).
 */
import { E8M0_NAN, decodeE8m0, e8m0Bits } from './e8m0';
import { BF16, E2M1, E2M3, E3M2, E4M3, E5M2, FP16, UE4M3, codeBits, decode } from './minifloat';
import type { MinifloatFormat } from './minifloat';
import { NF4_VALUES } from './nf4';

export interface CodeEntry {
  readonly code: number;
  /** Bits with fields separated by '.', sign first (e.g. "0.1111.110"). */
  readonly bits: string;
  readonly value: number;
  readonly kind: 'zero' | 'subnormal' | 'normal' | 'inf' | 'nan' | 'level';
}

export type FormatName =
  'e2m1' | 'e2m3' | 'e3m2' | 'e4m3' | 'e5m2' | 'ue4m3' | 'fp16' | 'bf16' | 'e8m0' | 'nf4';

export const FORMAT_NAMES: readonly FormatName[] = [
  'e2m1',
  'e2m3',
  'e3m2',
  'e4m3',
  'e5m2',
  'ue4m3',
  'fp16',
  'bf16',
  'e8m0',
  'nf4',
];

const MINIFLOAT_BY_NAME: Readonly<Record<string, MinifloatFormat>> = {
  e2m1: E2M1,
  e2m3: E2M3,
  e3m2: E3M2,
  e4m3: E4M3,
  e5m2: E5M2,
  ue4m3: UE4M3,
  fp16: FP16,
  bf16: BF16,
};

export function minifloatCodeTable(f: MinifloatFormat): CodeEntry[] {
  const out: CodeEntry[] = [];
  const eMask = (1 << f.ebits) - 1;
  for (let code = 0; code < f.ncodes; code++) {
    const value = decode(f, code);
    const ef = (code >>> f.mbits) & eMask;
    let kind: CodeEntry['kind'];
    if (value !== value) kind = 'nan';
    else if (!Number.isFinite(value)) kind = 'inf';
    else if (value === 0) kind = 'zero';
    else if (ef === 0) kind = 'subnormal';
    else kind = 'normal';
    out.push({ code, bits: codeBits(f, code), value, kind });
  }
  return out;
}

export function e8m0CodeTable(): CodeEntry[] {
  const out: CodeEntry[] = [];
  for (let code = 0; code < 256; code++) {
    out.push({
      code,
      bits: e8m0Bits(code),
      value: decodeE8m0(code),
      kind: code === E8M0_NAN ? 'nan' : 'normal',
    });
  }
  return out;
}

export function nf4CodeTable(): CodeEntry[] {
  const out: CodeEntry[] = [];
  for (let code = 0; code < 16; code++) {
    const value = NF4_VALUES[code];
    out.push({ code, bits: code.toString(2).padStart(4, '0'), value, kind: value === 0 ? 'zero' : 'level' });
  }
  return out;
}

/** The full code table of a named format (fp16 and bf16 have 65 536 entries). */
export function codeTable(name: FormatName): CodeEntry[] {
  if (name === 'e8m0') return e8m0CodeTable();
  if (name === 'nf4') return nf4CodeTable();
  return minifloatCodeTable(MINIFLOAT_BY_NAME[name]);
}

/** The minifloat format object for a name, or undefined for e8m0 / nf4 / unknown names. */
export function minifloatByName(name: string): MinifloatFormat | undefined {
  return MINIFLOAT_BY_NAME[name];
}
