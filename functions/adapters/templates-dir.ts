import { fileURLToPath } from 'node:url';

/** `templates/` at the root of the repository (or next to a bundle that copies it there). */
export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));
