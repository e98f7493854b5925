import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors';
import { loadConfig } from '../config/load';

const USAGE = 'usage: mask-gate run [--config FILE] | mask-gate run --validate-config FILE';

/** `mask-gate run`: validate a config, or start the gate (the daemon lives in src/main.ts). */
export async function runCommand(argv: string[]): Promise<number> {
  let values: { config?: string; 'validate-config'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string', short: 'c' }, 'validate-config': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`mask-gate run: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }

  const validateOnly = values['validate-config'] !== undefined;
  const file = values['validate-config'] ?? values.config ?? process.env.MASK_GATE_CONFIG;
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
  if (validateOnly) {
    process.stdout.write(`${file}: OK (camera ${redactedSource(config.camera.source)}, hardware ${config.hardware.driver}, fail mode ${config.gate.failMode})\n`);
    return 0;
  }
  const { runDaemon } = await import('../main.js');
  return runDaemon(config);
}

function redactedSource(uri: string): string {
  return uri.replace(/\/\/[^/@]*@/, '//***@');
}
