import { createHardware } from '../../hardware/create-hardware';
import { createLogger } from '../log';
import { loadConfigForCommand, parseCommandArgs } from './args';

const USAGE = 'usage: mask-gate safe-outputs [--config FILE]';

/**
 * `mask-gate safe-outputs [--config FILE]`: drives every configured output to its safe level and leaves it
 * there. For the service manager's ExecStopPost, after the daemon is gone (even after kill -9), and for
 * technicians. Opening an output already drives its safe level; closing keeps it driven.
 */
export async function safeOutputsCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('safe-outputs', USAGE, argv, { config: { type: 'string', short: 'c' } });
  if (typeof args === 'number') return args;
  const config = loadConfigForCommand(args.values.config ?? process.env.MASK_GATE_CONFIG);
  if (typeof config === 'number') return config;
  const hw = createHardware(config.hardware, { logger: createLogger('safe-outputs', config.log.level) });
  let failed = 0;
  for (const [name, out] of Object.entries(hw.outputs)) {
    if (!out) continue;
    try {
      await out.open();
      await out.close();
      process.stdout.write(`${name}: ${out.safeLevel ? 'on' : 'off'} (safe)\n`);
    } catch (e) {
      failed++;
      process.stderr.write(`${name}: could not drive its safe level: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}
