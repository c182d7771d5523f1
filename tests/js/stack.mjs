// What the browser tests share: one `keyward serve` on a database of its own on the test
// cluster (KEYWARD_TEST_DATABASE_URL, set by scripts/test.sh), and optionally a real SMTP
// sink (scripts/mail-sink.py, Debian python3-aiosmtpd) whose delivered mails the tests read.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = process.env.KEYWARD_SOURCE_DIR || path.resolve(here, '..', '..');
const BUILD_DIR = process.env.KEYWARD_BUILD_DIR || path.join(SOURCE_DIR, 'build', 'test');
const KEYWARD = path.join(BUILD_DIR, 'server', 'keyward');
export const CHROMIUM = process.env.KEYWARD_CHROMIUM || '/usr/bin/chromium';
export const CLUSTER = process.env.KEYWARD_TEST_DATABASE_URL;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function psql(conninfo, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', conninfo, '-c', sql],
    { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
}

// A real SMTP server on a free loopback port: every mail it accepts becomes one JSON file
// ({from, to, subject, text, html}) in its folder.
export class MailSink {
  constructor(dir) {
    this.dir = dir;
    this.seen = new Set();
  }

  async start() {
    fs.mkdirSync(this.dir, { recursive: true });
    this.proc = spawn('/usr/bin/python3', [path.join(SOURCE_DIR, 'scripts', 'mail-sink.py'),
      '--dir', this.dir, '--listen', '127.0.0.1:0'], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const portFile = path.join(this.dir, 'port');
      if (fs.existsSync(portFile)) {
        this.url = `smtp://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
        return this;
      }
      await sleep(50);
    }
    throw new Error('the SMTP sink did not start');
  }

  // The next mail to `to` not returned before (waits up to 15 s).
  async nextFor(to) {
    for (let i = 0; i < 300; i++) {
      const files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort();
      for (const f of files) {
        if (this.seen.has(f)) continue;
        const mail = JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8'));
        if (mail.to === to) {
          this.seen.add(f);
          return mail;
        }
      }
      await sleep(50);
    }
    throw new Error(`no mail to ${to}`);
  }

  stop() {
    if (this.proc) this.proc.kill('SIGTERM');
  }
}

// The first link in `text` that starts with `prefix`.
export function linkIn(text, prefix) {
  const at = text.indexOf(prefix);
  if (at < 0) throw new Error(`no link starting with ${prefix} in:\n${text}`);
  return text.slice(at).split(/[\s"'<>]/)[0];
}

// `keyward serve` on a database of its own (libpq: the last dbname keyword wins), with
// `settings` added to its environment; with `mail: true` also a MailSink it sends to.
export class Stack {
  constructor({ settings = {}, mail = false } = {}) {
    this.dbname = `keyward_js_${randomBytes(6).toString('hex')}`;
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keyward-js-'));
    this.settings = settings;
    this.withMail = mail;
  }

  async start() {
    psql(CLUSTER, `CREATE DATABASE ${this.dbname}`);
    if (this.withMail) this.mail = await new MailSink(path.join(this.tmp, 'mail')).start();
    this.port = await freePort();
    this.issuer = `http://127.0.0.1:${this.port}`;
    this.env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KEYWARD_'))),
      KEYWARD_DATABASE_URL: `${CLUSTER} dbname=${this.dbname}`,
      KEYWARD_LISTEN: `127.0.0.1:${this.port}`,
      KEYWARD_ISSUER: this.issuer,
      KEYWARD_DATA_DIR: this.tmp,
      KEYWARD_MIGRATIONS_DIR: path.join(SOURCE_DIR, 'migrations'),
      KEYWARD_TEMPLATES_DIR: path.join(SOURCE_DIR, 'templates'),
      KEYWARD_ARGON2_MEMORY_KIB: '7168',
      KEYWARD_ARGON2_ITERATIONS: '5',
      ...(this.mail ? { KEYWARD_SMTP_URL: this.mail.url } : {}),
      ...this.settings,
    };
    this.run(['migrate']);
    this.log = fs.openSync(path.join(this.tmp, 'keyward.log'), 'w');
    this.proc = spawn(KEYWARD, ['serve'], { env: this.env, stdio: ['ignore', this.log, this.log] });
    for (let i = 0; i < 400; i++) {
      try {
        const r = await fetch(`${this.issuer}/health/ready`);
        if (r.status === 200) return this;
      } catch { /* not listening yet */ }
      await sleep(50);
    }
    throw new Error(`keyward did not become ready:\n${fs.readFileSync(path.join(this.tmp, 'keyward.log'), 'utf8')}`);
  }

  run(args, input) {
    const r = spawnSync(KEYWARD, args, { env: this.env, input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`keyward ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  // As run, without blocking this process: for commands that call back into a server running
  // in it (`keyward idp add` fetches the discovery document of tests/js/oidc_upstream.mjs).
  runAsync(args, input) {
    return new Promise((resolve, reject) => {
      const child = spawn(KEYWARD, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => { out += d; });
      child.stderr.on('data', (d) => { out += d; });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(out);
        else reject(new Error(`keyward ${args.join(' ')}: ${out}`));
      });
      child.stdin.end(input ?? '');
    });
  }

  // `keyward client create ...`'s JSON.
  createClient(args) {
    const text = this.run(['client', 'create', ...args]);
    return JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
  }

  logText() {
    return fs.readFileSync(path.join(this.tmp, 'keyward.log'), 'utf8');
  }

  async stop() {
    if (this.proc && (this.proc.exitCode !== null || this.proc.signalCode !== null)) {
      // It died on its own: show why.
      console.error(`keyward exited (${this.proc.exitCode ?? this.proc.signalCode}):\n${this.logText()}`);
    } else if (this.proc) {
      const exited = new Promise((r) => this.proc.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    if (this.mail) this.mail.stop();
    try { psql(CLUSTER, `DROP DATABASE IF EXISTS ${this.dbname} WITH (FORCE)`); } catch { /* best effort */ }
    fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}
