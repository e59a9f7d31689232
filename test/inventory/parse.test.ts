import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InventoryError } from "../../src/errors.js";
import { readEpochMs, toAwsBackup } from "../../src/inventory/convert.js";
import { parseInventory } from "../../src/inventory/parse.js";

const dir = "test/fixtures/bad-inventories";

function issuesOf(name: string, region = "us-east-1"): string[] {
  const file = `${dir}/${name}.json`;
  try {
    parseInventory(readFileSync(file, "utf8"), file, region);
  } catch (err) {
    expect(err).toBeInstanceOf(InventoryError);
    return (err as Error).message.split("\n");
  }
  throw new Error(`${name} was accepted`);
}

describe("parseInventory", () => {
  it("reads describe-backups output with ISO and epoch-second timestamps, tags, copies and ARNs", () => {
    // Prepare
    const text = JSON.stringify({
      Backups: [
        {
          BackupId: "backup-aaaaaaaaaaa",
          BackupState: "READY",
          ClusterId: "cluster-bbbbbbbbbbb",
          CreateTimestamp: "2026-11-27T03:00:00.250Z",
          NeverExpires: true,
          TagList: [{ Key: "legal-hold", Value: "case-1" }],
        },
        {
          BackupId: "backup-ccccccccccc",
          BackupArn: "arn:aws:cloudhsm:us-west-2:111122223333:backup/backup-ccccccccccc",
          BackupState: "PENDING_DELETION",
          CreateTimestamp: 1764212400.5,
          DeleteTimestamp: 1764817200,
          CopyTimestamp: 1764214200,
          SourceRegion: "us-east-1",
          SourceBackup: "backup-aaaaaaaaaaa",
          SourceCluster: "cluster-bbbbbbbbbbb",
        },
      ],
    });
    // Act
    const [a, b] = parseInventory(text, "inv.json", "us-east-1");
    // Assess
    expect(a).toMatchObject({
      backupId: "backup-aaaaaaaaaaa",
      clusterId: "cluster-bbbbbbbbbbb",
      region: "us-east-1",
      state: "READY",
      createdAtMs: Date.UTC(2026, 10, 27, 3, 0, 0, 250),
      neverExpires: true,
      tags: { "legal-hold": "case-1" },
    });
    expect(b).toMatchObject({
      region: "us-west-2",
      state: "PENDING_DELETION",
      createdAtMs: 1764212400500,
      deleteAtMs: 1764817200000,
      copiedAtMs: 1764214200000,
      sourceRegion: "us-east-1",
      sourceClusterId: "cluster-bbbbbbbbbbb",
      clusterId: undefined,
      neverExpires: false,
    });
  });

  it("round-trips through the wire shape the local endpoint serves", () => {
    const text = readFileSync("examples/inventory.json", "utf8");
    const backups = parseInventory(text, "examples/inventory.json");
    const again = parseInventory(JSON.stringify({ Backups: backups.map((b) => toAwsBackup(b)) }), "x.json");
    expect(again).toEqual(backups);
  });

  it("reads JSON null as absent: a null SourceRegion does not make a backup a copy", () => {
    const text = JSON.stringify({
      Backups: [{ BackupId: "backup-aaaaaaaaaaa", BackupState: "READY", ClusterId: "cluster-aaaaaaaaaaa", CreateTimestamp: 1764300000, SourceRegion: null, SourceCluster: null, DeleteTimestamp: null, NeverExpires: null, TagList: null }],
    });
    const [b] = parseInventory(text, "inv.json", "us-east-1");
    expect(b).toMatchObject({ sourceRegion: undefined, sourceClusterId: undefined, deleteAtMs: undefined, neverExpires: false, tags: {} });
  });

  it("needs a region when a backup carries no ARN", () => {
    const text = '{"Backups": [{"BackupId": "backup-aaaaaaaaaaa", "BackupState": "READY", "ClusterId": "cluster-aaaaaaaaaaa", "CreateTimestamp": 1}]}';
    expect(() => parseInventory(text, "inv.json")).toThrow(
      "inv.json:1:14: Backups[0]: no region: pass --region, or include BackupArn in the inventory",
    );
  });

  it.each([
    ["trailing-comma", ["test/fixtures/bad-inventories/trailing-comma.json:4:3: invalid JSON: Expected double-quoted property name"]],
    ["wrong-top-level-key", ['test/fixtures/bad-inventories/wrong-top-level-key.json:1:1: expected {"Backups": [...]} as printed by "aws cloudhsmv2 describe-backups"']],
    ["unreadable-timestamp", ["test/fixtures/bad-inventories/unreadable-timestamp.json:3:119: Backups[0].CreateTimestamp: expected an ISO-8601 time with a zone or epoch seconds, within the range of a date"]],
    [
      "impossible-timestamps",
      [
        "test/fixtures/bad-inventories/impossible-timestamps.json:3:119: Backups[0].CreateTimestamp: 100000000000000000000 is after the year 9999",
        "test/fixtures/bad-inventories/impossible-timestamps.json:4:119: Backups[1].CreateTimestamp: expected an ISO-8601 time with a zone or epoch seconds, within the range of a date",
      ],
    ],
    ["unknown-state", ["test/fixtures/bad-inventories/unknown-state.json:3:55: Backups[0].BackupState: expected one of CREATE_IN_PROGRESS, READY, PENDING_DELETION, DELETED"]],
    [
      "timestamps-out-of-range",
      [
        "test/fixtures/bad-inventories/timestamps-out-of-range.json:3:119: Backups[0].CreateTimestamp: 1764300000000 looks like epoch milliseconds; CloudHSM timestamps are epoch seconds",
        "test/fixtures/bad-inventories/timestamps-out-of-range.json:4:119: Backups[1].CreateTimestamp: -1 is before 1970",
        'test/fixtures/bad-inventories/timestamps-out-of-range.json:5:119: Backups[2].CreateTimestamp: "1969-12-31T23:59:59Z" is before 1970',
        'test/fixtures/bad-inventories/timestamps-out-of-range.json:6:119: Backups[3].CreateTimestamp: "9999-12-31T23:00:00-05:00" is after the year 9999',
        'test/fixtures/bad-inventories/timestamps-out-of-range.json:7:150: Backups[4].DeleteTimestamp: "1764300000000" looks like epoch milliseconds; CloudHSM timestamps are epoch seconds',
      ],
    ],
    ["duplicate-id", ["test/fixtures/bad-inventories/duplicate-id.json:4:18: Backups[1].BackupId: backup-aaaaaaaaaaa already appears at Backups[0]"]],
    // Backup IDs are unique across regions: the same ID twice is one backup listed twice.
    ["duplicate-id-across-regions", ["test/fixtures/bad-inventories/duplicate-id-across-regions.json:4:18: Backups[1].BackupId: backup-aaaaaaaaaaa already appears at Backups[0]"]],
    [
      "several-problems",
      [
        "test/fixtures/bad-inventories/several-problems.json:3:147: Backups[0].NeverExpires: expected true or false",
        'test/fixtures/bad-inventories/several-problems.json:3:165: Backups[0].TagList: expected [{"Key": "...", "Value": "..."}]',
      ],
    ],
  ])("reports %s with its position", (name, expected) => {
    expect(issuesOf(name)).toEqual(expected);
  });
});

describe("parseInventory: what the CloudHSM API leaves optional", () => {
  // ClusterId is optional in the API (the cluster may be gone), and a cross-region copy
  // may lack SourceCluster: such backups are listed by AWS, so the inventory takes them
  // (the engine keeps them out of every group).
  it("accepts a backup without ClusterId", () => {
    const file = "test/fixtures/inventories/missing-cluster.json";
    const [b] = parseInventory(readFileSync(file, "utf8"), file, "us-east-1");
    expect(b).toMatchObject({ backupId: "backup-aaaaaaaaaaa", clusterId: undefined, sourceRegion: undefined });
  });

  it("accepts a cross-region copy without SourceCluster", () => {
    const file = "test/fixtures/inventories/copy-without-source-cluster.json";
    const [b] = parseInventory(readFileSync(file, "utf8"), file, "us-east-1");
    expect(b).toMatchObject({ backupId: "backup-aaaaaaaaaaa", sourceRegion: "us-east-1", sourceClusterId: undefined });
  });

  it("still refuses a ClusterId or SourceCluster that is there but not a string", () => {
    const text = '{"Backups": [{"BackupId": "backup-aaaaaaaaaaa", "BackupState": "READY", "CreateTimestamp": 1764300000, "ClusterId": 7, "SourceRegion": "us-east-1", "SourceCluster": ""}]}';
    expect(() => parseInventory(text, "inv.json", "us-west-2")).toThrow(
      "inv.json:1:117: Backups[0].ClusterId: expected a cluster ID string\ninv.json:1:166: Backups[0].SourceCluster: expected a cluster ID string",
    );
  });
});

describe("parseInventory: many problems, and what editors add", () => {
  const backup = (id: number, extra: Record<string, unknown> = {}) => ({
    BackupId: `backup-${String(id).padStart(11, "a")}`,
    BackupState: "READY",
    ClusterId: "cluster-aaaaaaaaaaa",
    CreateTimestamp: 1764300000,
    ...extra,
  });
  const problems = (text: string): string[] => {
    try {
      parseInventory(text, "inv.json", "us-east-1");
    } catch (err) {
      expect(err).toBeInstanceOf(InventoryError);
      return (err as Error).message.split("\n");
    }
    throw new Error("accepted");
  };

  it("reports the first 20 problems in file order, then how many more there are", () => {
    // Prepare: 25 backups with a bad state, one per line (line 3 to line 27).
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify(backup(i, { BackupState: "GONE" })));
    const text = `{\n  "Backups": [\n${lines.join(",\n")}\n  ]\n}\n`;
    // Act
    const out = problems(text);
    // Assess
    expect(out).toHaveLength(21);
    expect(out.slice(0, 20).map((l) => Number(/^inv\.json:(\d+):/.exec(l)?.[1]))).toEqual(Array.from({ length: 20 }, (_, i) => i + 3));
    expect(out[20]).toBe("inv.json: and 5 more problems");
  });

  it("orders one backup's problems as they appear in the file, not by which check found them", () => {
    const text = '{"Backups": [\n{"TagList": 5, "BackupState": "GONE", "BackupId": "backup-aaaaaaaaaaa", "ClusterId": "cluster-aaaaaaaaaaa", "CreateTimestamp": 1764300000}\n]}';
    expect(problems(text)).toEqual([
      'inv.json:2:13: Backups[0].TagList: expected [{"Key": "...", "Value": "..."}]',
      "inv.json:2:31: Backups[0].BackupState: expected one of CREATE_IN_PROGRESS, READY, PENDING_DELETION, DELETED",
    ]);
  });

  it("accepts a UTF-8 byte-order mark, as Windows editors and PowerShell redirection write it", () => {
    const text = `\uFEFF${JSON.stringify({ Backups: [backup(1)] })}`;
    expect(parseInventory(text, "inv.json", "us-east-1").map((b) => b.backupId)).toEqual([backup(1).BackupId]);
  });
});

describe("parseInventory: a truncated listing", () => {
  it("refuses a file with a top-level NextToken (describe-backups --max-items), pointing at it", () => {
    // Prepare: what `aws cloudhsmv2 describe-backups --max-items 1` prints when there are more.
    const text = [
      "{",
      '    "Backups": [',
      '        {"BackupId": "backup-aaaaaaaaaaa", "BackupState": "READY", "ClusterId": "cluster-aaaaaaaaaaa", "CreateTimestamp": 1764300000}',
      "    ],",
      '    "NextToken": "eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ=="',
      "}",
    ].join("\n");
    // Act
    const act = () => parseInventory(text, "page.json", "us-east-1");
    // Assess
    expect(act).toThrow(InventoryError);
    expect(act).toThrow(
      "page.json:5:5: NextToken: this is one page of an incomplete listing, and a plan from it would be wrong; " +
        "run aws cloudhsmv2 describe-backups without --max-items (it fetches every page) and plan again",
    );
  });

  it("reads a null or empty NextToken as the last page", () => {
    const backups = [{ BackupId: "backup-aaaaaaaaaaa", BackupState: "READY", ClusterId: "cluster-aaaaaaaaaaa", CreateTimestamp: 1764300000 }];
    expect(parseInventory(JSON.stringify({ Backups: backups, NextToken: null }), "x.json", "us-east-1")).toHaveLength(1);
    expect(parseInventory(JSON.stringify({ Backups: backups, NextToken: "" }), "x.json", "us-east-1")).toHaveLength(1);
  });
});

describe("readEpochMs: the one range check, for inventories and the SDK adapter's Dates alike", () => {
  it.each([
    [new Date("2026-11-28T06:00:00Z"), { ok: true, ms: Date.UTC(2026, 10, 28, 6) }],
    [new Date(-1), { ok: false, problem: '"1969-12-31T23:59:59.999Z" is before 1970' }],
    [new Date(Date.UTC(10000, 0, 1)), { ok: false, problem: '"+010000-01-01T00:00:00.000Z" is after the year 9999' }],
    // 9999-12-31T23:59:59Z is the last whole second; one more reads as milliseconds of 1978.
    [253402300799, { ok: true, ms: 253402300799000 }],
    [253402300800, { ok: false, problem: "253402300800 looks like epoch milliseconds; CloudHSM timestamps are epoch seconds" }],
  ])("%s", (value, expected) => {
    expect(readEpochMs(value)).toEqual(expected);
  });
});

describe("inventories that are not what describe-backups --output json prints", () => {
  it("says a YAML or text inventory is not JSON, at its first line, naming the command", () => {
    const attempt = () => parseInventory("Backups:\n- BackupId: backup-abcdefghijk\n", "inv.yaml", "us-east-1");
    expect(attempt).toThrow('inv.yaml:1:1: not JSON: an inventory is what `aws cloudhsmv2 describe-backups --output json` prints ({"Backups": [...]})');
  });

  it("calls a missing BackupState missing", () => {
    const text = '{"Backups": [{"BackupId": "backup-abcdefghijk", "ClusterId": "cluster-abcdefghijk", "CreateTimestamp": 1790000000}]}';
    expect(() => parseInventory(text, "inv.json", "us-east-1")).toThrow("Backups[0]: missing BackupState (one of");
  });
});
