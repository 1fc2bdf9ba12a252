/** Bit-exact number formats (see each file's header for the spec and section it follows). */
export * from './minifloat';
export * from './fp16';
export * from './e8m0';
export * from './nf4';
export * from './rounding';
export * from './codeTable';
