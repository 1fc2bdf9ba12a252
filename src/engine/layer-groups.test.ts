/** Layer types by name (layer-groups.ts) on names from real checkpoints of each family. */
import { describe, expect, it } from 'vitest';
import { layerGroup } from './layer-groups';

const M = [2, 2];
describe('layerGroup', () => {
  it.each([
    ['model.layers.3.self_attn.q_proj.weight', M, 'attention q'],
    ['model.layers.3.self_attn.k_proj.weight', M, 'attention k'],
    ['model.layers.3.self_attn.v_proj.weight', M, 'attention v'],
    ['model.layers.3.self_attn.o_proj.weight', M, 'attention o'],
    ['transformer.h.0.attn.c_attn.weight', M, 'attention qkv'],
    ['transformer.h.0.attn.c_proj.weight', M, 'attention o'],
    ['transformer.h.0.mlp.c_fc.weight', M, 'mlp'],
    ['bert.encoder.layer.0.attention.self.query.weight', M, 'attention q'],
    ['bert.encoder.layer.0.attention.output.dense.weight', M, 'attention o'],
    ['bert.encoder.layer.0.intermediate.dense.weight', M, 'mlp'],
    ['bert.encoder.layer.0.output.dense.weight', M, 'mlp'],
    ['gpt_neox.layers.0.attention.query_key_value.weight', M, 'attention qkv'],
    ['blk.0.attn_q.weight', M, 'attention q'],
    ['blk.0.ffn_up.weight', M, 'mlp'],
    ['model.layers.0.mlp.gate_proj.weight', M, 'mlp'],
    ['model.embed_tokens.weight', M, 'embeddings'],
    ['token_embd.weight', M, 'embeddings'],
    ['lm_head.weight', M, 'head'],
    ['output.weight', M, 'head'],
    ['classifier.weight', M, 'head'],
    ['features.0.weight', [64, 3, 3, 3], 'conv'],
    ['model.vision.patch_embed.conv.weight', [16, 8, 3, 3], 'conv'],
    ['model.norm.weight', M, 'other'],
  ])('%s → %s', (name, shape, group) => expect(layerGroup(name, shape)).toBe(group));
});
