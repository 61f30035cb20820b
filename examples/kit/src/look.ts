// The examples' pages look like the web console: one stylesheet (public/styles.css, the console's variables
// and components), which each example's server reads from here and serves at /styles.css.
import { fileURLToPath } from 'node:url';

/** The shared stylesheet's path on disk; from dist/ as from src/, public/ is one folder up. */
export const stylesheetPath: string = fileURLToPath(new URL('../public/styles.css', import.meta.url));
