import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcp } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

/** A free loopback port (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A real mosquitto on a loopback port, with persistence so sessions survive a restart. */
export class Broker {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'mosquitto-'));
  private constructor(readonly port: number) {}

  static async start(o: { users?: Record<string, string> } = {}): Promise<Broker> {
    const b = new Broker(await freePort());
    // Started as root, mosquitto would switch to its own user, which cannot read our temp dir: stay who we are.
    const conf = [`listener ${b.port} 127.0.0.1`, `user ${userInfo().username}`, 'persistence true', `persistence_location ${b.dir}/`];
    if (o.users) {
      const pw = path.join(b.dir, 'passwd');
      Object.entries(o.users).forEach(([u, p], i) => {
        const r = spawnSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', pw, u, p], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
      });
      conf.push('allow_anonymous false', `password_file ${pw}`);
    } else {
      conf.push('allow_anonymous true');
    }
    writeFileSync(path.join(b.dir, 'mosquitto.conf'), conf.join('\n') + '\n');
    await b.up();
    return b;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.proc = spawn('mosquitto', ['-c', path.join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`mosquitto did not listen on ${this.port}`);
  }

  async down(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise((r) => {
      p.once('exit', r);
      p.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcp(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
