/** @jest-environment ./test/env/onnx-environment.js */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { colourModelFolder, colourSequence, tempDirs } from '../faults/helpers/colour-world';
import { cliConfig, startCli } from '../faults/helpers/cli-daemon';
import { firstBlocked, installApp } from './helpers/installed-app';

/**
 * Once provisioned (user, groups, data dir), the daemon needs no root. Run as root (CI here), it is started
 * as `nobody` with no new privileges, as systemd's User= and NoNewPrivileges= would, from the app installed
 * beside the test (so the checkout may sit in a folder nobody cannot enter); run as a normal user, it
 * already is one. provisioning's own checks of the rendered unit are test/provisioning/orin.bats.
 */
const tmp = tempDirs();
const isRoot = process.getuid?.() === 0;

test('the daemon boots, serves and records as an unprivileged user with no new privileges', async () => {
  const dir = tmp();
  const uid = isRoot ? Number(execFileSync('id', ['-u', 'nobody']).toString()) : process.getuid!();
  const gid = isRoot ? Number(execFileSync('id', ['-g', 'nobody']).toString()) : process.getgid!();
  // Provisioning: app files readable, the data dir (event log) owned by the service user.
  chmodSync(dir, 0o755);
  const model = path.join(dir, 'model');
  cpSync(colourModelFolder(), model, { recursive: true });
  await colourSequence(path.join(dir, 'seq'), [['empty', 10], ['no_mask', 30]]);
  const data = path.join(dir, 'data');
  mkdirSync(data, { mode: 0o750 });
  chownSync(data, uid, gid);
  const config = cliConfig(dir, model, { eventLog: { path: path.join(data, 'events.sqlite') }, dashboard: { enabled: true, host: '127.0.0.1', port: 0 } });
  const wrap = isRoot ? ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--'] : [];
  const d = startCli(dir, config, { wrap, ...(isRoot ? { bin: installApp(path.join(dir, 'app'), { uid, gid }), cwd: dir } : {}) });
  try {
    await d.waitFor(/dashboard listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = d.output().match(/dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/)![1]!;
    await d.waitFor(/gate evaluating -> alert\.active/);
    const status = readFileSync(`/proc/${d.child.pid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
    expect(status).toMatch(/^CapEff:\s+0+$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    const health = await fetch(`${url}/api/state`);
    expect(health.status).toBe(200);
  } finally {
    d.child.kill('SIGTERM');
  }
  expect((await d.exited).code).toBe(0);
  expect(d.output()).not.toMatch(/EACCES|EPERM/);
  expect(d.output()).toContain('event log closed');
});

// Dropping to another user needs root; as a normal user the daemon runs from the checkout itself.
(isRoot ? test : test.skip)('a folder on the way that the service user cannot enter is found, asking as that user', () => {
  const dir = tmp();
  const nobody = { uid: Number(execFileSync('id', ['-u', 'nobody']).toString()), gid: Number(execFileSync('id', ['-g', 'nobody']).toString()) };
  const inner = path.join(dir, 'checkout', 'bin');
  mkdirSync(inner, { recursive: true });
  chmodSync(dir, 0o700); // what mktemp -d makes
  expect(firstBlocked([path.join(inner, 'mask-gate.js')], nobody)).toBe(dir);
  chmodSync(dir, 0o711);
  expect(firstBlocked([path.join(inner, 'mask-gate.js')], nobody)).toBeNull();
  // The installed copy beside the test is reachable even when the checkout is not.
  chmodSync(dir, 0o700);
  const other = tmp();
  chmodSync(other, 0o755);
  const bin = installApp(path.join(other, 'app'), nobody);
  expect(bin).toBe(path.join(other, 'app/bin/mask-gate.js'));
  expect(firstBlocked([bin, path.join(other, 'app/node_modules/onnxruntime-node/package.json')], nobody)).toBeNull();
});

test('the provisioned unit runs as the service user with no privileges to gain', () => {
  const unit = readFileSync(path.join(__dirname, '../../provisioning/templates/mask-gate.service'), 'utf8');
  expect(unit).toMatch(/^User=@USER@$/m);
  expect(unit).not.toMatch(/^User=root$/m);
  expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
  expect(unit).toMatch(/^CapabilityBoundingSet=$/m);
  // Device access comes from groups, not from root.
  expect(unit).toMatch(/^SupplementaryGroups=.*\bgpio\b.*\bi2c\b.*\bvideo\b/m);
});
