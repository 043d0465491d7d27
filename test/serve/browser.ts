import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { requireServices } from '../support/databases.js';

/** Debian's chromium package (installed by .ci/run); DMR_CHROMIUM overrides the path. */
const chromiumPath = process.env.DMR_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser tests can run: a missing chromium skips them, or fails them under DMR_REQUIRE_SERVICES=1. */
export function browserAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  if (requireServices)
    throw new Error(`DMR_REQUIRE_SERVICES=1 but no chromium at ${chromiumPath} (apt-get install chromium)`);
  console.warn(
    `skipping browser tests: no chromium at ${chromiumPath} (apt-get install chromium, or set DMR_CHROMIUM)`,
  );
  return false;
}

/** A headless chromium with a fresh profile; close() removes the profile too. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'dmr-chromium-'));
  // Playwright passes the fresh profile as --user-data-dir itself.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
