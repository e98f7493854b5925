import { resolve } from 'node:path';
import { createLogger, type LogLevel } from '../log';
import { runReplay, replayConfig } from '../replay/run-replay';
import { checkExpectations } from '../sequence/expectations';
import { loadSequence } from '../sequence/read';
import { loadConfigForCommand, parseCommandArgs, usageError } from './args';

const USAGE = `usage: mask-gate replay SEQ [--json] [--config FILE] [--model M]
  Runs a recorded sequence through the whole gate (camera replay, detector, tracker, statechart) with
  simulated hardware, as fast as it can, on the sequence's own clock. --json prints one line per state
  transition, hardware output and decision, each with t_ms (sequence time). Exit 1 when the sequence's
  expectations are not met.`;

export async function replayCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('replay', USAGE, argv, { json: { type: 'boolean' }, config: { type: 'string', short: 'c' }, model: { type: 'string', short: 'm' } });
  if (typeof args === 'number') return args;
  if (args.positionals.length !== 1) return usageError('replay', USAGE, 'expected one sequence folder');
  const dir = resolve(args.positionals[0]!);
  let seq;
  try {
    seq = await loadSequence(dir);
  } catch (e) {
    process.stderr.write(`mask-gate replay: ${(e as Error).message}\n`);
    return 1;
  }
  const base = loadConfigForCommand(args.values.config ?? process.env.MASK_GATE_CONFIG);
  if (typeof base === 'number') return base;
  const config = replayConfig(base, `frames://${dir}`, seq.sequence, args.values.model ? { model: args.values.model } : {});
  const json = args.values.json === true;
  const log = createLogger('replay', (json ? 'warn' : config.log.level) as LogLevel);
  const { decisions } = await runReplay({ config, log, ...(json ? { emit: (l) => process.stdout.write(JSON.stringify(l) + '\n') } : {}) });

  const exp = seq.sequence.expectations;
  const result = exp ? checkExpectations(exp, decisions) : null;
  if (json) process.stdout.write(JSON.stringify({ type: 'result', frames: seq.sequence.frames.length, decisions, ok: result?.ok ?? null, failures: result?.failures ?? [] }) + '\n');
  else {
    process.stdout.write(`${seq.sequence.frames.length} frames, ${decisions.length} decisions: ${decisions.map((o) => `${o.outcome}${o.reason ? `(${o.reason})` : ''}@${o.t_ms}ms`).join(', ') || 'none'}\n`);
    if (result) process.stdout.write(result.ok ? 'expectations met\n' : `expectations NOT met:\n  ${result.failures.join('\n  ')}\n`);
  }
  return result && !result.ok ? 1 : 0;
}
