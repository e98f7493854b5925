import { execFile } from 'node:child_process';

/**
 * Speaks `text` with espeak-ng into a WAV file. The text goes as one argument (never through a shell);
 * `--` keeps a text that starts with "-" from being read as an option.
 */
export function synthesize(text: string, voice: string, outFile: string, bin = 'espeak-ng', timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['-v', voice, '-w', outFile, '--', text], { timeout: timeoutMs }, (err, _stdout, stderr) => {
      if (err) {
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${bin} is not installed` : String(stderr).trim() || err.message;
        reject(new Error(`espeak-ng voice ${voice}: ${why}`));
      } else resolve();
    });
  });
}
