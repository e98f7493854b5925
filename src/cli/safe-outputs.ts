import { parseArgs } from 'node:util';
import { createHardware } from '../../hardware/create-hardware';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';
import { createLogger } from '../log';

/**
 * `mask-gate safe-outputs [--config FILE]`: drives every configured output to its safe level and leaves it
 * there. For the service manager's ExecStopPost, after the daemon is gone (even after kill -9), and for
 * technicians. Opening an output already drives its safe level; closing keeps it driven.
 */
export async function safeOutputsCommand(argv: string[]): Promise<number> {
  let file: string | undefined;
  try {
    file = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' } } }).values.config ?? process.env.MASK_GATE_CONFIG;
  } catch (e) {
    process.stderr.write(`mask-gate safe-outputs: ${(e as Error).message}\nusage: mask-gate safe-outputs [--config FILE]\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ file });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mask-gate: invalid config\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const log = createLogger('safe-outputs', config.log.level);
  const hw = createHardware(config.hardware, { logger: log });
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
