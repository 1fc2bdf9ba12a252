/**
 * A safe, non-executing reader for Python pickles (spec: CPython `Lib/pickletools.py`, the opcode
 * reference for protocols 0–5, and PEP 3154 for protocol 4 framing). It builds plain values
 * from the opcodes; it never calls anything. GLOBAL / STACK_GLOBAL produce a `PickleGlobal`
 * only when the caller's `allowGlobal` accepts the (module, name) pair, and REDUCE / NEWOBJ /
 * BUILD are handed to the caller's `reduce` / `build`, which interpret the few callables they
 * know (torch's tensor reconstructors, `collections.OrderedDict`) as data. Anything else — an
 * unknown global such as `os system` or `builtins eval`, a REDUCE on something that is not an
 * allowed global, an opcode outside the list below — stops the read with a DataFileError naming
 * the file, the global or opcode, and the byte offset.
 *
 * Supported opcodes (pickletools names): PROTO FRAME STOP MARK POP POP_MARK DUP
 * NONE NEWTRUE NEWFALSE INT BININT BININT1 BININT2 LONG1 LONG4 BINFLOAT
 * BINUNICODE SHORT_BINUNICODE BINUNICODE8 BINSTRING SHORT_BINSTRING BINBYTES SHORT_BINBYTES
 * BINBYTES8 BYTEARRAY8 EMPTY_DICT DICT EMPTY_LIST LIST EMPTY_TUPLE TUPLE TUPLE1 TUPLE2 TUPLE3
 * EMPTY_SET ADDITEMS FROZENSET SETITEM SETITEMS APPEND APPENDS PUT BINPUT LONG_BINPUT MEMOIZE
 * GET BINGET LONG_BINGET GLOBAL STACK_GLOBAL REDUCE NEWOBJ BUILD BINPERSID.
 *
 * Resource bounds: the input is an in-memory buffer (the caller caps its size); every length is
 * checked against the bytes left before it is used; the stack and memo only hold what earlier
 * opcodes built, so they are bounded by the input size.
 */
import { DataFileError } from './errors';

export class PickleGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A dict (or OrderedDict): insertion-ordered key/value pairs (keys are usually strings). */
export class PickleDict {
  readonly entries: [PickleValue, PickleValue][] = [];
  private readonly index = new Map<string | number, number>();
  set(k: PickleValue, v: PickleValue): void {
    const i = typeof k === 'string' || typeof k === 'number' ? this.index.get(k) : undefined;
    if (i !== undefined) this.entries[i][1] = v;
    else {
      if (typeof k === 'string' || typeof k === 'number') this.index.set(k, this.entries.length);
      this.entries.push([k, v]);
    }
  }
}

/** Tuples are frozen arrays; lists and sets are plain arrays. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** An object the caller built from a REDUCE / BINPERSID (e.g. a tensor or a storage reference). */
export interface PickleOpaque {
  readonly opaque: true;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | PickleOpaque;

export interface PickleHooks {
  /** Whether GLOBAL module.name may be referenced at all. */
  allowGlobal(module: string, name: string): boolean;
  /** REDUCE / NEWOBJ: build a value from an allowed global and its argument tuple. */
  reduce(fn: PickleGlobal, args: readonly PickleValue[], at: number): PickleValue;
  /** BINPERSID: resolve a persistent id (torch: a storage reference). */
  persistentLoad(pid: PickleValue, at: number): PickleValue;
  /** BUILD: apply `state` to `obj` (returning the object that replaces it). */
  build?(obj: PickleValue, state: PickleValue, at: number): PickleValue;
}

const MARK: unique symbol = Symbol('mark');
type Slot = PickleValue | typeof MARK;

/** Read one pickle from `bytes`. `where` names the stream in errors ('archive/data.pkl'). */
export function readPickle(bytes: Uint8Array, file: string, where: string, hooks: PickleHooks): PickleValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let p = 0;
  let op = 0;
  let opAt = 0;
  const fail = (detail: string, at = opAt): never => {
    throw new DataFileError(file, `${where}: ${detail} (pickle byte ${at})`);
  };
  const need = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0 || p + n > bytes.length)
      fail(
        `opcode 0x${op.toString(16)} needs ${n} bytes but only ${bytes.length - p} remain (truncated pickle?)`,
      );
  };
  const u8 = () => {
    need(1);
    return bytes[p++];
  };
  const u32 = () => {
    need(4);
    const x = v.getUint32(p, true);
    p += 4;
    return x;
  };
  const u64 = () => {
    need(8);
    const x = v.getUint32(p, true) + v.getUint32(p + 4, true) * 2 ** 32;
    p += 8;
    return x;
  };
  const take = (n: number) => {
    need(n);
    const b = bytes.subarray(p, p + n);
    p += n;
    return b;
  };
  const line = () => {
    const e = bytes.indexOf(0x0a, p);
    if (e < 0) fail('unterminated text argument');
    const s = new TextDecoder('latin1').decode(bytes.subarray(p, e));
    p = e + 1;
    return s;
  };
  const utf8 = (b: Uint8Array) => {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const pop = (): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]))
      fail('stack underflow');
    const x = stack.pop() as Slot;
    if (x === MARK) return fail('unexpected MARK on the stack');
    return x;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) fail('stack underflow');
    const x = stack[stack.length - 1];
    if (x === MARK) return fail('unexpected MARK on the stack');
    return x;
  };
  const popMark = (): PickleValue[] => {
    const m = marks.pop();
    if (m === undefined) return fail('no MARK to pop to');
    // stack[m] is the MARK itself; the items are above it.
    const items = stack.splice(m).slice(1) as PickleValue[];
    if (items.some((x) => (x as Slot) === MARK)) fail('nested MARK inside a marked group');
    return items;
  };
  const push = (x: PickleValue) => stack.push(x);
  const dictOf = (x: PickleValue, what: string): PickleDict => {
    if (!(x instanceof PickleDict)) return fail(`${what} on a ${kindOf(x)}, not a dict`);
    return x;
  };
  const listOf = (x: PickleValue, what: string): PickleValue[] => {
    if (!Array.isArray(x)) return fail(`${what} on a ${kindOf(x)}, not a list`);
    return x;
  };
  const memoGet = (k: number): PickleValue => {
    if (!memo.has(k)) fail(`memo key ${k} was never stored`);
    return memo.get(k) as PickleValue;
  };
  const checkGlobal = (module: string, name: string): PickleGlobal => {
    if (!hooks.allowGlobal(module, name)) {
      fail(
        `refuses global '${module} ${name}': only torch's tensor and storage reconstructors and plain containers are allowed (the pickle would run code)`,
      );
    }
    return new PickleGlobal(module, name);
  };

  for (;;) {
    if (p >= bytes.length) fail('ends without STOP (truncated pickle?)', p);
    opAt = p;
    op = bytes[p++];
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) fail(`STOP with ${stack.length} items on the stack`);
        return pop();
      case 0x28: // MARK
        marks.push(stack.length);
        stack.push(MARK);
        break;
      case 0x30: // POP
        if (stack.length > 0 && stack[stack.length - 1] === MARK) {
          stack.pop();
          marks.pop();
        } else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x49: {
        // INT (protocol 0): decimal line; "01"/"00" are True/False
        const s = line();
        if (s === '01' || s === '00') push(s === '01');
        else if (/^[-+]?\d+$/.test(s)) push(Number(s));
        else fail(`bad INT argument '${s}'`);
        break;
      }
      case 0x4a: // BININT
        need(4);
        push(v.getInt32(p, true));
        p += 4;
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        push(v.getUint16(p, true));
        p += 2;
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4: little-endian two's complement of n bytes
        const n = op === 0x8a ? u8() : u32();
        const b = take(n);
        let x = 0n;
        for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) x -= 1n << BigInt(8 * n);
        push(x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x);
        break;
      }
      case 0x47: // BINFLOAT: big-endian double
        need(8);
        push(v.getFloat64(p, false));
        p += 8;
        break;
      case 0x58: // BINUNICODE
        push(utf8(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(utf8(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        push(utf8(take(u64())));
        break;
      case 0x54: // BINSTRING (py2 str): latin-1 text
        push(new TextDecoder('latin1').decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        push(new TextDecoder('latin1').decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(u8()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(take(u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        push(new PickleDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2) fail('DICT with an odd number of items');
        const d = new PickleDict();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        push(d);
        break;
      }
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET (kept as a list)
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        push(new PickleTuple([]));
        break;
      case 0x74: // TUPLE
        push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        const a = pop();
        push(new PickleTuple([a, b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push(new PickleTuple([a, b, c]));
        break;
      }
      case 0x91: // FROZENSET
        push(popMark());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        listOf(top(), 'ADDITEMS').push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const val = pop();
        const key = pop();
        dictOf(top(), 'SETITEM').set(key, val);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        const d = dictOf(top(), 'SETITEMS');
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x61: {
        // APPEND
        const x = pop();
        listOf(top(), 'APPEND').push(x);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        listOf(top(), 'APPENDS').push(...items);
        break;
      }
      case 0x70: {
        // PUT
        const s = line();
        if (!/^\d+$/.test(s)) fail(`bad PUT argument '${s}'`);
        memo.set(Number(s), top());
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: {
        // GET
        const s = line();
        if (!/^\d+$/.test(s)) fail(`bad GET argument '${s}'`);
        push(memoGet(Number(s)));
        break;
      }
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      case 0x63: {
        // GLOBAL: "module\nname\n"
        const module = line();
        const name = line();
        push(checkGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        push(checkGlobal(module as string, name as string));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ (cls, args): same treatment for the allowed classes
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleGlobal)) {
          fail(`${op === 0x52 ? 'REDUCE' : 'NEWOBJ'} on a ${kindOf(fn)}, which is not an allowed callable`);
        }
        if (!(args instanceof PickleTuple)) fail(`REDUCE arguments are a ${kindOf(args)}, not a tuple`);
        push(hooks.reduce(fn as PickleGlobal, (args as PickleTuple).items, opAt));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = pop();
        push(hooks.build ? hooks.build(obj, state, opAt) : obj);
        break;
      }
      case 0x51: // BINPERSID
        push(hooks.persistentLoad(pop(), opAt));
        break;
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

export function kindOf(x: PickleValue | undefined): string {
  if (x === null) return 'None';
  if (x === undefined) return 'nothing';
  if (Array.isArray(x)) return 'list';
  if (x instanceof Uint8Array) return 'bytes';
  if (x instanceof PickleTuple) return 'tuple';
  if (x instanceof PickleDict) return 'dict';
  if (x instanceof PickleGlobal) return `global '${x.module} ${x.name}'`;
  if (typeof x === 'object') return 'object';
  return typeof x;
}
