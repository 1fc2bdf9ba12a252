/** Hostile-input safety of the teaching widgets' view params: strict parsing, clamping, fallbacks. */
import { describe, expect, it } from 'vitest';
import { fmt, isTeachId, readEnum, readInt, readNum, teachUrl } from './params';

describe('teaching view params', () => {
  it('integers: strict digits only, clamped to the range, else the fallback', () => {
    expect(readInt('?row=12', 'row', 0, 100, 3)).toBe(12);
    expect(readInt('?row=1e3', 'row', 0, 100, 3)).toBe(3);
    expect(readInt('?row=0x10', 'row', 0, 100, 3)).toBe(3);
    expect(readInt('?row=-7', 'row', 0, 100, 3)).toBe(0);
    expect(readInt('?row=99999999999', 'row', 0, 100, 3)).toBe(3);
    expect(readInt('?row=%3Cscript%3E', 'row', 0, 100, 3)).toBe(3);
    expect(readInt('?row=', 'row', 0, 100, 3)).toBe(3);
  });
  it('numbers and enums', () => {
    expect(readNum('?k=2.5', 'k', 1, 64, 1)).toBe(2.5);
    expect(readNum('?k=NaN', 'k', 1, 64, 1)).toBe(1);
    expect(readNum('?k=1000', 'k', 1, 64, 1)).toBe(64);
    expect(readEnum('?law=sphere', 'law', ['gaussian', 'sphere'] as const, 'gaussian')).toBe('sphere');
    expect(readEnum('?law=__proto__', 'law', ['gaussian', 'sphere'] as const, 'gaussian')).toBe('gaussian');
    expect(isTeachId('block')).toBe(true);
    expect(isTeachId('constructor')).toBe(false);
  });
  it('permalinks keep the config hash and encode params', () => {
    const u = teachUrl(
      'https://x.test/lab/?embed=rd&theme=dark#c=old',
      'block',
      { p: 1, fmt: 'a&b' },
      '#c=NEW',
    );
    expect(u).toBe('https://x.test/lab/?embed=block&p=1&fmt=a%26b#c=NEW');
  });
  it('formats numbers compactly with a real minus sign', () => {
    expect(fmt(-0.125)).toBe('−0.1250');
    expect(fmt(-0)).toBe('−0');
    expect(fmt(12345)).toBe('1.23e+4');
    expect(fmt(-2)).toBe('−2');
  });
});
