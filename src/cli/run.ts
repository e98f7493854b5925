import { detectorThreadProblem, machineCores } from '../detector/thread-budget';
import { redact } from '../log';
import { loadConfigForCommand, parseCommandArgs, usageError } from './args';

const USAGE = 'usage: mask-gate run [--config FILE] | mask-gate run --validate-config FILE';

/** `mask-gate run`: validate a config, or start the gate (the daemon lives in src/main.ts). */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('run', USAGE, argv, { config: { type: 'string', short: 'c' }, 'validate-config': { type: 'string' } });
  if (typeof args === 'number') return args;
  if (args.positionals.length) return usageError('run', USAGE, `unexpected argument "${args.positionals[0]}"`);
  const validateOnly = args.values['validate-config'] !== undefined;
  const file = args.values['validate-config'] ?? args.values.config ?? process.env.MASK_GATE_CONFIG;
  const config = loadConfigForCommand(file);
  if (typeof config === 'number') return config;
  if (validateOnly) {
    // What `run` would refuse on this machine (the service runs this check before it starts); the schema
    // cannot know the cores.
    const threads = detectorThreadProblem(config.detector, machineCores());
    if (threads) {
      process.stderr.write(`mask-gate: ${file}: refused on this machine\n  ${threads}\n`);
      return 1;
    }
    process.stdout.write(`${file}: OK (camera ${redact(config.camera.source)}, hardware ${config.hardware.driver}, fail mode ${config.gate.failMode})\n`);
    return 0;
  }
  const { runDaemon } = await import('../main.js');
  return runDaemon(config);
}
