/** The quantizer registry: one line per quantizer file (registry.test.ts checks none is missing). */
import type { QuantizerDef } from '../types';
import { intQuantizer } from './int';
import { edenQuantizer } from './eden';
import { turboquantMseQuantizer } from './turboquant-mse';
import { turboquantProdQuantizer } from './turboquant-prod';
import { qjlQuantizer } from './qjl';
import { fp8Quantizer } from './fp8';
import { mxfp4Quantizer } from './mxfp4';
import { nvfp4Quantizer } from './nvfp4';
import { nf4Quantizer } from './nf4';
import { ternaryQuantizer } from './ternary';
import { svdquantQuantizer } from './svdquant';
import { resqQuantizer } from './resq';
import { eoraQuantizer } from './eora';
import { llmInt8Quantizer } from './llm-int8';
import { kiviQuantizer } from './kivi';
import { itq3sQuantizer } from './itq3s';
import { adahopQuantizer } from './adahop';
import { qjlKvQuantizer } from './qjl-kv';
import { mxQuantizer } from './mx';
import { bfpQuantizer } from './bfp';
import { matquantQuantizer } from './matquant';
import { gearQuantizer } from './gear';
import { paluQuantizer } from './palu';
import { coupledQuantizer } from './coupled';
import { rotatekvQuantizer } from './rotatekv';
import { gptqQuantizer } from './gptq';
import { mrGptqQuantizer } from './mr-gptq';

export const QUANTIZERS: readonly QuantizerDef[] = [
  intQuantizer,
  edenQuantizer,
  turboquantMseQuantizer,
  turboquantProdQuantizer,
  qjlQuantizer,
  fp8Quantizer,
  mxfp4Quantizer,
  nvfp4Quantizer,
  nf4Quantizer,
  ternaryQuantizer,
  svdquantQuantizer,
  resqQuantizer,
  eoraQuantizer,
  llmInt8Quantizer,
  kiviQuantizer,
  itq3sQuantizer,
  adahopQuantizer,
  qjlKvQuantizer,
  mxQuantizer,
  bfpQuantizer,
  matquantQuantizer,
  gearQuantizer,
  paluQuantizer,
  coupledQuantizer,
  rotatekvQuantizer,
  gptqQuantizer,
  mrGptqQuantizer,
];
