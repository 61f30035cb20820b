// The examples' pages look like the web console: they share its stylesheet of variables and components
// (console/src/look.css, which the console itself imports), which each example's server reads from there and
// serves at /styles.css, beside its own page files.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared stylesheet's path on disk: the console's, from dist/ as from src/ (the repository's layout). */
export const stylesheetPath: string = fileURLToPath(new URL('../../../console/src/look.css', import.meta.url));

export interface PageFile {
  type: string;
  body: Buffer;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** A file's content type by its extension, for the few kinds a page is made of. */
function contentType(file: string): string {
  const type = types[extname(file)];
  if (type === undefined) throw new Error(`no content type for ${file}: add it to the example kit's types`);
  return type;
}

/**
 * A page's files by URL path, read once at start: each of `files` from `publicDir` (index.html at /), and
 * the kit's stylesheet at /styles.css.
 */
export function pageFiles(publicDir: URL, files: string[]): Record<string, PageFile> {
  const served: Record<string, PageFile> = { '/styles.css': { type: contentType(stylesheetPath), body: readFileSync(stylesheetPath) } };
  for (const file of files) {
    served[file === 'index.html' ? '/' : `/${file}`] = { type: contentType(file), body: readFileSync(new URL(file, publicDir)) };
  }
  return served;
}
