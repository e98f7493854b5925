import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '../../..');

export interface ServiceUser {
  uid: number;
  gid: number;
}

/**
 * The app as provisioning installs it, in `into`: bin, dist and package.json copied, node_modules hard-linked
 * (the same files, no 480 MB copy). The service user then loads it from a folder it can enter, wherever the
 * checkout is: a clone in a `mktemp -d` folder (mode 700) is one the user cannot enter. Where links cannot be
 * made (another filesystem) the checkout is used in place if the user can reach it. Returns the launcher, or
 * throws saying in plain words what the user cannot reach.
 */
export function installApp(into: string, user: ServiceUser): string {
  let bin = path.join(into, 'bin/mask-gate.js');
  try {
    mkdirSync(into, { recursive: true });
    for (const f of ['bin', 'dist', 'package.json']) cpSync(path.join(ROOT, f), path.join(into, f), { recursive: true });
    execFileSync('cp', ['-al', realpathSync(path.join(ROOT, 'node_modules')), path.join(into, 'node_modules')], { stdio: 'pipe' });
  } catch (e) {
    const why = (e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message;
    bin = path.join(ROOT, 'bin/mask-gate.js');
    const blocked = firstBlocked([bin, path.join(ROOT, 'node_modules/.package-lock.json')], user);
    if (blocked) throw new Error(`${cannotEnter(blocked, user)}; the app could not be installed beside the test either (${why})`);
    return bin;
  }
  const blocked = firstBlocked([bin, path.join(into, 'node_modules/.package-lock.json'), process.execPath], user);
  if (blocked) throw new Error(cannotEnter(blocked, user));
  return bin;
}

/** The first folder on the way to any of `files` that `user` cannot enter, asked as that user; null if none. */
export function firstBlocked(files: string[], user: ServiceUser): string | null {
  const dirs = [...new Set(files.flatMap((f) => ancestors(path.resolve(f))))];
  const script = 'for d in "$@"; do [ -x "$d" ] || { printf %s "$d"; exit 0; }; done';
  const out = execFileSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', 'sh', '-c', script, 'sh', ...dirs], { encoding: 'utf8' });
  return out || null;
}

function ancestors(file: string): string[] {
  const out: string[] = [];
  for (let d = path.dirname(file); ; d = path.dirname(d)) {
    out.unshift(d);
    if (d === path.dirname(d)) return out;
  }
}

function cannotEnter(dir: string, user: ServiceUser): string {
  const st = statSync(dir);
  const mode = (st.mode & 0o777).toString(8);
  return (
    `the unprivileged user (uid ${user.uid}) cannot enter ${dir} (mode ${mode}, owner uid ${st.uid}), so the daemon it runs cannot load ` +
    `the app from there ("Cannot find module"). Put the checkout in a folder others can enter (e.g. chmod o+x ${dir}), or run the test as a normal user`
  );
}
