import { nodeGpiodSystem as sys, runsProgram } from '../../hardware/drivers/gpiod-system';

describe('nodeGpiodSystem (real processes)', () => {
  it('spawns, streams stdout lines, reports liveness and exit', async () => {
    const p = sys.spawn('sh', ['-c', 'printf "1 10 5\\n0 11"; printf " 6\\n"; echo oops >&2; exec sleep 30'], false);
    const lines: string[] = [];
    p.onStdoutLine((l) => lines.push(l));
    for (let i = 0; i < 100 && lines.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines).toEqual(['1 10 5', '0 11 6']);
    expect(p.stderr()).toBe('oops\n');
    expect(sys.isAlive(p.pid!)).toBe(true);
    p.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(sys.isAlive(p.pid!)).toBe(false);
  });

  it('reports a program that cannot start through `exited`, with no pid', async () => {
    const p = sys.spawn('/nonexistent/gpioset', ['--mode=signal'], true);
    expect(p.pid).toBeUndefined();
    const x = await p.exited;
    expect(x.error?.message).toMatch(/ENOENT/);
  });

  it('treats a zombie (exited, not yet reaped) as gone: its lines are released', () => {
    const p = sys.spawn('sh', ['-c', 'exit 0'], false);
    // The event loop is blocked here, so Node cannot reap the child: it stays a zombie meanwhile.
    for (let i = 0; i < 200 && sys.isAlive(p.pid!); i++) sys.sleepSync(5);
    expect(sys.isAlive(p.pid!)).toBe(false);
  });

  it('runs a short tool and returns code and output', async () => {
    expect(await sys.run('sh', ['-c', 'echo out; echo err >&2; exit 3'])).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect((await sys.run('/nonexistent/gpiodetect', [])).error?.message).toMatch(/ENOENT/);
  });

  it('finds processes by argv and kills them by pid', async () => {
    const marker = `mask-gate-test-${process.pid}-${Date.now()}`;
    const p = sys.spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', marker], false);
    try {
      expect(sys.findProcesses((a) => a.includes(marker))).toEqual([p.pid]);
      sys.kill(p.pid!, 'SIGKILL');
      expect((await p.exited).signal).toBe('SIGKILL');
      expect(sys.findProcesses((a) => a.includes(marker))).toEqual([]);
    } finally {
      p.kill('SIGKILL');
    }
  });

  it('sleepSync blocks for about the time asked', () => {
    const t0 = Date.now();
    sys.sleepSync(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(29);
  });

  it('runsProgram matches the program directly or as a script', () => {
    expect(runsProgram(['gpioset', '--mode=signal'], 'gpioset')).toBe(true);
    expect(runsProgram(['/usr/bin/gpioset', 'x'], 'gpioset')).toBe(true);
    expect(runsProgram(['/bin/sh', '/opt/tools/gpioset', 'x'], 'gpioset')).toBe(true);
    expect(runsProgram(['vim', 'notes', 'gpioset'], 'gpioset')).toBe(false);
  });
});
