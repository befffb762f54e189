// A real soko-server for browser tests, started the way tests/support/serverprocess.cpp does it:
// a fresh data folder from `soko-server init --hostname localhost`, `soko-server run` on
// 127.0.0.1 port 0 for every listener the binary has, the ports read from --ports-file.
// Every wait is bounded; errors name what failed and carry the server log's last lines.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export function serverBinary() {
  const binary = process.env.SOKO_SERVER_BINARY;
  if (!binary) throw new Error('SOKO_SERVER_BINARY is not set (CTest sets it to the built soko-server)');
  if (!existsSync(binary)) throw new Error(`soko-server not found: ${binary} (build the soko-server target)`);
  return binary;
}

// True when this soko-server has the admin listener (`run --admin-listen`).
export function hasAdminListener(binary) {
  const help = execFileSync(binary, ['run', '--help'], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
  return help.includes('--admin-listen');
}

export class SokoServer {
  constructor(binary, root) {
    this.binary = binary;
    this.root = root;
    this.dataPath = join(root, 'data');
    this.caPath = join(this.dataPath, 'server-ca.pem');
    this.logPath = join(root, 'server.log');
    this.ports = {};
    this.process = null;
    this.exit = null;
  }

  // Runs `soko-server <command> --data <data> …` (an admin command) and returns its stdout.
  command(command, ...args) {
    return execFileSync(this.binary, [command, '--data', this.dataPath, ...args], {
      encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  url(listener, path) {
    const port = this.ports[listener];
    if (!port) throw new Error(`no ${listener} listener on this soko-server`);
    return `https://127.0.0.1:${port}${path}`;
  }

  // Secrets and personal data the page tests typed or saw (passwords, TOTP seeds and codes,
  // recovery codes, session cookies): none may appear in the server log (R40). Values shorter
  // than 8 characters (TOTP codes) are not kept: six digits turn up by chance in request ids.
  rememberSecret(value) {
    if (!this.secrets) this.secrets = new Set();
    if (value && String(value).length >= 8) this.secrets.add(String(value));
  }

  // The remembered secrets found in the server log, as "kind of secret: line" strings.
  secretsInLog() {
    if (!existsSync(this.logPath) || !this.secrets) return [];
    const log = readFileSync(this.logPath, 'utf8');
    return [...this.secrets].filter((secret) => log.includes(secret)).map((secret) => `${secret.slice(0, 3)}… (${secret.length} chars)`);
  }

  logTail(lines = 20) {
    if (!existsSync(this.logPath)) return '';
    return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  async start() {
    const portsFile = join(this.root, 'ports');
    const args = ['run', '--data', this.dataPath, '--devices-listen', '127.0.0.1:0', '--api-listen', '127.0.0.1:0',
      '--ports-file', portsFile];
    const admin = hasAdminListener(this.binary);
    if (admin) args.push('--admin-listen', '127.0.0.1:0');
    const log = openSync(this.logPath, 'a');
    this.process = spawn(this.binary, args, { stdio: ['ignore', 'ignore', log] });
    closeSync(log);
    this.process.on('exit', (code, signal) => { this.exit = { code, signal }; });
    const deadline = Date.now() + 60000;
    while (!existsSync(portsFile)) {
      if (this.exit) throw new Error(`soko-server run exited at start (${JSON.stringify(this.exit)}):\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error('soko-server did not write its ports file within 60 s');
      await sleep(100);
    }
    for (const line of readFileSync(portsFile, 'utf8').split('\n')) {
      const match = /^(\w+)=(\d+)$/.exec(line.trim());
      if (match) this.ports[match[1]] = Number(match[2]);
    }
    if (!this.ports.devices || !this.ports.api) throw new Error(`ports file without devices/api: ${JSON.stringify(this.ports)}`);
    if (admin && !this.ports.admin) throw new Error('soko-server has --admin-listen but its ports file has no admin= line');
    return this;
  }

  // SIGTERM, wait ≤ 30 s, require exit status 0 (a sanitizer report would show here).
  async stop() {
    if (!this.process) return;
    if (!this.exit) {
      this.process.kill('SIGTERM');
      const deadline = Date.now() + 30000;
      while (!this.exit) {
        if (Date.now() > deadline) {
          this.process.kill('SIGKILL');
          throw new Error('soko-server did not stop within 30 s of SIGTERM');
        }
        await sleep(100);
      }
    }
    const { code, signal } = this.exit;
    this.process = null;
    if (code !== 0) throw new Error(`soko-server exited with ${signal ?? `status ${code}`}:\n${this.logTail()}`);
  }

  kill() {
    if (this.process && !this.exit) this.process.kill('SIGKILL');
  }

  cleanup() {
    this.kill();
    if (process.env.SOKO_KEEP_SCRATCH === '1') console.log(`scratch folder kept: ${this.root}`);
    else rmSync(this.root, { recursive: true, force: true });
  }
}

// A fresh data folder (warehouse TKY1) and a running server.
export async function startServer() {
  const binary = serverBinary();
  const root = mkdtempSync(join(process.env.TMPDIR || tmpdir(), 'soko-browser-'));
  const server = new SokoServer(binary, root);
  try {
    execFileSync(binary, ['init', '--data', server.dataPath, '--hostname', 'localhost', '--warehouse', 'TKY1'], {
      encoding: 'utf8', timeout: 120000, stdio: ['ignore', 'pipe', 'pipe'],
    });
    await server.start();
  } catch (error) {
    server.cleanup();
    throw error;
  }
  return server;
}
