import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { env } from '$env/dynamic/private';
import { CHROMIUM_ARGS } from './chromium-args.ts';

/** Debian's Chromium; never a downloaded browser. */
export function chromiumPath(): string {
  return env.OBS_CHROMIUM || '/usr/bin/chromium';
}

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath());
}


const IDLE_MS = 60_000;
const MAX_CONCURRENT = 2;

let browser: Promise<Browser> | null = null;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let running = 0;
const queue: (() => void)[] = [];

function getBrowser(): Promise<Browser> {
  clearTimeout(idleTimer);
  if (!browser) {
    // playwright gives each launch a fresh temporary profile (user-data-dir)
    const launched = chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    browser = launched;
    launched.then(
      (b) => b.on('disconnected', () => {
        if (browser === launched) browser = null;
      }),
      () => {
        if (browser === launched) browser = null;
      }
    );
  }
  return browser;
}

function releaseLater(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (running > 0 || !browser) return;
    const closing = browser;
    browser = null;
    void closing.then((b) => b.close()).catch((e: unknown) => console.error(`fermeture de Chromium : ${(e as Error).message}`));
  }, IDLE_MS);
  idleTimer.unref?.();
}

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
    if (running === 0) releaseLater();
  }
}

/**
 * The origin Chromium should load the page from: this very server, over plain HTTP on
 * the socket the request came in on (behind a proxy the public origin may not be
 * reachable from here). `OBS_INTERNAL_ORIGIN` overrides it.
 */
export function internalOrigin(url: URL, req: IncomingMessage | undefined): string {
  if (env.OBS_INTERNAL_ORIGIN) return env.OBS_INTERNAL_ORIGIN.replace(/\/$/, '');
  const socket = req?.socket;
  if (socket?.localPort) {
    let host = socket.localAddress ?? '127.0.0.1';
    if (host.startsWith('::ffff:')) host = host.slice(7);
    if (host === '::' || host === '0.0.0.0' || host === '::1') host = host === '::1' ? '[::1]' : '127.0.0.1';
    else if (host.includes(':')) host = `[${host}]`;
    return `http://${host}:${socket.localPort}`;
  }
  return url.origin;
}

export interface PdfOptions {
  /** Footer text, left of the page numbers. */
  footer: string;
  timeoutMs?: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Renders `url` (the portrait's print view) to an A4 PDF once its maps are drawn. */
export function renderPdf(url: string, options: PdfOptions): Promise<Uint8Array> {
  return slot(async () => {
    const b = await getBrowser();
    const context = await b.newContext({ viewport: { width: 1100, height: 1500 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    try {
      const page = await context.newPage();
      const timeout = options.timeoutMs ?? 45_000;
      const response = await page.goto(url, { waitUntil: 'load', timeout });
      if (!response || !response.ok()) throw new Error(`la page ${url} répond ${response?.status() ?? 'rien'}`);
      try {
        await page.waitForSelector('html[data-portrait-pret="oui"]', { timeout: Math.min(timeout, 25_000) });
      } catch (cause) {
        // the document is still worth having without its maps: say so in the log
        console.warn(`PDF de ${url} : cartes non prêtes (${(cause as Error).message.split('\n')[0]}), rendu sans attendre`);
      }
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: `<div style="font: 8px system-ui, sans-serif; color: #4b5563; width: 100%; padding: 0 12mm; display: flex; justify-content: space-between;"><span>${escapeHtml(options.footer)}</span><span>page <span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`,
        margin: { top: '14mm', bottom: '16mm', left: '12mm', right: '12mm' }
      });
      return new Uint8Array(pdf);
    } finally {
      await context.close();
    }
  });
}
