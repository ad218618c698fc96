import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../ports/secret-store.ts';

/**
 * The local twin's secret store: one file per secret (mode 0600) in a private
 * folder, written atomically (temp file + rename), so concurrent writers never
 * tear a file and never lose each other's secrets.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {}

  #file(name: string): string {
    return path.join(this.dir, `${encodeURIComponent(name)}.secret`);
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return await readFile(this.#file(name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async put(name: string, value: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(name);
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, value, { mode: 0o600 });
    await rename(tmp, file);
  }
}
