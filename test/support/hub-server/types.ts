/**
 * The public shapes of the test Hub server (see server.ts).
 * Protocol facts come from docs/hub-protocol.md and the Python client
 * (huggingface_hub: file_download.py, hf_api.py, utils/_http.py).
 */

/** A file on disk, streamed (never read whole); hashes may be given to skip hashing a huge file. */
export interface HubDiskContent {
  diskPath: string;
  /** sha256 of the content, hex; computed at addRepo when absent. */
  sha256?: string;
  /** git blob sha1 of the content, hex; only used for non-LFS files; computed when absent. */
  blobId?: string;
  /**
   * The file's bytes this many times over (default 1): a large body that
   * takes no more room than the file. With more than one, give `sha256` (of
   * the whole body) and mark the file LFS.
   */
  repeat?: number;
}

export interface HubFileSpec {
  /** Path in the repository, with `/` between folders. */
  path: string;
  content: Buffer | string | HubDiskContent;
  /**
   * Stored with Git LFS (served through a 302 to the CDN host).
   * Default: true for *.safetensors, *.bin, *.gguf, *.pt, *.onnx, *.h5, *.msgpack or size >= 10 MiB.
   */
  lfs?: boolean;
}

export interface HubRepoSpec {
  /** `org/name` or a bare `name`. */
  id: string;
  /**
   * 'model' (default) or 'dataset': a dataset is served under /api/datasets/{id}
   * and /datasets/{id}/resolve/…, and the test-facing methods name it `datasets/{id}`.
   */
  type?: 'model' | 'dataset';
  /** Without the valid token it answers exactly like a repository that does not exist. */
  private?: boolean;
  /** Every request without access answers GatedRepo: 401 without a token, 403 with the valid one. */
  gated?: boolean;
  /** For a gated repo: the valid token's user accepted the terms, so the token gets in (401 GatedRepo without it). */
  gatedAccessGranted?: boolean;
  /** Old ids of this repository: their URLs answer 307 with a relative Location to this id. */
  renamedFrom?: string[];
  /** Branch or tag name ("main", "v1.0", "refs/pr/1") -> files. */
  revisions: Record<string, HubFileSpec[]>;
  /** Which of the revisions are tags (in /api/models/{id}/refs); the others are branches. */
  tags?: string[];
  /**
   * LFS files are Xet-backed (default true, as on the Hub today): tree entries
   * carry `xetHash`, resolve answers `X-Xet-Hash` and a `rel="xet-auth"` link.
   * There is no CAS behind it; false serves plain LFS, as a mirror does.
   */
  xet?: boolean;
}

export interface HubFileInfo {
  size: number;
  lfs: boolean;
  /** git blob sha1 of what git stores: the content for regular files, the LFS pointer for LFS files (as on the Hub). */
  blobId: string;
  /** sha256 of the content. */
  sha256: string;
  /** What the cache names the blob: sha256 if LFS, else blobId. */
  etag: string;
  /** Size of the LFS pointer file (LFS files only, else 0). */
  pointerSize: number;
  /**
   * The file's Xet hash (64 hex) when the repo is Xet-backed and the file is
   * LFS, else null. Derived from the content (same bytes, same hash in every
   * repo) but not computed the way Xet does: nothing here speaks Xet.
   */
  xetHash: string | null;
}

export interface LoggedRequest {
  method: string;
  host: 'hub' | 'cdn';
  /** Raw path with query, as received. */
  path: string;
  range: string | null;
  authorization: string | null;
  /** The connection it came on: 1 for this host's first, 2 for the next one opened, and so on (kept-alive reuse shows). */
  connection: number;
  /** 0 until the response head is written. */
  status: number;
  /** Body bytes written so far (final once the response ended or was cut). */
  bodyBytesSent: number;
  /** performance.now() when the request arrived, and when its response ended or was cut (null until then). */
  receivedAt: number;
  endedAt: number | null;
}

/**
 * Each fault matches requests whose path (with query) contains `pathContains`
 * (all requests if absent) and applies `times` times (forever if absent).
 * On the CDN host the URL holds the sha256 and, in its query, the file's base name.
 * Body faults (drop, reset, stall, corrupt, throttle) only apply to, and only count,
 * responses that send file bytes (200/206 of a file), never redirects or errors.
 */
export type Fault =
  /** Send `afterBytes` body bytes, then destroy the socket (TCP FIN mid-body). */
  | { kind: 'drop'; pathContains?: string; afterBytes: number; times?: number }
  /** Send `afterBytes` body bytes, then reset the connection (TCP RST: the client may lose what it had not read yet). */
  | { kind: 'reset'; pathContains?: string; afterBytes: number; times?: number }
  /** Send `afterBytes` body bytes, then nothing: the socket stays open until the client gives up or close(). */
  | { kind: 'stall'; pathContains?: string; afterBytes: number; times?: number }
  /** Answer this status (e.g. 500, 503, 429) before anything else, with Retry-After when asked. */
  | { kind: 'status'; pathContains?: string; status: number; times?: number; retryAfterSeconds?: number }
  /** Flip bytes in the body: same length, different content. */
  | { kind: 'corrupt'; pathContains?: string; times?: number }
  /** Cap each matching response at this rate, with timed writes. */
  | { kind: 'throttle'; bytesPerSecond: number; pathContains?: string }
  /** The CDN answers 403, as for an expired signed URL. */
  | { kind: 'expire-cdn'; times?: number };

/** See hostile.ts. */
export interface HostileMode {
  /** Every tree page's `Link: rel="next"` points back at that page (the revision answer leaves sizes out, forcing the tree). */
  loopingPages?: boolean;
  /** Tree pages point their next page at this origin instead, same path (also forces the tree). */
  nextPageOrigin?: string;
  /** Tree pages point their next page at this URL instead (also forces the tree). */
  nextPageUrl?: string;
  /** Model API answers carry a padding field of this many bytes. */
  jsonBodyBytes?: number;
  /** The size the API lists for a path instead of the real one (negative, huge, or a plain lie). */
  listedSizes?: Record<string, number>;
  /** The lfs.size the API lists for a path, when it must differ from `size`. */
  listedLfsSizes?: Record<string, number>;
}

/** The Hub's rate limit (per bucket: api, resolvers), announced in headers and enforced with 429. */
export interface RateLimitSpec {
  /** Requests per window and bucket. */
  quota: number;
  windowSeconds: number;
  /** Header spelling: IETF draft 9+ (default, as the Hub), its earlier RateLimit-* fields, or X-RateLimit-*. */
  style?: 'ietf' | 'ietf-legacy' | 'x-ratelimit';
  /** false: headers only on the 429 itself, so a client cannot see it coming. Default true. */
  announce?: boolean;
  /**
   * Sent as they are on every answer, in place of the computed ones, and no
   * request is refused: the absurd values a broken server or mirror may send
   * (`RateLimit: "resolvers";r=0.001;t=100`).
   */
  headers?: Record<string, string>;
}

export interface HubServerOptions {
  repos?: HubRepoSpec[];
  /** The one valid token; default 'hf_test_token'. */
  token?: string;
  /** Entries per page of the tree API; default 1000 (as the Hub). */
  treePageSize?: number;
  /** Lifetime of the signed CDN URLs; default 3600. */
  cdnUrlTtlSeconds?: number;
  /** Start in hostile mode (see setHostile). */
  hostile?: HostileMode;
  rateLimit?: RateLimitSpec;
  /** Serve both hosts over https with this certificate (PEM), e.g. from test/support/test-ca.ts. */
  tls?: { key: string; cert: string };
}

export interface HubServer {
  /** http://127.0.0.1:PORT, the endpoint. */
  url: string;
  /** http://127.0.0.2:PORT2, another host: LFS downloads redirect here. */
  cdnUrl: string;
  token: string;
  addRepo(repo: HubRepoSpec): void;
  /**
   * Moves a branch to a new commit holding `files`, as a push does; the old
   * commit stays reachable by its hash. Returns the new commit. A dataset is
   * named `datasets/{id}`.
   */
  moveBranch(repoId: string, branch: string, files: HubFileSpec[]): string;
  /** Requests for `oldId` answer 307 with a relative Location to `newId`. */
  addAlias(oldId: string, newId: string): void;
  /** The commit a revision points at now; a dataset is named `datasets/{id}` (also in fileInfo). */
  commitOf(repoId: string, revision: string): string;
  fileInfo(repoId: string, revision: string, path: string): HubFileInfo;
  /** The absolute resolve URL of a file (path segments encoded). */
  resolveUrl(repoId: string, revision: string, path: string): string;
  /** Every request, in order of arrival. */
  requests: LoggedRequest[];
  clearLog(): void;
  addFault(fault: Fault): void;
  /** Switches the hostile mode (hostile.ts); {} turns it off. */
  setHostile(mode: HostileMode): void;
  clearFaults(): void;
  /** Switches the rate limit on (a fresh window) or off (null). */
  setRateLimit(spec: RateLimitSpec | null): void;
  /** Closes both listeners and destroys open sockets (stalled ones included). */
  close(): Promise<void>;
}
