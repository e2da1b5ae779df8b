// Shared by the browser tests: starts the Java fixture (fake storage + fake Civitai + a real daemon on
// 127.0.0.1), launches Debian's chromium through playwright-core (never a downloaded browser), and records
// every console error and every request that would leave loopback.
//
// E2E_BASE_URL (e.g. https://127.0.0.1:8443/civitai/) opens the GUI through a reverse proxy instead of the
// daemon's own address; E2E_DAEMON_PORT fixes the daemon's port so that proxy can be configured in advance.
// Its host name goes into the daemon's allowed_hosts. For a proxy with a self-signed certificate under a
// made-up name (test/proxy/nginx-test.sh): E2E_CA_CERT (a PEM file) makes chromium accept that one
// certificate's key and no other, and E2E_HOST_RESOLVER_RULES is passed to chromium's
// --host-resolver-rules (e.g. "MAP models.example.org 127.0.0.1").

import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SHOTS = path.join(ROOT, 'build', 'e2e');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const START_TIMEOUT = 60_000;

/**
 * Starts the fixture and resolves with what it printed: base, civitai, big[], tokens (with jwt), and with
 * workflow the comfyui layout, a fake Hugging Face Hub and a seeded library (E2eFixture's --workflow), with
 * library files on disk that were never downloaded: an identified one, a duplicate pair, two unknown (--library),
 * and with hub a fake Hugging Face Hub with a public file and a gated repo, described in `hub` (--hub).
 */
export async function startFixture({ jwt = false, workflow = false, library = false, hub = false } = {}) {
  const java = process.env.JAVA_BIN || 'java';
  const classpath = process.env.E2E_CLASSPATH;
  assert.ok(classpath, 'E2E_CLASSPATH is not set: run the browser tests with `make e2e`');
  const args = ['--enable-native-access=ALL-UNNAMED', '-Xmx512m', '-cp', classpath, 'civitai.daemon.testing.E2eFixture', '--lifetime', '900'];
  if (jwt) args.push('--jwt');
  if (workflow) args.push('--workflow');
  if (library) args.push('--library');
  if (hub) args.push('--hub');
  if (process.env.E2E_DAEMON_PORT) args.push('--port', process.env.E2E_DAEMON_PORT);
  const proxied = process.env.E2E_BASE_URL && new URL(process.env.E2E_BASE_URL).hostname;
  if (proxied && !LOOPBACK.has(proxied)) args.push('--behind-proxy', proxied);
  const child = spawn(java, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fixture did not start within 60 s')), START_TIMEOUT);
    child.once('exit', (code) => reject(new Error(`the fixture exited with ${code} before it started`)));
    lines.once('line', (line) => { clearTimeout(timer); resolve(JSON.parse(line)); });
  });
  const base = process.env.E2E_BASE_URL ? withSlash(process.env.E2E_BASE_URL) : info.base;
  return {
    ...info,
    daemon: info.base,
    base,
    gui: new URL('gui', base).href,
    send: (command) => child.stdin.write(`${command}\n`),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end('quit\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const withSlash = (url) => (url.endsWith('/') ? url : `${url}/`);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function launch() {
  mkdirSync(SHOTS, { recursive: true });
  const args = ['--no-sandbox', '--disable-gpu'];
  if (process.env.E2E_CA_CERT) args.push(`--ignore-certificate-errors-spki-list=${spki(process.env.E2E_CA_CERT)}`);
  if (process.env.E2E_HOST_RESOLVER_RULES) args.push(`--host-resolver-rules=${process.env.E2E_HOST_RESOLVER_RULES}`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** The base64 SHA-256 of a certificate's public key (SPKI), as chromium's pin list takes it. */
function spki(pemFile) {
  const key = new X509Certificate(readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(key).digest('base64');
}

/**
 * A page that remembers console errors, page errors and requests to anything but loopback (or the proxy's
 * host under E2E_BASE_URL). `problems()` lists them; every test ends by asserting there are none.
 */
export async function open(browser, fixture, { width = 1280, height = 860, colorScheme = 'light', storage } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  if (storage) await context.addInitScript(storage);
  const page = await context.newPage();
  const problems = [];
  const allowed = new Set([...LOOPBACK, new URL(fixture.base).hostname]);
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && !allowed.has(url.hostname)) problems.push(`left loopback: ${r.url()}`);
    // relative URLs only: under a proxy's sub-path, anything outside it would miss the daemon
    else if (['http:', 'https:'].includes(url.protocol) && !r.url().startsWith(fixture.base)) problems.push(`outside ${fixture.base}: ${r.url()}`);
  });
  page.problems = () => problems;
  const started = Date.now();
  const timeline = [];
  const note = (what) => (r) => { timeline.push(`${((Date.now() - started) / 1000).toFixed(2)} ${what} ${r.url()}`); if (timeline.length > 300) timeline.shift(); };
  page.on('request', note('request'));
  page.on('requestfinished', note('finished'));
  page.on('requestfailed', note('failed'));
  page.on('console', (m) => timeline.push(`console ${m.type()}: ${m.text()}`));
  /** The last requests, for a failing test's message. */
  page.timeline = () => timeline.filter((l) => !l.includes('/static/')).join('\n');
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
}

/** JSON from the daemon's API, outside the browser (to set things up or check them). */
export async function call(fixture, method, apiPath, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(new URL(apiPath, fixture.daemon), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** Polls `check` (every 200 ms, at most `ms`) until it returns something truthy. */
export async function until(check, what, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
