/**
 * Seeded generator of hostile requests for the loopback receiver (issue 8, item 1).
 *
 * Every case says what a correct receiver may answer. Cases that carry the genuine `state` are
 * always broken in some way the receiver must refuse, so none of them may ever complete the
 * sign-in; every case carries random marker strings that must never come back in a response.
 */

/** Small, fast, seedable PRNG (sfc32); the same seed gives the same sequence of cases. */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = seed >>> 0;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#a >>>= 0;
    this.#b >>>= 0;
    this.#c >>>= 0;
    this.#d >>>= 0;
    let t = (this.#a + this.#b) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#d = (this.#d + 1) | 0;
    t = (t + this.#d) | 0;
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  string(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

export interface Chunk {
  data: Buffer;
  delayMs?: number;
}

export interface FuzzCase {
  id: number;
  kind: string;
  chunks: Chunk[];
  /** Half-close our side after the last chunk. */
  halfClose?: boolean;
  /** Client gives up and resets the connection after this long (a vanishing client). */
  vanishAfterMs?: number;
  /** Strings that must not appear in anything the server sends back. */
  markers: string[];
  /** Statuses a correct receiver may answer with; undefined = any fixed page status. */
  allowed?: readonly number[];
  /** A connection that ends cleanly must carry an answer (not just a close). */
  mustAnswer: boolean;
  /** The answer has no body (HEAD). */
  headResponse?: boolean;
  /** Connections to open at once (floods); run alone, not alongside other cases. */
  flood?: { connections: number; mode: 'idle' | 'partial' | 'vanish' };
}

export interface FuzzTarget {
  port: number;
  /** `host:port` the receiver accepts. */
  hostHeader: string;
  /** The genuine state: only ever sent inside requests that must be refused. */
  state: string;
  maxHeaderSize: number;
  maxConnections: number;
  /** Longest a slow sender keeps dribbling, so some outlive the headers timeout. */
  slowBudgetMs: number;
}

type Part = string | Buffer;
const toBuffer = (parts: Part[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));

const REFUSALS = [400, 404, 405, 408, 421, 431] as const;

const PATH_SEGMENTS = [
  'callback', 'CALLBACK', 'Callback', '..', '.', '%2e%2e', '%2E%2E', '%2e', '%2f', '%5c', '..%2f', '%c0%ae%c0%ae',
  'favicon.ico', 'package.json', 'etc', 'passwd', 'main', 'loopback', 'server.ts', '', '%00', ';', 'callback;x',
  'callback%20', '%63allback', '~', '*', 'index.html', '.git', 'config', 'a'.repeat(300),
];
const PARAM_NAMES = [
  'state', 'code', 'error', 'error_description', 'error_uri', 'iss', 'session_state', 'access_token', 'id_token',
  'token_type', 'scope', 'redirect_uri', 'callback', '__proto__', 'constructor', 'toString', '',
];
const BAD_ESCAPES = ['%', '%%', '%z', '%zz', '%4', '%G1', '%C0%AF', '%E0%A4', '%ED%A0%80', '%FF', '%F8%88%80%80%80', '%C3', '%80'];
const METHODS = [
  'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH',
  'PURGE', 'REPORT', 'get', 'Get', 'GETT', 'G', 'BREW', 'GET\x00', 'X-GET', '',
];

/** Builds the generator for one run. */
export function createCaseGenerator(rng: Rng, target: FuzzTarget): (id: number) => FuzzCase {
  const marker = () => `zq${rng.string(10)}`;
  const goodHost = () => `Host: ${target.hostHeader}\r\n`;

  const randomValue = (m: string): string => {
    switch (rng.int(8)) {
      case 0:
        return m;
      case 1:
        return encodeURIComponent(`<script>${m}</script>`);
      case 2:
        return `${m}+${m}`;
      case 3:
        return `%E2%82%AC${m}`;
      case 4:
        return rng.string(rng.range(0, 40), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~');
      case 5:
        return `${m}${'%3D'.repeat(rng.range(1, 5))}`;
      case 6:
        return `javascript%3Aalert(${m})`;
      default:
        return `${m}${rng.string(rng.range(0, 20))}`;
    }
  };

  /** A query with a wrong (or no) state; sometimes malformed or with duplicates. */
  const wrongStateQuery = (m: string): string => {
    const pairs: string[] = [];
    const n = rng.range(0, 7);
    for (let i = 0; i < n; i++) {
      const name = rng.chance(0.2) ? m : rng.pick(PARAM_NAMES);
      // Never the genuine state here.
      const value = name === 'state' ? `${m}${rng.string(rng.range(0, 43))}` : randomValue(m);
      pairs.push(rng.chance(0.05) ? name : `${name}=${value}`);
    }
    if (rng.chance(0.6)) pairs.splice(rng.int(pairs.length + 1), 0, `state=${m}${rng.string(rng.range(0, 40))}`);
    return pairs.join(rng.chance(0.9) ? '&' : rng.pick(['&&', ';', '&amp;']));
  };

  const randomPath = (m: string): string => {
    const segments = Array.from({ length: rng.range(1, 5) }, () => (rng.chance(0.15) ? m : rng.pick(PATH_SEGMENTS)));
    const prefix = rng.pick(['/', '/', '/', '//', '/./', '/../', '/callback/']);
    let path = prefix + segments.join(rng.chance(0.9) ? '/' : rng.pick(['//', '\\', '%2f']));
    // The bare redirect path would be "the browser following our 303" once the sign-in completed,
    // which is held by design: the fuzzer always sends something else.
    if (path === '/callback') path = '/callback/';
    return path;
  };

  const request = (method: string, targetText: string, headers: string, body: Part = '', version = 'HTTP/1.1'): Buffer =>
    toBuffer([`${method} ${targetText} ${version}\r\n`, headers, '\r\n', body]);

  const single = (kind: string, data: Buffer, markers: string[], allowed: readonly number[] | undefined, mustAnswer = true): FuzzCase => ({
    id: 0,
    kind,
    chunks: [{ data }],
    markers,
    allowed,
    mustAnswer,
  });

  const generators: Array<{ weight: number; make: () => FuzzCase }> = [
    {
      // Perfect requests except for the state: the most common noise, answered 400 exactly.
      weight: 12,
      make: () => {
        const m = marker();
        return single('wrong-state', request('GET', `/callback?${wrongStateQuery(m)}`, goodHost()), [m], [400]);
      },
    },
    {
      weight: 10,
      make: () => {
        const m = marker();
        const query = rng.chance(0.7) ? `?${wrongStateQuery(m)}` : '';
        return single('path', request('GET', randomPath(m) + query, goodHost()), [m], [400, 404]);
      },
    },
    {
      weight: 8,
      make: () => {
        const m = marker();
        const method = rng.pick(METHODS);
        const body = rng.chance(0.5) ? `state=${m}&code=${m}` : '';
        const headers = `${goodHost()}${body ? `Content-Length: ${body.length}\r\nContent-Type: application/x-www-form-urlencoded\r\n` : ''}`;
        const targetText = method === 'CONNECT' ? target.hostHeader : `/callback?${wrongStateQuery(m)}`;
        const c = single('method', request(method, targetText, headers, body), [m], [400, 405]);
        c.headResponse = method === 'HEAD';
        return c;
      },
    },
    {
      weight: 8,
      make: () => {
        const m = marker();
        const port = target.hostHeader.slice(target.hostHeader.lastIndexOf(':') + 1);
        const host = rng.pick([
          '',
          `Host: ${m}.example\r\n`,
          `Host: ${m}.example:${port}\r\n`,
          'Host: 127.0.0.1\r\n',
          `Host: 127.0.0.1:${Number(port) + 1}\r\n`,
          `Host: localhost:${port}\r\n`,
          `Host: [::1]:${port}\r\n`,
          `Host: 0.0.0.0:${port}\r\n`,
          `Host: 127.0.0.1.:${port}\r\n`,
          `Host: ${m}@127.0.0.1:${port}\r\n`,
          `Host: ${target.hostHeader}\r\nHost: ${m}.example\r\n`,
          `Host: ${m}.example\r\nHost: ${target.hostHeader}\r\n`,
          `Host: ${target.hostHeader}\r\nHost: ${target.hostHeader}\r\n`,
          `Host: ${target.hostHeader} ${m}\r\n`,
          `Host: ${'h'.repeat(rng.range(100, 3000))}${m}\r\n`,
          `X-Forwarded-Host: ${target.hostHeader}\r\nHost: ${m}\r\n`,
          `Host: \r\n`,
          `Host: ${target.hostHeader.toUpperCase()}x\r\n`,
        ]);
        return single('host', request('GET', `/callback?${wrongStateQuery(m)}`, host), [m], [400, 421]);
      },
    },
    {
      weight: 6,
      make: () => {
        const m = marker();
        const bad = rng.pick(BAD_ESCAPES);
        const query = rng.chance(0.5) ? `state=${m}${bad}&code=${m}` : `code=${m}${bad}&${wrongStateQuery(m)}`;
        return single('encoding', request('GET', `/callback?${query}`, goodHost()), [m], [400]);
      },
    },
    {
      weight: 5,
      make: () => {
        const m = marker();
        const name = rng.pick(['state', 'code', 'error', 'iss']);
        const query = `${name}=${m}&${wrongStateQuery(m)}&${name}=${m}x`;
        return single('repeated', request('GET', `/callback?${query}`, goodHost()), [m], [400]);
      },
    },
    {
      weight: 4,
      make: () => {
        const m = marker();
        const size = target.maxHeaderSize + rng.range(1, 3 * target.maxHeaderSize);
        const where = rng.int(3);
        const data =
          where === 0
            ? request('GET', `/callback?state=${m}&code=${'c'.repeat(size)}`, goodHost())
            : where === 1
              ? request('GET', `/callback?state=${m}`, `${goodHost()}X-${m}: ${'v'.repeat(size)}\r\n`)
              : request(
                  'GET',
                  `/callback?state=${m}`,
                  // Node counts name and value bytes (not ': ' and CRLF): ~18 per line here.
                  goodHost() + Array.from({ length: Math.ceil(size / 12) }, (_, i) => `X-${i}-${m}: 1\r\n`).join(''),
                );
        return single('oversized', data, [m], [431], false);
      },
    },
    {
      weight: 6,
      make: () => {
        const m = marker();
        const full = request('GET', `/callback?${wrongStateQuery(m)}`, `${goodHost()}User-Agent: ${m}\r\n`);
        const cut = full.subarray(0, rng.int(full.length - 1));
        const c = single('truncated', cut, [m], [400, 408], false);
        c.halfClose = rng.chance(0.5);
        return c;
      },
    },
    {
      weight: 5,
      make: () => {
        const m = marker();
        const full = request('GET', `/callback?${wrongStateQuery(m)}`, goodHost());
        const pieces = rng.range(2, 8);
        const chunks: Chunk[] = [];
        let offset = 0;
        for (let i = 0; i < pieces && offset < full.length; i++) {
          const end = i === pieces - 1 ? full.length : Math.min(full.length, offset + rng.range(1, Math.ceil(full.length / 2)));
          chunks.push({ data: full.subarray(offset, end), delayMs: rng.int(Math.ceil(target.slowBudgetMs / pieces)) });
          offset = end;
        }
        if (offset < full.length) chunks.push({ data: full.subarray(offset) });
        return { id: 0, kind: 'slow', chunks, markers: [m], allowed: [400, 408], mustAnswer: false };
      },
    },
    {
      weight: 4,
      make: () => {
        const m = marker();
        const parts: Part[] = [];
        for (let i = rng.range(1, 6); i > 0; i--) {
          parts.push(
            rng.pick([
              rng.bytes(rng.range(1, 200)),
              '\r\n',
              '\r\n\r\n',
              m,
              'GET ',
              ' HTTP/1.1',
              'Host: ',
              target.hostHeader,
              '/callback?state=',
              ':',
              '\x00',
              '\n',
            ]),
          );
        }
        return single('raw-bytes', toBuffer(parts), [m], undefined, false);
      },
    },
    {
      weight: 4,
      make: () => {
        const m = marker();
        const q = `/callback?${wrongStateQuery(m)}`;
        const variants: Buffer[] = [
          request('GET', q, `${goodHost()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n`, `0\r\n\r\n${m}`),
          request('GET', q, `${goodHost()}Content-Length: 5\r\nContent-Length: 6\r\n`, `${m}`),
          request('GET', q, `${goodHost()}Transfer-Encoding: chunked\r\n`, `5\r\n${m}\r\n0\r\n\r\n`),
          request('POST', q, `${goodHost()}Transfer-Encoding: gzip, chunked\r\n`, `0\r\n\r\n`),
          request('GET', q, `${goodHost()}X-Fold: a\r\n ${m}\r\n`),
          toBuffer([`GET ${q} HTTP/1.1\n`, `Host: ${target.hostHeader}\n\n`]),
          toBuffer([`GET ${q} HTTP/1.1\r\n${goodHost()}\r\nGET /${m} HTTP/1.1\r\n${goodHost()}\r\n`]),
          request('GET', q, `${goodHost()}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${m}\r\n`),
          request('GET', q, `${goodHost()}Upgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: ${m}\r\n`),
          request('GET', q, goodHost(), '', 'HTTP/0.9'),
          request('GET', q, goodHost(), '', 'HTTP/2.0'),
          request('GET', q, goodHost(), '', `HTTP/1.1 ${m}`),
          toBuffer(['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', m]),
          toBuffer([Buffer.from('16030100c4010000c00303', 'hex'), m]),
          request('GET', q, `${goodHost()}${m}: \x7f\r\n`),
          request('GET', q, `${goodHost()}Bad Header: ${m}\r\n`),
          request('GET', `${q}#${m}`, goodHost()),
          request('GET', `http://${m}.example${q}`, goodHost()),
          request('OPTIONS', '*', goodHost()),
        ];
        return single('smuggle', rng.pick(variants), [m], undefined, false);
      },
    },
    {
      weight: 8,
      make: () => rightStateBroken(),
    },
    {
      weight: 3,
      make: () => {
        const m = marker();
        const full = request('GET', `/callback?${wrongStateQuery(m)}`, goodHost());
        return {
          id: 0,
          kind: 'vanish',
          chunks: [{ data: full.subarray(0, rng.int(full.length)) }],
          vanishAfterMs: rng.int(50),
          markers: [m],
          mustAnswer: false,
        };
      },
    },
    {
      weight: 0.15,
      make: () => ({
        id: 0,
        kind: 'flood',
        chunks: [],
        markers: [],
        mustAnswer: false,
        flood: {
          connections: target.maxConnections + rng.range(16, 96),
          mode: rng.pick(['idle', 'partial', 'vanish'] as const),
        },
      }),
    },
  ];

  /** The genuine state, each time with one defect the receiver must refuse. */
  function rightStateBroken(): FuzzCase {
    const m = marker();
    const s = target.state;
    const ok = `/callback?code=${m}&state=${s}`;
    const mutations: Array<() => { data: Buffer; allowed: readonly number[]; mustAnswer?: boolean; halfClose?: boolean }> = [
      () => ({ data: request('GET', ok, `Host: ${m}.example\r\n`), allowed: [421] }),
      () => ({ data: request('GET', ok, ''), allowed: [400] }),
      () => ({ data: request('GET', ok, `${goodHost()}Host: ${m}\r\n`), allowed: [400] }),
      () => ({ data: request('GET', `${ok}&state=${s}`, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', `${ok}&code=${m}`, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', `${ok}&iss=a&iss=b`, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', `${ok}&x=${rng.pick(BAD_ESCAPES)}`, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', `/callback?code=${m}&state=${s}${rng.pick(BAD_ESCAPES)}`, goodHost()), allowed: [400] }),
      () => ({ data: request(rng.pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']), ok, goodHost()), allowed: [405] }),
      () => ({ data: request('get', ok, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', ok.replace('/callback', rng.pick(['/callback/', '/CALLBACK', '//callback', '/x/../callback', '/%63allback', '/callback;'])), goodHost()), allowed: [404] }),
      () => ({ data: request('GET', `/callback/${s}?code=${m}`, goodHost()), allowed: [404] }),
      () => ({ data: request('GET', `/callback?code=${m}`, `${goodHost()}State: ${s}\r\n`), allowed: [400] }),
      () => ({ data: request('GET', `http://${target.hostHeader}${ok}`, goodHost()), allowed: [400] }),
      () => ({ data: request('GET', ok, `${goodHost()}Content-Length: 4\r\n`, 'abcd'), allowed: [400] }),
      () => ({ data: request('GET', ok, `${goodHost()}Transfer-Encoding: chunked\r\n`, '0\r\n\r\n'), allowed: [400] }),
      () => ({ data: request('GET', ok, `${goodHost()}Expect: 100-continue\r\n`), allowed: [400] }),
      () => ({ data: request('GET', ok, '', '', 'HTTP/1.0'), allowed: [400] }),
      () => ({ data: request('GET', `${ok}#${m}`, goodHost()), allowed: [400] }),
      () => ({ data: toBuffer([`GET ${ok}&x=`, Buffer.from([0xc3, 0xa9]), ` HTTP/1.1\r\n${goodHost()}\r\n`]), allowed: [400] }),
      () => ({ data: request('GET', ok, `${goodHost()}X-${m}: ${'v'.repeat(target.maxHeaderSize)}\r\n`), allowed: [431], mustAnswer: false }),
      () => ({ data: toBuffer([`GET ${ok} HTTP/1.1\r\n${goodHost()}`]), allowed: [400, 408], mustAnswer: false, halfClose: rng.chance(0.5) }),
      () => ({
        // Pipelined behind a refused request on the same connection: must not be acted on.
        data: toBuffer([`GET /${m} HTTP/1.1\r\n${goodHost()}\r\nGET ${ok} HTTP/1.1\r\n${goodHost()}\r\n`]),
        allowed: [404],
      }),
      () => ({ data: toBuffer([`CONNECT ${target.hostHeader}${ok} HTTP/1.1\r\n${goodHost()}\r\n`]), allowed: [400, 405] }),
      () => ({ data: toBuffer(['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', ok]), allowed: [400] }),
    ];
    const mutation = rng.pick(mutations)();
    return {
      id: 0,
      kind: 'right-state-broken',
      chunks: [{ data: mutation.data }],
      halfClose: mutation.halfClose,
      markers: [m, s],
      allowed: mutation.allowed,
      mustAnswer: mutation.mustAnswer ?? true,
    };
  }

  const totalWeight = generators.reduce((sum, g) => sum + g.weight, 0);
  return (id: number) => {
    let roll = rng.next() * totalWeight;
    for (const generator of generators) {
      roll -= generator.weight;
      if (roll < 0) return { ...generator.make(), id };
    }
    return { ...generators[0]!.make(), id };
  };
}

/** Every status a fuzz case may see, for cases without a narrower expectation. */
export const ANY_REFUSAL: readonly number[] = REFUSALS;
