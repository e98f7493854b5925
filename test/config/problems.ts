import { ConfigError } from '../../src/config/errors';
import { loadConfig } from '../../src/config/load';

/** The problem lines a config text (as site.yaml) is refused with; throws if it is accepted. */
export function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig({ file: 'site.yaml', text, env });
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n').slice(1).map((l) => l.trim());
    throw e;
  }
  throw new Error('config was accepted');
}
