/** @jest-environment ./test/env/onnx-environment.js */
/*
 * The training script's trial switches are read when it loads. A value it cannot read must stop it with the
 * variable's name, not train silently with other settings.
 */
const load = () => jest.isolateModules(() => require('../../src/training/train'));

function withEnv(env: Record<string, string>, fn: () => void): void {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('training trial switches', () => {
  it.each(['MASK_GATE_SYNTH', 'MASK_GATE_BESIDE', 'MASK_GATE_TINT', 'MASK_GATE_MESH', 'MASK_GATE_FAINT_NET'])('%s takes 0 or 1 and refuses anything else, naming itself', (name) => {
    for (const ok of ['0', '1', '']) withEnv({ [name]: ok }, () => expect(load).not.toThrow());
    withEnv({ [name]: 'off' }, () => expect(load).toThrow(`${name}: expected 0 (off) or 1 (on, the default), got "off"`));
  });

  it('MASK_GATE_NOSE_HEAD takes pool,hidden and refuses a pool the grid cannot divide', () => {
    withEnv({ MASK_GATE_NOSE_HEAD: '2,32' }, () => expect(load).not.toThrow());
    withEnv({ MASK_GATE_NOSE_HEAD: '3,8' }, () => expect(load).toThrow(/MASK_GATE_NOSE_HEAD: expected pool,hidden .* got "3,8"/));
    withEnv({ MASK_GATE_NOSE_HEAD: '1' }, () => expect(load).toThrow(/MASK_GATE_NOSE_HEAD/));
  });

  it('MASK_GATE_BELOW_NOSE_TOP takes lo,hi with lo <= hi and refuses anything else, naming itself', () => {
    withEnv({ MASK_GATE_BELOW_NOSE_TOP: '-0.2,0.12' }, () => expect(load).not.toThrow());
    for (const bad of ['0.1', '0.2,0.1', 'a,b', ',0.1']) withEnv({ MASK_GATE_BELOW_NOSE_TOP: bad }, () => expect(load).toThrow(`MASK_GATE_BELOW_NOSE_TOP: expected "lo,hi" with lo <= hi, got "${bad}"`));
  });

  it('MASK_GATE_MESH_SIZE takes 64 or 96, the sizes the facemesh pooling is written for', () => {
    withEnv({ MASK_GATE_MESH_SIZE: '64' }, () => expect(load).not.toThrow());
    withEnv({ MASK_GATE_MESH_SIZE: '128' }, () => expect(load).toThrow('MASK_GATE_MESH_SIZE: expected one of 64, 96, got "128"'));
  });
});
