/** The transform registry: one line per transform file (registry.test.ts checks none is missing). */
import type { TransformDef } from '../types';

export const TRANSFORMS: readonly TransformDef[] = [];
