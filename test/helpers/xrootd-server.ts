// Starts Debian's `xrootd` on 127.0.0.1 (free ports) exporting a temporary directory, with
// XrdHttp on a second port when the plugin is installed; for the root:// tests. `xrootd`
// refuses to run as root: it runs as `nobody` (-R) when we are root. Returns undefined (and the
// reason) when xrootd is not installed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export interface XrootdServer {
  port: number;
  /** XrdHttp port (plain http), when the plugin exists. */
  httpPort: number | undefined;
  /** The exported directory (server path '/' is this directory). */
  dir: string;
  url(path: string): string;
  httpUrl(path: string): string;
  stop(): Promise<void>;
  /** Starts the same server again on the same ports (after `stop` or a kill). */
  restart(): Promise<void>;
  readonly child: ChildProcess;
}

export interface XrootdOptions {
  files?: string[];
  http?: boolean;
  /** Config lines added as is (e.g. a redirect). */
  extraConfig?: string[];
  /** Export nothing locally: a pure redirector (with extraConfig's redirect). */
  name?: string;
}

export function xrootdMissing(): string | undefined {
  const r = spawnSync('xrootd', ['-v'], { encoding: 'utf8' });
  if (r.error) return `xrootd is not installed (${(r.error as NodeJS.ErrnoException).code}); apt-get install xrootd-server xrootd-client`;
  return undefined;
}

function httpPluginPath(): string | undefined {
  for (const d of ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/lib/aarch64-linux-gnu']) {
    if (!existsSync(d)) continue;
    const f = readdirSync(d).find((n) => /^libXrdHttp-\d+\.so$/.test(n));
    if (f) return join(d, f);
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`xrootd exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`xrootd did not listen on ${port}: ${log()}`);
}

const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

function giveToServer(path: string): void {
  if (asRoot) chownSync(path, NOBODY, NOBODY);
}

function serverDirs(files: string[] = []): { base: string; dir: string; run: string } {
  const base = mkdtempSync(join(tmpdir(), 'hepflow-xrd-'));
  chmodSync(base, 0o755);
  const dir = join(base, 'data');
  const run = join(base, 'run');
  mkdirSync(dir);
  mkdirSync(run);
  for (const f of files) copyFileSync(f, join(dir, basename(f)));
  for (const p of [dir, run]) giveToServer(p);
  return { base, dir, run };
}

/** Starts `bin` (xrootd or cmsd) as the server user and waits until it listens on `ports`. */
async function daemon(bin: string, cfg: string, name: string, cwd: string, ports: number[]): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  let out = '';
  const child = spawn(bin, [...(asRoot ? ['-R', 'nobody'] : []), '-c', cfg, '-n', name], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (b) => (out += String(b)));
  child.stderr!.on('data', (b) => (out += String(b)));
  for (const p of ports) await waitForPort(p, child, () => out.slice(-2000));
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface XrootdCluster {
  /** The manager (redirector): clients open files here and are redirected. */
  managerPort: number;
  dataPort: number;
  dir: string;
  url(path: string): string;
  stop(): Promise<void>;
}

/** A redirector and one data server, each an xrootd with its cmsd (all.role manager / server). */
export async function startXrootdCluster(files: string[]): Promise<XrootdCluster> {
  const { base, dir, run } = serverDirs(files);
  const [cmsPort, managerPort, dataPort, dataCmsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const cfg = join(base, 'cluster.cfg');
  writeFileSync(cfg, [
    'all.export /',
    `all.manager 127.0.0.1:${cmsPort}`,
    `all.adminpath ${run}`,
    `all.pidpath ${run}`,
    'cms.allow host *',
    'cms.delay startup 1 servers 1',
    'if named manager',
    '  all.role manager',
    `  xrd.port ${managerPort} if exec xrootd`,
    'else',
    '  all.role server',
    `  xrd.port ${dataPort} if exec xrootd`,
    `  cms.port ${dataCmsPort}`,
    `  oss.localroot ${dir}`,
    'fi',
    '',
  ].join('\n'));
  const procs = [
    await daemon('cmsd', cfg, 'manager', base, [cmsPort]),
    await daemon('xrootd', cfg, 'manager', base, [managerPort]),
    await daemon('xrootd', cfg, 'data', base, [dataPort]),
    await daemon('cmsd', cfg, 'data', base, []),
  ];
  return {
    managerPort, dataPort, dir,
    url: (p) => `root://127.0.0.1:${managerPort}/${p.startsWith('/') ? p : '/' + p}`,
    async stop() {
      for (const p of procs.reverse()) await p.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export async function startXrootd(opts: XrootdOptions = {}): Promise<XrootdServer> {
  const { base, dir, run } = serverDirs(opts.files);
  const port = await freePort();
  const plugin = opts.http === false ? undefined : httpPluginPath();
  const httpPort = plugin ? await freePort() : undefined;
  const cfg = join(base, 'xrootd.cfg');
  writeFileSync(cfg, [
    `all.export /`,
    `oss.localroot ${dir}`,
    `xrd.port ${port} if exec xrootd`,
    `all.adminpath ${run}`,
    `all.pidpath ${run}`,
    ...(plugin ? [`xrd.protocol XrdHttp:${httpPort} ${plugin}`] : []),
    ...(opts.extraConfig ?? []),
    '',
  ].join('\n'));
  let d!: Awaited<ReturnType<typeof daemon>>;
  const start = async () => {
    d = await daemon('xrootd', cfg, opts.name ?? 'hepflow', base, httpPort ? [port, httpPort] : [port]);
  };
  const stop = () => d.stop();
  await start();
  return {
    port, httpPort, dir,
    get child() {
      return d.child;
    },
    url: (p) => `root://127.0.0.1:${port}/${p.startsWith('/') ? p : '/' + p}`,
    httpUrl: (p) => `http://127.0.0.1:${httpPort}/${p.startsWith('/') ? p : '/' + p}`,
    async stop() {
      await stop();
      rmSync(base, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      await start();
    },
  };
}
