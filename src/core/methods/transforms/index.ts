/** The transform registry: one line per transform file (registry.test.ts checks none is missing). */
import type { TransformDef } from '../types';
import { identityTransform } from './identity';
import { whtTransform } from './wht';
import { rhtTransform } from './rht';
import { blockHadamardTransform } from './blockHadamard';
import { haarTransform } from './haar';
import { dctTransform } from './dct';
import { pcaTransform } from './pca';
import { duquantTransform } from './duquant';
import { permuteTransform } from './permute';
import { smoothquantTransform } from './smoothquant';
import { kltTransform } from './klt';
import { flatquantTransform } from './flatquant';

export const TRANSFORMS: readonly TransformDef[] = [
  identityTransform,
  whtTransform,
  rhtTransform,
  blockHadamardTransform,
  haarTransform,
  dctTransform,
  pcaTransform,
  duquantTransform,
  permuteTransform,
  smoothquantTransform,
  kltTransform,
  flatquantTransform,
];
