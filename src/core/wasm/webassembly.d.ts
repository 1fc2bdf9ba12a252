/**
 * The part of the WebAssembly JS API (W3C WebAssembly JavaScript Interface) that the core's kernel
 * loader uses. The core is type-checked without the DOM library (tsconfig.core.json) so that page
 * APIs cannot creep into code that also runs in node and in workers; node and every browser provide
 * these globals, so they are declared here instead of pulling in the DOM typings.
 */
declare namespace WebAssembly {
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean });
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: BufferSource);
  }
  class Instance {
    constructor(module: Module, importObject?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
