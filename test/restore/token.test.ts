import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { restoreUrl, signToken, verifyToken } from "../../src/restore/token.js";

const secret = Buffer.from("0123456789abcdef0123456789abcdef", "utf8");
const other = Buffer.from("fedcba9876543210fedcba9876543210", "utf8");
const claims = { action: "restore" as const, region: "us-east-1", backupId: "backup-abcdefghijk", expiresAtMs: Date.parse("2026-12-05T06:00:00Z") };
const before = Date.parse("2026-11-28T06:00:00Z");

describe("restore link tokens", () => {
  it("round-trips: a token signed with the secret verifies to its claims", () => {
    const token = signToken(claims, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyToken(token, [secret], before)).toEqual({ ok: true, claims });
  });

  it("is an HMAC-SHA256 over a fixed label and the claims text, computed independently here", () => {
    const token = signToken(claims, secret);
    const raw = Buffer.from(token, "base64url");
    const body = "r|us-east-1|backup-abcdefghijk|" + (Date.parse("2026-12-05T06:00:00Z") / 1000).toString(36);
    expect(raw.subarray(0, raw.length - 16).toString("utf8")).toBe(body);
    const expected = createHmac("sha256", secret).update("cloudhsm-retention/restore-link/v1\n").update(body).digest().subarray(0, 16);
    expect(raw.subarray(raw.length - 16)).toEqual(expected);
  });

  it("keeps the whole link short enough for an SMS (160 characters)", () => {
    const url = restoreUrl("https://abcdef1234.execute-api.us-east-1.amazonaws.com", signToken({ ...claims, backupId: "backup-abcdefghijklmnop" }, secret));
    expect(url.length).toBeLessThanOrEqual(160);
  });

  it("refuses a token with any byte changed", () => {
    const raw = Buffer.from(signToken(claims, secret), "base64url");
    for (let i = 0; i < raw.length; i++) {
      const tampered = Buffer.from(raw);
      tampered[i] = tampered[i]! ^ 0x01;
      const check = verifyToken(tampered.toString("base64url"), [secret], before);
      expect(check.ok).toBe(false);
    }
  });

  it("refuses a token for another backup or region made by re-encoding the claims (the MAC no longer matches)", () => {
    const raw = Buffer.from(signToken(claims, secret), "base64url");
    const mac = raw.subarray(raw.length - 16);
    for (const body of ["r|us-west-2|backup-abcdefghijk|", "r|us-east-1|backup-zzzzzzzzzzz|"]) {
      const forged = Buffer.concat([Buffer.from(body + raw.subarray(30, raw.length - 16).toString("utf8").split("|").at(-1)), mac]);
      expect(verifyToken(forged.toString("base64url"), [secret], before)).toEqual({ ok: false, reason: "forged" });
    }
  });

  it("refuses a token signed with a foreign secret", () => {
    expect(verifyToken(signToken(claims, other), [secret], before)).toEqual({ ok: false, reason: "forged" });
  });

  it("accepts the previous secret during a rotation, and not once it is dropped", () => {
    const old = signToken(claims, other);
    expect(verifyToken(old, [secret, other], before).ok).toBe(true);
    expect(verifyToken(old, [secret], before).ok).toBe(false);
  });

  it("says a genuine token has expired at its backup's DeleteTimestamp", () => {
    const token = signToken(claims, secret);
    expect(verifyToken(token, [secret], claims.expiresAtMs - 1).ok).toBe(true);
    expect(verifyToken(token, [secret], claims.expiresAtMs)).toEqual({ ok: false, reason: "expired", claims });
  });

  it.each(["", "not base64!", "a".repeat(500), "AAAA", Buffer.from("x".repeat(40)).toString("base64url")])("calls %j malformed or forged, never valid", (token) => {
    const check = verifyToken(token, [secret], before);
    expect(check.ok).toBe(false);
  });

  it("refuses secrets too short to be safe", () => {
    expect(() => signToken(claims, Buffer.from("short"))).toThrow(RangeError);
    expect(verifyToken(signToken(claims, secret), [Buffer.from("short")], before).ok).toBe(false);
    expect(randomBytes(32).length).toBe(32);
  });
});
