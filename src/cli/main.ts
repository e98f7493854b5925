/**
 * The `mask-gate` command line. Each subcommand lives in its own module and is loaded lazily, so that
 * `--validate-config` never loads native drivers it does not need.
 */
export type Command = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const commands: Record<string, CommandEntry> = {
  run: {
    summary: 'run the gate (--config FILE, --validate-config FILE)',
    load: async () => (await import('./run.js')).runCommand,
  },
  'safe-outputs': {
    summary: 'drive every output to its safe level and exit (--config FILE); for ExecStopPost',
    load: async () => (await import('./safe-outputs.js')).safeOutputsCommand,
  },
  detect: {
    summary: 'run a model over images, write detections JSON (--model M --json OUT PATH...)',
    load: async () => (await import('./detect.js')).detectCommand,
  },
  eval: {
    summary: 'score detections or a model against Pascal VOC annotations (--data DIR)',
    load: async () => (await import('./eval.js')).evalCommand,
  },
  record: {
    summary: 'record a camera source into a frame sequence (--source URI --seconds N OUT)',
    load: async () => (await import('./record.js')).recordCommand,
  },
  sequence: {
    summary: 'make, index or check recorded frame sequences (make --from-images DIR --out OUT)',
    load: async () => (await import('./sequence.js')).sequenceCommand,
  },
  annotate: {
    summary: 'draw boxes, labels and confidences on images (IMAGE... --out DIR)',
    load: async () => (await import('./annotate.js')).annotateCommand,
  },
  'demo-sequence': {
    summary: 'make the recorded doorway sequence the demo replays (--data DIR | --photos DIR)',
    load: async () => (await import('./demo.js')).demoSequenceCommand,
  },
  replay: {
    summary: 'run a recorded sequence through the whole gate with simulated hardware (SEQ --json)',
    load: async () => (await import('./replay.js')).replayCommand,
  },
  export: {
    summary: 'write the event log as CSV (--since DATE --csv [--until DATE] [--out FILE])',
    load: async () => (await import('./export.js')).exportCommand,
  },
};

/** Lets later modules add subcommands without editing the table above. */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  commands[name] = { summary, load };
}

export function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: mask-gate <command> [options]', '', 'commands:', ...lines].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`mask-gate: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  const command = await entry.load();
  return command(rest);
}
