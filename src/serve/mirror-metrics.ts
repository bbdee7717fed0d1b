/**
 * The mirror's Prometheus counters, on the registry it is given: the
 * daemon's (its /metrics on `http.port`) or `hfsched serve`'s own (/metrics
 * on the mirror's port). Also the two totals `hfsched status` shows.
 */
import { Counter, type Registry } from 'prom-client';
import type { HubErrorCode } from './hub-errors.js';
import type { RouteName } from './mirror-routes.js';

export class MirrorMetrics {
  private readonly requests: Counter<'route' | 'status'>;
  private readonly bytes: Counter;
  private readonly notFound: Counter<'code'>;
  /** Since start, for the status row. */
  requestCount = 0;
  bytesSent = 0;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'hfsched_mirror_requests_total',
      help: 'Requests the mirror answered, by route (repo-info, tree, paths-info, refs, resolve, metrics, other-api, other) and HTTP status.',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    this.bytes = new Counter({
      name: 'hfsched_mirror_sent_bytes_total',
      help: 'File bytes the mirror sent (resolve bodies).',
      registers: [registry],
    });
    this.notFound = new Counter({
      name: 'hfsched_mirror_not_found_total',
      help: 'Not-found answers, by error code (RepoNotFound, RevisionNotFound, EntryNotFound, EndpointNotFound).',
      labelNames: ['code'],
      registers: [registry],
    });
    this.bytes.inc(0);
    for (const code of ['RepoNotFound', 'RevisionNotFound', 'EntryNotFound', 'EndpointNotFound'] as const) {
      this.notFound.labels(code).inc(0);
    }
  }

  answered(route: RouteName, status: number, notFoundCode: HubErrorCode | null): void {
    this.requestCount += 1;
    this.requests.labels(route, String(status)).inc();
    if (status === 404 && notFoundCode !== null) this.notFound.labels(notFoundCode).inc();
  }

  sent(count: number): void {
    this.bytesSent += count;
    this.bytes.inc(count);
  }
}
