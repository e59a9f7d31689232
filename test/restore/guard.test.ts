import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSameOrigin, formToken, verifyFormToken } from "../../src/restore/guard.js";

const current = Buffer.from("current-secret-of-at-least-32-characters");
const previous = Buffer.from("previous-secret-of-at-least-32-characters");
const link = "cnx1cy1lYXN0LTF8YmFja3VwLWd5cGw3a29oNmRmfHRwbGV3NrplB_82f1vHTd2wMp8RDmg";

describe("the form token", () => {
  it("is the first 16 bytes of HMAC-SHA256 over a label of its own and the link token, computed independently here", () => {
    const expected = createHmac("sha256", current).update("cloudhsm-retention/restore-form/v1\n" + link).digest().subarray(0, 16).toString("base64url");
    expect(formToken(link, current)).toBe(expected);
    // Not the link's own MAC: a label of its own keeps the two from ever standing in for each other.
    expect(formToken(link, current)).not.toBe(createHmac("sha256", current).update(link).digest().subarray(0, 16).toString("base64url"));
  });

  it("verifies under the current or the previous secret, and for its own link only", () => {
    expect(verifyFormToken(formToken(link, current), link, { current, previous })).toBe(true);
    expect(verifyFormToken(formToken(link, previous), link, { current, previous })).toBe(true);
    expect(verifyFormToken(formToken(link, previous), link, { current })).toBe(false);
    expect(verifyFormToken(formToken(`${link}x`, current), link, { current, previous })).toBe(false);
    expect(verifyFormToken(formToken(link, Buffer.from("a third secret, of at least 32 characters")), link, { current, previous })).toBe(false);
  });

  it.each([undefined, "", "short", ["a", "b"], 42, `${formToken(link, current)}=`, "!".repeat(22)])("refuses %j", (given) => {
    expect(verifyFormToken(given, link, { current, previous })).toBe(false);
  });
});

describe("same-origin check", () => {
  const headers = (h: Record<string, string>) => ({ headers: { host: "abc123.execute-api.us-east-1.amazonaws.com", "x-forwarded-proto": "https", ...h } });

  it.each([
    ["Origin equals the host, over https", headers({ origin: "https://abc123.execute-api.us-east-1.amazonaws.com" }), true],
    ["Origin with the default port written out", headers({ origin: "https://abc123.execute-api.us-east-1.amazonaws.com:443" }), true],
    ["Origin in another case", headers({ origin: "HTTPS://ABC123.execute-api.us-east-1.amazonaws.com" }), true],
    ["Origin over http while the API is https", headers({ origin: "http://abc123.execute-api.us-east-1.amazonaws.com" }), false],
    ["Origin of another API", headers({ origin: "https://evil.execute-api.us-east-1.amazonaws.com" }), false],
    ["Origin a prefix of ours", headers({ origin: "https://abc123.execute-api.us-east-1.amazonaws.com.evil.example" }), false],
    ["Origin that is no URL", headers({ origin: "abc123.execute-api.us-east-1.amazonaws.com" }), false],
    ["a CDN in front: Origin equals X-Forwarded-Host", headers({ origin: "https://restore.example.com", "x-forwarded-host": "restore.example.com" }), true],
    ["Origin: null with Sec-Fetch-Site: same-origin", headers({ origin: "null", "sec-fetch-site": "same-origin" }), true],
    ["no Origin with Sec-Fetch-Site: same-origin", headers({ "sec-fetch-site": "same-origin" }), true],
    ["Origin: null alone", headers({ origin: "null" }), false],
    ["nothing at all", headers({}), false],
    ["Sec-Fetch-Site: same-site", headers({ "sec-fetch-site": "same-site" }), false],
    ["Sec-Fetch-Site: none (typed in the address bar)", headers({ "sec-fetch-site": "none" }), false],
    ["a matching Origin but Sec-Fetch-Site: cross-site", headers({ origin: "https://abc123.execute-api.us-east-1.amazonaws.com", "sec-fetch-site": "cross-site" }), false],
  ])("%s", (_name, req, ok) => {
    expect(checkSameOrigin(req).ok).toBe(ok);
  });

  it("takes the API's domain name (a custom domain) and the links' base URL as its own", () => {
    const req = { headers: { host: "internal", "x-forwarded-proto": "https", origin: "https://backups.example.com" }, domainName: "backups.example.com" };
    expect(checkSameOrigin(req).ok).toBe(true);
    const viaBase = { headers: { host: "internal", "x-forwarded-proto": "https", origin: "https://restore.example.org" } };
    expect(checkSameOrigin(viaBase).ok).toBe(false);
    expect(checkSameOrigin(viaBase, ["https://restore.example.org/prod/"]).ok).toBe(true);
  });

  it("reads the scheme from X-Forwarded-Proto, https when absent or odd", () => {
    expect(checkSameOrigin({ headers: { host: "127.0.0.1:8787", "x-forwarded-proto": "http", origin: "http://127.0.0.1:8787" } }).ok).toBe(true);
    expect(checkSameOrigin({ headers: { host: "127.0.0.1:8787", origin: "http://127.0.0.1:8787" } }).ok).toBe(false);
    expect(checkSameOrigin({ headers: { host: "127.0.0.1:8787", "x-forwarded-proto": "gopher", origin: "https://127.0.0.1:8787" } }).ok).toBe(true);
  });
});
