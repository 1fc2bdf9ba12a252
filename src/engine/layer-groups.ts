/**
 * Layer type of a checkpoint tensor from its name (and rank), for the checkpoint view's groups.
 * Name patterns follow the module names of the common model families (Hugging Face Llama/Mistral/
 * Qwen `self_attn.q_proj`, GPT-2 `attn.c_attn`/`mlp.c_fc`, BERT `attention.self.query`,
 * Falcon/GPT-NeoX `query_key_value`/`dense_h_to_4h`, llama.cpp GGUF `attn_q`/`ffn_up`, timm/
 * torchvision conv nets). Anything unmatched is 'other'; the grouping is a display aid only and
 * never changes a number.
 */
export type LayerGroup =
  | 'attention q'
  | 'attention k'
  | 'attention v'
  | 'attention o'
  | 'attention qkv'
  | 'mlp'
  | 'conv'
  | 'embeddings'
  | 'head'
  | 'other';

export const LAYER_GROUPS: readonly LayerGroup[] = [
  'embeddings',
  'attention q',
  'attention k',
  'attention v',
  'attention qkv',
  'attention o',
  'mlp',
  'conv',
  'head',
  'other',
];

// First match wins: attention and MLP before head/embeddings (BERT's `attention.output.dense`
// is attention o, its `output.dense` the MLP's second matrix; a tensor named `head` is the head).
const RULES: readonly [LayerGroup, RegExp][] = [
  ['attention qkv', /(qkv|query_key_value|c_attn|in_proj)/i],
  ['attention q', /(q_proj|\.query\b|attn_q\b|\.wq\b)/i],
  ['attention k', /(k_proj|\.key\b|attn_k\b|\.wk\b)/i],
  ['attention v', /(v_proj|\.value\b|attn_v\b|\.wv\b)/i],
  [
    'attention o',
    /(o_proj|out_proj|attn_output|attention\.output\.dense|attn\.c_proj|self_attn\.dense|\.wo\b)/i,
  ],
  [
    'mlp',
    /(mlp|ffn|feed_forward|fc1|fc2|c_fc|up_proj|down_proj|gate_proj|dense_h_to_4h|dense_4h_to_h|intermediate\.dense|output\.dense|\.w[123]\b)/i,
  ],
  ['embeddings', /(embed|wte|wpe|word_embeddings|position_embeddings|token_embd)/i],
  ['head', /(^|\.)(lm_head|classifier|head|output)\.(weight|bias)$/i],
];

/** The layer type of a tensor: rank ≥ 3 (a conv kernel) is 'conv', else the first name rule. */
export function layerGroup(name: string, shape: readonly number[]): LayerGroup {
  if (shape.length >= 3 || /conv/i.test(name)) return 'conv';
  for (const [group, re] of RULES) if (re.test(name)) return group;
  return 'other';
}
