/* eslint-disable no-control-regex -- this file is about control characters: its patterns name them */
/**
 * "Reproduce in Python" with a hostile pipeline label (from a link): the label must stay text.
 * The audit's script ended the `#` comment with a newline in the label and ran os.system; here the
 * script's shape must not depend on the label, and (where python3 with numpy exists) running it
 * prints the label verbatim and creates no file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { pythonExport } from './python-export';

const HOSTILE = 'x\nimport os; os.system("touch PWNED")\n#"\'\\\r\u2028\x1b]0;t\x07';

function config(label?: string) {
  return restoreConfig({
    v: 1,
    seed: 3,
    data: { source: 'gaussian', rows: 4, dim: 8 },
    pipelines: [
      {
        transforms: [{ id: 'wht' }],
        quantizer: { id: 'eden', params: { bits: 2 } },
        ...(label === undefined ? {} : { label }),
      },
    ],
  });
}

const hasNumpy = spawnSync('python3', ['-c', 'import numpy']).status === 0;

describe('python export with a hostile label', () => {
  it('the label only appears inside one string literal; the script has the same lines otherwise', () => {
    const plain = pythonExport(config('benign'), 0).script.split('\n');
    const hostile = pythonExport(config(HOSTILE), 0).script.split('\n');
    expect(hostile.length).toBe(plain.length);
    const differing = hostile.filter((line, i) => line !== plain[i]);
    expect(differing).toHaveLength(1);
    expect(differing[0].startsWith('PIPELINE = "')).toBe(true);
    expect(hostile.join('\n')).not.toMatch(/^import os/m);
    // Nothing outside printable ASCII, LF and the few fixed non-ASCII comment/print characters.
    expect(hostile.join('\n')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]/);
  });

  it.skipIf(!hasNumpy)('running the script prints the label and executes nothing from it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pyexport-'));
    const { script } = pythonExport(config(HOSTILE), 0);
    writeFileSync(join(dir, 'reproduce.py'), script);
    const r = spawnSync('python3', ['reproduce.py'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'PWNED'))).toBe(false);
    expect(r.stdout).toContain('os.system');
    expect(r.stdout).toMatch(/vnmse\s+numpy/);
  });
});
