import { execFile, execFileSync } from "node:child_process";
import { createCipheriv, createHash, randomBytes, scryptSync } from "node:crypto";
import { accessSync, constants, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * restic as a test oracle: a throwaway repository in a temp dir, snapshots made with
 * `restic backup --time`, keep sets read from `restic forget --dry-run --json`.
 * The binary comes from scripts/fetch-restic.sh (Debian trixie's 0.18, cached outside
 * the repository) or from RESTIC_BIN.
 */

export const RESTIC_SERIES = "0.18";

/** Where scripts/fetch-restic.sh caches the binary. */
export function resticCachePath(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(cache, "cloudhsm-retention", `restic-${RESTIC_SERIES}`, "restic");
}

/** `missing`: nothing at the path (the test may skip); `unusable`: something else is there (it fails). */
export type ResticLookup = { bin: string; version: string } | { bin: undefined; kind: "missing" | "unusable"; problem: string };

/** RESTIC_BIN, else the cache path. */
export function findRestic(): ResticLookup {
  const bin = process.env.RESTIC_BIN || resticCachePath();
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    return {
      bin: undefined,
      kind: "missing",
      problem: `restic ${RESTIC_SERIES} not found at ${bin}: run scripts/fetch-restic.sh (or set RESTIC_BIN)`,
    };
  }
  let version: string;
  try {
    version = execFileSync(bin, ["version"], { encoding: "utf8", env: resticEnv("UTC") }).trim();
  } catch (err) {
    return { bin: undefined, kind: "unusable", problem: `${bin} version failed: ${(err as Error).message}` };
  }
  if (!version.startsWith(`restic ${RESTIC_SERIES}.`)) {
    return { bin: undefined, kind: "unusable", problem: `${bin} is "${version}", the oracle needs restic ${RESTIC_SERIES}.x` };
  }
  return { bin, version };
}

const PASSWORD = "oracle";

/**
 * A clean environment: no RESTIC_* from the caller (a RESTIC_HOST or password file would
 * change results). GOMAXPROCS=1: each process does little, and fewer Go threads cut its
 * CPU time by about a third when many run side by side.
 */
function resticEnv(timezone: string, repo?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TZ: timezone, RESTIC_PASSWORD: PASSWORD, GOMAXPROCS: "1" };
  if (repo !== undefined) env.RESTIC_REPOSITORY = repo;
  return env;
}

/** One entry of `restic forget --json`'s output (only the fields the oracle reads). */
export interface ForgetSnapshot {
  time: string;
  hostname: string;
  tags?: string[] | null;
}

export interface ForgetGroup {
  host: string;
  keep: ForgetSnapshot[] | null;
  remove: ForgetSnapshot[] | null;
  reasons: { snapshot: ForgetSnapshot; matches: string[] }[] | null;
}

export interface SnapshotSpec {
  host: string;
  /** `YYYY-MM-DD HH:MM:SS`, read by restic in `timezone`. */
  wall: string;
  timezone: string;
  tags: readonly string[];
}

export class ResticRepo {
  private constructor(
    readonly bin: string,
    readonly dir: string,
    private readonly file: string,
  ) {}

  /** `restic init` in a fresh temp dir, then a cheap key (see `useCheapKey`). */
  static async create(bin: string): Promise<ResticRepo> {
    const dir = await mkdtemp(join(tmpdir(), "restic-oracle-"));
    const repo = new ResticRepo(bin, dir, join(dir, "data.txt"));
    await writeFile(repo.file, "one tiny file\n");
    await repo.run("UTC", ["init"]);
    useCheapKey(join(dir, "repo"), PASSWORD);
    return repo;
  }

  /**
   * A copy of this repository (same master key, same cheap key file) in its own temp dir:
   * far cheaper than another `restic init`, which calibrates scrypt for ~2 s of CPU. One
   * repo per fleet keeps `forget`, which reads every snapshot of the repo, small.
   */
  async clone(): Promise<ResticRepo> {
    const dir = await mkdtemp(join(tmpdir(), "restic-oracle-"));
    await cp(join(this.dir, "repo"), join(dir, "repo"), { recursive: true });
    const copy = new ResticRepo(this.bin, dir, join(dir, "data.txt"));
    await writeFile(copy.file, "one tiny file\n");
    return copy;
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Runs restic on this repo with TZ=`timezone`; rejects with the command and restic's stderr. */
  run(timezone: string, args: readonly string[]): Promise<string> {
    const all = ["--no-cache", "--quiet", ...args];
    return new Promise((resolve, reject) => {
      execFile(
        this.bin,
        all,
        { env: resticEnv(timezone, join(this.dir, "repo")), maxBuffer: 256 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`TZ=${timezone} restic ${all.join(" ")} failed: ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
    });
  }

  /**
   * One snapshot of the tiny file. Concurrent backups are fine (restic's backup lock is
   * shared). `--force` skips the parent lookup, which reads every snapshot: O(n²) otherwise.
   */
  async backup(s: SnapshotSpec): Promise<void> {
    const tags = s.tags.flatMap((t) => ["--tag", t]);
    await this.run(s.timezone, ["backup", "--force", "--no-scan", "--time", s.wall, "--host", s.host, ...tags, this.file]);
  }

  /** Every snapshot, with restic's own reading of its time (RFC 3339 with the recorded offset). */
  async snapshots(): Promise<ForgetSnapshot[]> {
    return JSON.parse(await this.run("UTC", ["--no-lock", "snapshots", "--json"])) as ForgetSnapshot[];
  }

  /** `forget --dry-run --json --group-by host` over `hosts` with TZ=`timezone`. Never deletes. */
  async forget(timezone: string, hosts: readonly string[], keepFlags: readonly string[]): Promise<ForgetGroup[]> {
    const args = ["--no-lock", "forget", "--dry-run", "--json", "--group-by", "host", "--unsafe-allow-remove-all"];
    for (const h of hosts) args.push("--host", h);
    const out = await this.run(timezone, [...args, ...keepFlags]);
    return JSON.parse(out) as ForgetGroup[];
  }
}

/**
 * Replaces the repository's key file with one that opens the same master key through
 * scrypt N=16 instead of the calibrated N=32768 (0.4 s of CPU in EVERY restic process,
 * which made 500 backups cost minutes on 2 cores). restic's own tests do the same with
 * TestUseLowSecurityKDFParameters, which release builds do not expose. The format is
 * restic's (doc/design.rst, "Keys, Encryption and MAC"): data = IV ‖ AES-256-CTR ‖
 * Poly1305-AES MAC. If this is wrong, the next restic call fails with "wrong password".
 * Throwaway test repositories only.
 */
function useCheapKey(repo: string, password: string): void {
  const keysDir = join(repo, "keys");
  const [name, ...others] = readdirSync(keysDir);
  if (name === undefined || others.length > 0) throw new Error(`expected one key file in ${keysDir}`);
  const key = JSON.parse(readFileSync(join(keysDir, name), "utf8")) as { salt: string; N: number; r: number; p: number; data: string };
  const derive = (salt: Buffer, N: number, r: number, p: number): Buffer =>
    scryptSync(password, salt, 64, { N, r, p, maxmem: 256 * N * r * p + (32 << 20) });

  const userKey = derive(Buffer.from(key.salt, "base64"), key.N, key.r, key.p);
  const data = Buffer.from(key.data, "base64");
  const master = aes256ctr(userKey.subarray(0, 32), data.subarray(0, 16), data.subarray(16, data.length - 16));

  const salt = randomBytes(64);
  const cheap = { N: 16, r: 1, p: 1 };
  const newKey = derive(salt, cheap.N, cheap.r, cheap.p);
  const iv = randomBytes(16);
  const ciphertext = aes256ctr(newKey.subarray(0, 32), iv, master);
  const mac = poly1305Aes(ciphertext, iv, newKey.subarray(32, 48), newKey.subarray(48, 64));
  const text = JSON.stringify({ ...key, ...cheap, salt: salt.toString("base64"), data: Buffer.concat([iv, ciphertext, mac]).toString("base64") });
  // restic names every file by the SHA-256 of its content.
  writeFileSync(join(keysDir, createHash("sha256").update(text).digest("hex")), text, { mode: 0o400 });
  rmSync(join(keysDir, name), { force: true });
}

function aes256ctr(key: Buffer, iv: Buffer, input: Buffer): Buffer {
  const c = createCipheriv("aes-256-ctr", key, iv);
  return Buffer.concat([c.update(input), c.final()]);
}

const littleEndian = (b: Buffer): bigint => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
};

/** Poly1305-AES as restic uses it: r from the key, s = AES-128_k(nonce) (RFC 8439 §2.5 for the polynomial). */
function poly1305Aes(msg: Buffer, nonce: Buffer, k: Buffer, r: Buffer): Buffer {
  const aes = createCipheriv("aes-128-ecb", k, null).setAutoPadding(false);
  const s = littleEndian(aes.update(nonce));
  const p = (1n << 130n) - 5n;
  const rr = littleEndian(r) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  let acc = 0n;
  for (let i = 0; i < msg.length; i += 16) {
    const block = Buffer.concat([msg.subarray(i, i + 16), Buffer.from([1])]);
    acc = ((acc + littleEndian(block)) * rr) % p;
  }
  acc = (acc + s) & ((1n << 128n) - 1n);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++, acc >>= 8n) out[i] = Number(acc & 0xffn);
  return out;
}
