import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operator page and the Content-Security-Policy that allows exactly its one inline script and style. */
interface Page {
  readonly html: string;
  readonly csp: string;
}

/**
 * Reads page/index.html beside this module's source (`src/core/serve/page/`), from src/ under
 * tsx or from dist/src/ after `npm run build` (the page is not compiled: no build step).
 */
export function loadPage(): Page {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'page/index.html'),
    path.join(here, '../../../../src/core/serve/page/index.html'),
  ];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`the page of dmr serve is missing (looked in ${candidates.join(', ')})`);
  const html = readFileSync(file, 'utf8');
  const hashes = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))]
      .map(
        (m) =>
          `'sha256-${createHash('sha256')
            .update(m[1] ?? '')
            .digest('base64')}'`,
      )
      .join(' ');
  const csp = [
    "default-src 'none'",
    `script-src ${hashes('script')}`,
    `style-src ${hashes('style')}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, csp };
}
