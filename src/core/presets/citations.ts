/**
 * The seed papers presets cite, each once (title as in the seed abstract, and where
 * docs/SEEDS.md (the seeds catalogue) summarises it). Shared by the vector and matrix galleries.
 */
import type { PresetCitation } from './presets';

export const EDEN_NOTE: PresetCitation = {
  title: 'A Note on TurboQuant and the Earlier DRIVE/EDEN Line of Work',
  catalogue: '§1.A.1',
};

export const TURBOQUANT: PresetCitation = {
  title: 'TurboQuant: Online Vector Quantization with Near-optimal Distortion Rate',
  catalogue: '§1.A.2',
};

export const TWO_BLOCK: PresetCitation = {
  title:
    'Approximating Uniform Random Rotations by Two-Block Structured Hadamard Rotations in High Dimensions',
  catalogue: '§1.A.3',
};

export const DUQUANT_PP: PresetCitation = {
  title: 'DuQuant++: Fine-grained Rotation Enhances Microscaling FP4 Quantization',
  catalogue: '§1.B.2',
};

export const MR_GPTQ: PresetCitation = {
  title: 'Bridging the Gap Between Promise and Performance for Microscaling FP4 Quantization (MR-GPTQ)',
  catalogue: '§1.B.3',
};

export const NVFP4: PresetCitation = {
  title: 'Pretraining Large Language Models with NVFP4',
  catalogue: '§1.C.1',
};

export const SAW_INT4: PresetCitation = {
  title: 'SAW-INT4: System-Aware 4-Bit KV-Cache Quantization for Real-World LLM Serving',
  catalogue: '§1.F.3',
};

export const SVDQUANT: PresetCitation = {
  title: 'SVDQuant: Absorbing Outliers by Low-Rank Components for 4-Bit Diffusion Models',
  catalogue: '§1.E.2',
};

export const RESQ: PresetCitation = {
  title: 'ResQ: Mixed-Precision Quantization of LLMs with Low-Rank Residuals',
  catalogue: '§1.E.1',
};

export const EORA: PresetCitation = {
  title: 'EoRA: Training-free Compensation for Compressed LLM with Eigenspace Low-Rank Approximation',
  catalogue: '§1.E.3',
};

export const LLM_INT8: PresetCitation = {
  title: 'LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale',
  catalogue: '§1.D.1',
};

export const KIVI: PresetCitation = {
  title: 'KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache',
  catalogue: '§1.F.1',
};

export const ROTATEKV: PresetCitation = {
  title:
    'RotateKV: Accurate and Robust 2-Bit KV Cache Quantization for LLMs via Outlier-Aware Adaptive Rotations',
  catalogue: '§1.F.2',
};

export const GEAR: PresetCitation = {
  title: 'GEAR: An Efficient KV Cache Compression Recipe for Near-Lossless Generative Inference',
  catalogue: '§1.E.4',
};

export const CQ: PresetCitation = {
  title: 'KV Cache is 1 Bit Per Channel: Efficient Large Language Model Inference with Coupled Quantization',
  catalogue: '§1.F.4',
};

export const PALU: PresetCitation = {
  title: 'Palu: Compressing KV-Cache with Low-Rank Projection',
  catalogue: '§1.F.7',
};

export const ITQ3S: PresetCitation = {
  title:
    'ITQ3_S: High-Fidelity 3-bit LLM Inference via Interleaved Ternary Quantization with Rotation-Domain Smoothing',
  catalogue: '§1.B.4',
};

export const ADAHOP: PresetCitation = {
  title: 'AdaHOP: Fast and Accurate Low-Precision Training via Outlier-Pattern-Aware Rotation',
  catalogue: '§1.B.1',
};

/** Not a seed of its own: the catalogue describes QJL inside TurboQuant's entry (its residual stage). */
export const QJL: PresetCitation = {
  title: 'QJL: 1-Bit Quantized JL Transform for KV Cache Quantization with Zero Overhead',
  catalogue: '§1.A.2',
};
