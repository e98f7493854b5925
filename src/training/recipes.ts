/**
 * Which shipped model a training run makes, by its trial switches. Each shipped version is today's code with
 * the switches below (none: the current recipe); a run matching none of them is a trial, and its model.json
 * says so (CURRENT_VERSION+trial, e.g. "2.6.0+trial"), so that a trial folder is never taken for a shipped model. (Before, the version
 * was worked out from a few switches only: a trial without the test-time flip was labelled 2.5.0.)
 */
export const CURRENT_VERSION = '2.6.0';

/** 2.5.0 and before: one nose head. */
const ONE_NOSE = { MASK_GATE_NOSE_ENSEMBLE: '1' };
const R22 = { ...ONE_NOSE, MASK_GATE_MESH: '0', MASK_GATE_NOSE_HEAD: '2,32', MASK_GATE_ENSEMBLE: '1', MASK_GATE_HIDDEN: '128' };
const R21 = { ...R22, MASK_GATE_TINT: '0' };
const R20 = { ...R21, MASK_GATE_NOSE: 'off' };

/** Newest first; each is the whole set of switches that differ from the current recipe. */
export const RECIPES: readonly { version: string; env: Readonly<Record<string, string>> }[] = [
  { version: CURRENT_VERSION, env: {} },
  { version: '2.5.0', env: ONE_NOSE },
  { version: '2.4.0', env: { ...ONE_NOSE, MASK_GATE_FAINT_NET: '0' } },
  { version: '2.3.0', env: { ...ONE_NOSE, MASK_GATE_MESH: '0' } },
  { version: '2.2.0', env: R22 },
  { version: '2.1.0', env: R21 },
  { version: '2.0.0', env: R20 },
  { version: '1.1.0', env: { ...R20, MASK_GATE_SYNTH: '0', MASK_GATE_LOWER: 'off', MASK_GATE_BESIDE: '0' } },
];

/** The training's settings (every variable the training reads but the places below). */
export const SETTINGS = [
  'MASK_GATE_BELOW_NOSE_TOP', 'MASK_GATE_BESIDE', 'MASK_GATE_CLASS_POWER', 'MASK_GATE_COPIES', 'MASK_GATE_ENSEMBLE', 'MASK_GATE_EPOCHS', 'MASK_GATE_EXPAND',
  'MASK_GATE_FACE_INPUT', 'MASK_GATE_FAINT_MAX', 'MASK_GATE_FAINT_NET', 'MASK_GATE_FLIP', 'MASK_GATE_HIDDEN', 'MASK_GATE_LOWER',
  'MASK_GATE_LOWRES', 'MASK_GATE_MESH', 'MASK_GATE_MESH_SIZE', 'MASK_GATE_MIRROR_NET', 'MASK_GATE_MOUTH', 'MASK_GATE_NOSE', 'MASK_GATE_NOSE_ENSEMBLE',
  'MASK_GATE_NOSE_HEAD', 'MASK_GATE_NOSE_JITTER', 'MASK_GATE_SEED', 'MASK_GATE_SYNTH', 'MASK_GATE_SYNTH_COPIES', 'MASK_GATE_TAPS', 'MASK_GATE_TINT',
] as const;

/** Variables that name places (data, cache, output, templates), not settings: they change no model. */
export const PLACES = ['MASK_GATE_DATA', 'MASK_GATE_TEMPLATES', 'MASK_GATE_TRAIN_CACHE', 'MASK_GATE_TRAIN_OUT'] as const;

/** The on/off switches, on by default: set to 1 they are the default. */
const ON_BY_DEFAULT = new Set(['MASK_GATE_BESIDE', 'MASK_GATE_FAINT_NET', 'MASK_GATE_MESH', 'MASK_GATE_SYNTH', 'MASK_GATE_TINT']);

/** The version a run with these variables makes: a recipe's, or CURRENT_VERSION+trial. */
export function recipeVersion(env: NodeJS.ProcessEnv): string {
  const set = SETTINGS.filter((k) => env[k] !== undefined && env[k] !== '' && !(ON_BY_DEFAULT.has(k) && env[k] === '1'));
  const recipe = RECIPES.find((r) => set.length === Object.keys(r.env).length && set.every((k) => r.env[k] === env[k]));
  return recipe?.version ?? `${CURRENT_VERSION}+trial`;
}
