// oidc-provider ships no type definitions and @types/oidc-provider lags behind v9: this declares
// only the surface the bench uses. Configuration stays a loose record on purpose: its names are
// checked by oidc-provider itself at construction (unknown features throw).
declare module 'oidc-provider' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The slice of oidc-provider's koa context the bench reads in event listeners. */
  export interface OidcContext {
    oidc?: {
      route?: string;
      params?: Record<string, unknown>;
      client?: { clientId: string };
    };
  }

  export class Provider extends EventEmitter {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    readonly issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    /** Koa middleware, run before oidc-provider's own routes. */
    use(middleware: (ctx: never, next: () => Promise<void>) => Promise<void>): this;
  }

  export const errors: {
    InvalidTarget: new (description?: string) => Error;
    InvalidGrant: new (description?: string) => Error;
  };

  export default Provider;
}
