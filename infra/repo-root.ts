import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository (handler entries in the wiring are relative to it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
