import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../.test-artifacts/dashboard');

/**
 * Debian's chromium, driven by playwright-core (never a downloaded browser). A missing browser is a failure
 * with the fix in the message, not a skip: CI installs it with scripts/install-system-deps.sh.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the dashboard browser test needs Debian's chromium at ${CHROMIUM}: run scripts/install-system-deps.sh (apt-get install chromium)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'chromium-profile-'));
  // playwright-core owns --user-data-dir through launchPersistentContext: a fresh one per run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
