import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CURRENT_VERSION, PLACES, RECIPES, recipeVersion, SETTINGS } from '../../src/training/recipes';

describe("a training run's version (recipes.ts)", () => {
  it('is the current version with no setting, with places only, and with on/off switches set to their default 1', () => {
    expect(recipeVersion({})).toBe(CURRENT_VERSION);
    expect(recipeVersion({ MASK_GATE_TRAIN_OUT: '/tmp/x', MASK_GATE_DATA: '/d', MASK_GATE_MESH: '1', MASK_GATE_FLIP: '', PATH: '/bin' })).toBe(CURRENT_VERSION);
  });

  it("is each shipped recipe's version for exactly its switches", () => {
    for (const r of RECIPES) expect(recipeVersion({ ...r.env, MASK_GATE_TRAIN_OUT: '/tmp/x' })).toBe(r.version);
    expect(recipeVersion({ MASK_GATE_NOSE_ENSEMBLE: '1' })).toBe('2.5.0');
    expect(recipeVersion({ MASK_GATE_NOSE_ENSEMBLE: '1', MASK_GATE_MESH: '0' })).toBe('2.3.0');
    expect(recipeVersion({ MASK_GATE_NOSE_ENSEMBLE: '1', MASK_GATE_FAINT_NET: '0' })).toBe('2.4.0');
  });

  it('is a trial for any other setting or combination, so a trial folder never passes for a shipped model', () => {
    const trial = `${CURRENT_VERSION}+trial`;
    expect(recipeVersion({ MASK_GATE_FLIP: 'none' })).toBe(trial);
    expect(recipeVersion({ MASK_GATE_ENSEMBLE: '1' })).toBe(trial);
    expect(recipeVersion({ MASK_GATE_MESH: '0', MASK_GATE_SEED: '7' })).toBe(trial);
    // 2.3.0's switch alone trains 2.6.0's three nose heads into it: not 2.3.0.
    expect(recipeVersion({ MASK_GATE_MESH: '0' })).toBe(trial);
    expect(recipeVersion({ MASK_GATE_MIRROR_NET: 'faint' })).toBe(trial);
    expect(recipeVersion({ MASK_GATE_MESH_SIZE: '64' })).toBe(trial);
    // 2.2.0's switches without MASK_GATE_MESH=0 would train facemesh into it: not 2.2.0.
    expect(recipeVersion({ MASK_GATE_NOSE_ENSEMBLE: '1', MASK_GATE_NOSE_HEAD: '2,32', MASK_GATE_ENSEMBLE: '1', MASK_GATE_HIDDEN: '128' })).toBe(trial);
  });

  it('knows every MASK_GATE_ variable the training code reads, as a setting or a place', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'training');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const read = new Set(files.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').match(/MASK_GATE_[A-Z0-9_]+/g) ?? []));
    const known = new Set<string>([...SETTINGS, ...PLACES]);
    expect([...read].filter((v) => !known.has(v))).toEqual([]);
  });
});
