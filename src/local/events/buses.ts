import { alreadyExists, constraint, notFound, serialization, validation } from "./errors.js";

export const ACCOUNT_ID = "111122223333";
export const DEFAULT_BUS = "default";

export interface EventBus {
  name: string;
  arn: string;
  region: string;
  description?: string | undefined;
  createdAtMs: number;
}

export type Input = Record<string, unknown>;

/** What an operation needs: the store, the caller's region and the emulated time. */
export interface EventsContext {
  buses: BusStore;
  region: string;
  nowMs: number;
}

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const BUS_ARN = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;

/** Event buses per region. The `default` bus of a region exists from the first look. */
export class BusStore {
  private readonly regions = new Map<string, Map<string, EventBus>>();

  static arn(region: string, name: string): string {
    return `arn:aws:events:${region}:${ACCOUNT_ID}:event-bus/${name}`;
  }

  get(region: string, name: string, nowMs: number): EventBus | undefined {
    return this.of(region, nowMs).get(name);
  }

  add(bus: EventBus): void {
    this.of(bus.region, bus.createdAtMs).set(bus.name, bus);
  }

  /** A bus named by name or ARN, resolved in the caller's region (an ARN names its own). */
  resolve(nameOrArn: string, region: string, nowMs: number): { name: string; bus: EventBus | undefined } {
    const m = BUS_ARN.exec(nameOrArn);
    if (!m) return { name: nameOrArn, bus: this.get(region, nameOrArn, nowMs) };
    const [, arnRegion, account, name] = m as unknown as [string, string, string, string];
    return { name, bus: account === ACCOUNT_ID ? this.get(arnRegion, name, nowMs) : undefined };
  }

  private of(region: string, nowMs: number): Map<string, EventBus> {
    let buses = this.regions.get(region);
    if (!buses) {
      buses = new Map([[DEFAULT_BUS, { name: DEFAULT_BUS, arn: BusStore.arn(region, DEFAULT_BUS), region, createdAtMs: nowMs }]]);
      this.regions.set(region, buses);
    }
    return buses;
  }
}

/** CreateEventBus for a custom bus. Partner buses (EventSourceName) are not emulated. */
export function createEventBus(input: Input, ctx: EventsContext): Record<string, unknown> {
  const name = requiredString(input, "Name");
  if (!BUS_NAME.test(name)) throw constraint(`'${name}'`, "name", "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+");
  if (input.EventSourceName !== undefined) throw notFound(`Event source ${String(input.EventSourceName)} does not exist.`);
  if (name.includes("/")) throw validation("Event bus name must not contain '/'.");
  if (ctx.buses.get(ctx.region, name, ctx.nowMs)) throw alreadyExists(`Event bus ${name} already exists.`);
  const description = optionalString(input, "Description");
  const bus: EventBus = { name, arn: BusStore.arn(ctx.region, name), region: ctx.region, description, createdAtMs: ctx.nowMs };
  ctx.buses.add(bus);
  return { EventBusArn: bus.arn, ...(description === undefined ? {} : { Description: description }) };
}

/** DescribeEventBus by name or ARN; `default` when no name is given. */
export function describeEventBus(input: Input, ctx: EventsContext): Record<string, unknown> {
  const nameOrArn = optionalString(input, "Name") ?? DEFAULT_BUS;
  const { name, bus } = ctx.buses.resolve(nameOrArn, ctx.region, ctx.nowMs);
  if (!bus) throw notFound(`Event bus ${name} does not exist.`);
  return {
    Name: bus.name,
    Arn: bus.arn,
    ...(bus.description === undefined ? {} : { Description: bus.description }),
    CreationTime: bus.createdAtMs / 1000,
    LastModifiedTime: bus.createdAtMs / 1000,
  };
}

export function requiredString(input: Input, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined || value === "") throw constraint("null", member.charAt(0).toLowerCase() + member.slice(1), "Member must not be null");
  return value;
}

export function optionalString(input: Input, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw serialization(`${member} must be a string.`);
  return value;
}
