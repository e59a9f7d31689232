import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Backup } from "../domain/types.js";
import { EmulatorClock } from "./clock.js";
import type { BackupSchedules, ServiceRetention } from "./cloudhsm/automation.js";
import type { CallLogEntry, LifecycleEntry } from "./cloudhsm/logs.js";
import { CloudHsmService } from "./cloudhsm/service.js";
import type { BackupStore } from "./cloudhsm/store.js";
import type { CloudTrail } from "./cloudtrail.js";
import type { DynaliteOptions } from "./dynamodb/dynalite.js";
import { DynamoDbService } from "./dynamodb/service.js";
import { Edge } from "./edge.js";
import type { AcceptedEvent } from "./events/put-events.js";
import { EventsService } from "./events/service.js";
import type { CallCounter, FaultInjector } from "./faults.js";
import { SnsService } from "./sns/service.js";
import type { PublishedMessage, TopicView } from "./sns/store.js";

/**
 * A local AWS endpoint on 127.0.0.1 (CloudHSM V2, SNS, EventBridge, DynamoDB on one
 * port), for tests, demos and benchmarks. Local mode only:
 * production code never imports this folder statically (the CLI loads it with a dynamic
 * import), so none of it lands in a Lambda bundle.
 *
 * @example
 * const endpoint = await startLocalEndpoint({ port: 0, seeds: [{ backups }] });
 * const client = new CloudHSMV2Client({ endpoint: endpoint.url, region: "us-east-1",
 *   credentials: { accessKeyId: "test", secretAccessKey: "test" } });
 * // ...
 * await endpoint.close();
 */
export interface LocalEndpointOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Loopback only: the emulator accepts any credentials, so it must not be reachable from elsewhere. */
  host?: "127.0.0.1";
  /** The region of unsigned requests (default us-east-1). */
  defaultRegion?: string;
  clock?: EmulatorClock;
  /** Initial backups; `region` overrides each backup's own `region`. */
  seeds?: Array<{ region?: string; backups: Backup[] }>;
  /**
   * How long DynamoDB tables stay CREATING / DELETING / UPDATING, in real milliseconds
   * (default 0: at once, since SDK waiters poll every 20 s).
   */
  dynamodb?: DynaliteOptions;
}

/** What tests and `npm start` can read of SNS without going through the admin API. */
export interface SnsState {
  /** Every accepted Publish, in order (what `GET /_emulator/sns` answers). */
  published(): PublishedMessage[];
  /** Forgets the published messages, not the topics; returns how many there were. */
  clear(): number;
  /** Every topic with its attributes, tags and subscriptions (`GET /_emulator/sns/topics`). */
  topics(): TopicView[];
}

/** The same for EventBridge. */
export interface EventsState {
  /** Every accepted PutEvents entry, in order (what `GET /_emulator/events` answers). */
  entries(): AcceptedEvent[];
  /** Forgets the accepted entries, not the buses; returns how many there were. */
  clear(): number;
}

/**
 * CloudTrail's records of CloudHSM's mutating calls and of the service's own retention
 * deletions (what `GET /_emulator/cloudtrail` lists), and who callers are.
 */
export type CloudTrailState = Pick<CloudTrail, "subscribe" | "events" | "clear" | "setIdentity" | "identities" | "clearIdentities" | "identityFor">;

/** A log read in process: what its admin route lists, after the work due by now is done. */
export interface LogState<T> {
  entries(): T[];
  /** Forgets the entries; returns how many there were. */
  clear(): number;
}

export interface LocalEndpoint {
  /** `http://127.0.0.1:<port>`, ready for an SDK client's `endpoint` or `--endpoint-url`. */
  url: string;
  port: number;
  clock: EmulatorClock;
  /** The CloudHSM state, for tests that seed or inspect directly. */
  cloudhsm: BackupStore;
  sns: SnsState;
  events: EventsState;
  faults: FaultInjector;
  calls: CallCounter;
  /** CloudHSM's daily backups per cluster (off until set): `set`, `stop`, `resume`, `remove`, `list`. */
  schedules: BackupSchedules;
  /** CloudHSM's own retention (off until enabled): `enable`, `disable`, `enabled`, `setDays`, `view`. */
  retention: ServiceRetention;
  cloudtrail: CloudTrailState;
  /** Every mutating CloudHSM call (DeleteBackup, RestoreBackup, ModifyBackupAttributes, ModifyCluster). */
  callLog: LogState<CallLogEntry>;
  /** What CloudHSM did on its own: backups created and ready, retention deletions, backups gone for good. */
  lifecycle: LogState<LifecycleEntry>;
  close(): Promise<void>;
}

export async function startLocalEndpoint(opts: LocalEndpointOptions = {}): Promise<LocalEndpoint> {
  const host = opts.host ?? "127.0.0.1";
  if (host !== "127.0.0.1") throw new Error(`the local endpoint binds 127.0.0.1 only, not ${String(host)}`);
  const clock = opts.clock ?? new EmulatorClock();
  const cloudhsm = new CloudHsmService({ nowMs: () => clock.nowMs() });
  for (const seed of opts.seeds ?? []) cloudhsm.store.upsert(seed.backups, clock.nowMs(), seed.region);
  const catchUp = () => cloudhsm.store.catchUp(clock.nowMs());
  const sns = new SnsService();
  const events = new EventsService();
  const dynamodb = new DynamoDbService(opts.dynamodb);
  const edge = new Edge({ services: [cloudhsm, sns, events, dynamodb], clock, defaultRegion: opts.defaultRegion ?? "us-east-1" });
  const server = createServer(edge.listener);
  // SDK clients keep connections alive; don't let an idle one hold `close()` up.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const stopFollowingClock = clock.onChange(catchUp);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    clock,
    cloudhsm: cloudhsm.store,
    sns: {
      published: () => sns.store.published(),
      clear: () => sns.store.clearPublished(),
      topics: () => sns.store.views(),
    },
    events: { entries: () => events.entries(), clear: () => events.clear() },
    faults: edge.faults,
    calls: edge.calls,
    schedules: cloudhsm.schedules,
    retention: cloudhsm.retention,
    cloudtrail: {
      subscribe: (listener) => cloudhsm.cloudtrail.subscribe(listener),
      events: () => {
        catchUp();
        return cloudhsm.cloudtrail.events();
      },
      clear: () => cloudhsm.cloudtrail.clear(),
      setIdentity: (accessKeyId, spec) => cloudhsm.cloudtrail.setIdentity(accessKeyId, spec),
      identities: () => cloudhsm.cloudtrail.identities(),
      clearIdentities: () => cloudhsm.cloudtrail.clearIdentities(),
      identityFor: (accessKeyId) => cloudhsm.cloudtrail.identityFor(accessKeyId),
    },
    callLog: {
      entries: () => {
        catchUp();
        return cloudhsm.callLog.list();
      },
      clear: () => cloudhsm.callLog.clear(),
    },
    lifecycle: {
      entries: () => {
        catchUp();
        return cloudhsm.lifecycle.list();
      },
      clear: () => cloudhsm.lifecycle.clear(),
    },
    close() {
      stopFollowingClock();
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export { EmulatorClock } from "./clock.js";
export type { BackupSchedules, ClusterScope, RetentionView, ScheduleRequest, ScheduleView, ServiceRetention } from "./cloudhsm/automation.js";
export type { LifecycleAction } from "./cloudhsm/lifecycle.js";
export type { CallLogEntry, LifecycleEntry } from "./cloudhsm/logs.js";
export type { CloudTrailEvent, CloudTrailRecord, IdentitySpec, UserIdentity } from "./cloudtrail.js";
export type { AcceptedEvent } from "./events/put-events.js";
export type { CallSnapshot, FaultConfig, FaultSnapshot } from "./faults.js";
export type { LocalRequest, LocalResponse, LocalService, ServiceContext } from "./http.js";
export type { PublishedMessage, Subscription, TopicView } from "./sns/store.js";
