/**
 * An AWS call's error in words a person can act on. SDK errors carry the service's name
 * and message; a network failure is a bare Node error whose message (`connect
 * ECONNREFUSED`, an OpenSSL dump) says little, so the common ones are put plainly.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; hostname?: string; address?: string; port?: number };
  const where = e.address ? `${e.address}${e.port ? `:${e.port}` : ""}` : e.hostname;
  switch (e.code) {
    case "ECONNREFUSED":
      return `connection refused by ${where ?? "the endpoint"}: nothing listens there (is the local endpoint running? check --endpoint-url)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `host ${e.hostname ?? where ?? "of the endpoint"} not found: check --endpoint-url (or AWS_ENDPOINT_URL) and the region`;
    case "ETIMEDOUT":
    case "ECONNRESET":
    case "EPIPE":
      return `the connection to ${where ?? "the endpoint"} failed (${e.code}); the network or the endpoint is down`;
    case "EPROTO":
    case "ERR_SSL_WRONG_VERSION_NUMBER":
      return "the TLS handshake failed: the endpoint does not speak HTTPS (a local endpoint is http://)";
    default:
      if (/wrong version number|ssl3_get_record/i.test(e.message)) return "the TLS handshake failed: the endpoint does not speak HTTPS (a local endpoint is http://)";
      return `${e.name}: ${e.message}`;
  }
}
