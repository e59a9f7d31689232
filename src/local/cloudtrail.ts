import { createHash, randomUUID } from "node:crypto";
import { UserInputError } from "../errors.js";

/**
 * The CloudTrail records of CloudHSM's mutating calls, as EventBridge delivers them
 * ("AWS API Call via CloudTrail", source `aws.cloudhsm`): every DeleteBackup,
 * RestoreBackup, ModifyBackupAttributes and ModifyCluster a caller made (failed and
 * faulted ones too, with `errorCode`), and every DeleteBackup the service made on its own
 * when a cluster's retention purged a backup. Read-only calls are not recorded (an
 * EventBridge rule in state ENABLED never sees them either).
 *
 * Who called comes from the SigV4 access key ID: map keys to identities with
 * `setIdentity`; any other key is an IAM user named after it.
 */
export const ACCOUNT_ID = "111122223333";

/** CloudTrail's userIdentity element (the members this emulator fills). */
export interface UserIdentity {
  type: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: { type: string; principalId: string; arn: string; accountId: string; userName: string };
    attributes?: { creationDate: string; mfaAuthenticated: string };
  };
}

/**
 * How to describe a caller: an IAM user, a role session (what a Lambda function or an
 * SSO user has), or a userIdentity given as is.
 */
export type IdentitySpec = { user: string } | { role: string; session: string } | { userIdentity: UserIdentity };

/** The record itself (the event's `detail`). */
export interface CloudTrailRecord {
  eventVersion: "1.09";
  userIdentity: UserIdentity;
  /** Whole seconds, as CloudTrail writes it: `2026-11-28T06:00:00Z`. */
  eventTime: string;
  eventSource: "cloudhsm.amazonaws.com";
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  /** The request in camelCase (`{backupId}`); null when the body was unreadable. */
  requestParameters: Record<string, unknown> | null;
  /** The response in camelCase, timestamps as CloudTrail prints them; null on failure. */
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: false;
  eventType: "AwsApiCall";
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: "Management";
}

/** The EventBridge envelope around a record. */
export interface CloudTrailEvent {
  version: "0";
  id: string;
  "detail-type": "AWS API Call via CloudTrail";
  source: "aws.cloudhsm";
  account: string;
  time: string;
  region: string;
  resources: [];
  detail: CloudTrailRecord;
}

/** What the CloudHSM service hands over for one call. */
export interface CallRecordInput {
  atMs: number;
  region: string;
  eventName: string;
  /** undefined for the service's own actions. */
  caller: { accessKeyId: string | undefined; userAgent: string | undefined } | undefined;
  requestId: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  error?: { code: string; message: string } | undefined;
}

/**
 * CloudTrail does not document the identity of CloudHSM's retention purges; this is
 * how CloudTrail shows other actions AWS services take on their own.
 */
export const SERVICE_IDENTITY: Readonly<UserIdentity> = Object.freeze({ type: "AWSService", invokedBy: "cloudhsm.amazonaws.com" });

const NAME = /^[\w+=,.@-]{1,64}$/;
const SESSION = /^[\w+=,.@-]{2,64}$/;

export class CloudTrail {
  private records: CloudTrailEvent[] = [];
  private readonly listeners = new Set<(event: CloudTrailEvent) => void>();
  private readonly byKey = new Map<string, UserIdentity>();

  constructor(private readonly nowMs: () => number) {}

  /**
   * Calls `listener` with each new event, synchronously, in the order recorded. A
   * listener that throws is a bug in the listener: its error is thrown again outside
   * the emulator (an uncaught exception), so it shows without leaving a call half done.
   * Returns a function that unsubscribes.
   */
  subscribe(listener: (event: CloudTrailEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every event recorded, oldest first (a copy). */
  events(): CloudTrailEvent[] {
    return structuredClone(this.records);
  }

  /** Forgets the events (not the identities); returns how many there were. */
  clear(): number {
    const n = this.records.length;
    this.records = [];
    return n;
  }

  /** Calls signed with `accessKeyId` are recorded as made by this identity from now on. */
  setIdentity(accessKeyId: string, spec: IdentitySpec): UserIdentity {
    if (typeof accessKeyId !== "string" || !/^[\w+=,.@/-]{1,128}$/.test(accessKeyId)) {
      throw new UserInputError(`accessKeyId: expected an access key ID such as AKIAIOSFODNN7EXAMPLE; got ${JSON.stringify(accessKeyId)}`);
    }
    const identity = buildIdentity(accessKeyId, spec, this.nowMs());
    this.byKey.set(accessKeyId, identity);
    return structuredClone(identity);
  }

  identities(): Record<string, UserIdentity> {
    return structuredClone(Object.fromEntries([...this.byKey].sort(([a], [b]) => (a < b ? -1 : 1))));
  }

  clearIdentities(): number {
    const n = this.byKey.size;
    this.byKey.clear();
    return n;
  }

  /** The identity a call signed with this key is recorded under. */
  identityFor(accessKeyId: string | undefined): UserIdentity {
    if (accessKeyId === undefined) {
      // An unsigned request: CloudTrail's anonymous principal.
      return { type: "AWSAccount", principalId: "", accountId: "ANONYMOUS_PRINCIPAL" };
    }
    const known = this.byKey.get(accessKeyId);
    if (known) return structuredClone(known);
    return buildIdentity(accessKeyId, { user: accessKeyId.replace(/[^\w+=,.@-]/g, "-").slice(0, 64) }, this.nowMs());
  }

  /** Records one call (or the service's own action) and tells the subscribers. */
  record(input: CallRecordInput): CloudTrailEvent {
    const time = cloudTrailTime(input.atMs);
    const detail: CloudTrailRecord = {
      eventVersion: "1.09",
      userIdentity: input.caller ? this.identityFor(input.caller.accessKeyId) : { ...SERVICE_IDENTITY },
      eventTime: time,
      eventSource: "cloudhsm.amazonaws.com",
      eventName: input.eventName,
      awsRegion: input.region,
      // AWS writes the service's name in both for actions a service takes itself.
      sourceIPAddress: input.caller ? "127.0.0.1" : "cloudhsm.amazonaws.com",
      userAgent: input.caller ? (input.caller.userAgent ?? "") : "cloudhsm.amazonaws.com",
      requestParameters: input.requestParameters,
      responseElements: input.error ? null : input.responseElements,
      ...(input.error ? { errorCode: input.error.code, errorMessage: input.error.message } : {}),
      requestID: input.requestId,
      eventID: randomUUID(),
      readOnly: false,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: ACCOUNT_ID,
      eventCategory: "Management",
    };
    const event: CloudTrailEvent = {
      version: "0",
      id: randomUUID(),
      "detail-type": "AWS API Call via CloudTrail",
      source: "aws.cloudhsm",
      account: ACCOUNT_ID,
      time,
      region: input.region,
      resources: [],
      detail,
    };
    this.records.push(event);
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(event));
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    return event;
  }
}

function buildIdentity(accessKeyId: string, spec: IdentitySpec, nowMs: number): UserIdentity {
  const bad = (why: string) => new UserInputError(`identity for ${accessKeyId}: ${why}`);
  const kinds = typeof spec === "object" && spec !== null ? ["user", "role", "userIdentity"].filter((k) => k in spec) : [];
  if (kinds.length !== 1) throw bad('expected exactly one of {"user"}, {"role", "session"} or {"userIdentity"}');
  if ("session" in spec && !("role" in spec)) throw bad('"session" goes with "role"');
  if ("userIdentity" in spec) {
    const given = spec.userIdentity as unknown;
    if (typeof given !== "object" || given === null || typeof (given as UserIdentity).type !== "string") throw bad("userIdentity must be an object with a string type");
    return { ...structuredClone(given as UserIdentity), accessKeyId };
  }
  if ("role" in spec) {
    const { role, session } = spec;
    if (typeof role !== "string" || !NAME.test(role)) throw bad(`role: expected an IAM role name; got ${JSON.stringify(role)}`);
    if (typeof session !== "string" || !SESSION.test(session)) throw bad(`session: expected a role session name (2-64 of A-Za-z0-9_+=,.@-); got ${JSON.stringify(session)}`);
    const roleId = `AROA${uniqueId(`role:${role}`)}`;
    return {
      type: "AssumedRole",
      principalId: `${roleId}:${session}`,
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/${session}`,
      accountId: ACCOUNT_ID,
      accessKeyId,
      sessionContext: {
        sessionIssuer: { type: "Role", principalId: roleId, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${role}`, accountId: ACCOUNT_ID, userName: role },
        attributes: { creationDate: cloudTrailTime(nowMs), mfaAuthenticated: "false" },
      },
    };
  }
  if ("user" in spec) {
    const { user } = spec;
    if (typeof user !== "string" || !NAME.test(user)) throw bad(`user: expected an IAM user name; got ${JSON.stringify(user)}`);
    return { type: "IAMUser", principalId: `AIDA${uniqueId(`user:${user}`)}`, arn: `arn:aws:iam::${ACCOUNT_ID}:user/${user}`, accountId: ACCOUNT_ID, accessKeyId, userName: user };
  }
  throw bad('expected {"user"}, {"role", "session"} or {"userIdentity"}');
}

/** IAM unique IDs are 16 upper-case letters and digits after the prefix; stable per name. */
function uniqueId(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 16).toUpperCase();
}

/** `2026-11-28T06:00:00Z`: CloudTrail's eventTime has whole seconds. */
export function cloudTrailTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A timestamp inside responseElements, as CloudTrail prints CloudHSM's (Java's medium
 * style, UTC): `Nov 20, 2026, 4:10:00 AM`. Written by hand: Intl's output differs between
 * ICU versions (a narrow no-break space before AM in newer ones).
 */
export function responseTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

const TIMESTAMPS = new Set(["CreateTimestamp", "DeleteTimestamp", "CopyTimestamp", "HsmTypeRollbackExpiration"]);

/**
 * A CloudHSM request or response (wire shape, PascalCase, epoch seconds) as CloudTrail
 * records it: camelCase keys, timestamps in CloudTrail's print style.
 */
export function toCloudTrailShape(value: unknown, key?: string): unknown {
  if (key !== undefined && TIMESTAMPS.has(key) && typeof value === "number") return responseTime(value * 1000);
  if (Array.isArray(value)) return value.map((v) => toCloudTrailShape(v));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.charAt(0).toLowerCase() + k.slice(1)] = toCloudTrailShape(v, k);
  return out;
}
