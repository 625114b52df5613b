/**
 * What every handler can reach: the site state (replaced on reset), issued
 * OAuth tokens, fault rules and the request log; plus the per-request
 * contexts handed to route handlers.
 */
import type { IncomingMessage } from 'node:http';
import { FaultStore } from './faults.js';
import { OAuthTokenStore } from './oauth-tokens.js';
import type { Caller } from './permissions.js';
import type { BodySource } from './request-body.js';
import { RequestLog } from './request-log.js';
import type { ValidSeed } from './seed-schema.js';
import { SiteState } from './site-state.js';

export class SimulatorCore {
  state: SiteState;
  readonly tokens = new OAuthTokenStore();
  readonly faults = new FaultStore();
  readonly log = new RequestLog();
  /** http://host:port, known once the server listens. */
  siteUrl = '';

  constructor(readonly seed: ValidSeed) {
    this.state = new SiteState(seed);
  }

  /** Back to the seed: state, fault rules and request counts. Issued tokens stay valid. */
  reset(): void {
    this.state = new SiteState(this.seed);
    this.faults.clear();
    this.log.clear();
  }

  /** `_links.base`: the simulator's own /wiki, so links a client follows lead back here. */
  get wikiBase(): string {
    return `${this.siteUrl}/wiki`;
  }
}

export interface RequestContext {
  core: SimulatorCore;
  req: IncomingMessage;
  method: string;
  /** Canonical path: /wiki/… even when the request came through /ex/confluence/{cloudId}. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: BodySource;
}

export interface ApiContext extends RequestContext {
  /** The authenticated user, with the spaces an app access rule closes to this request. */
  caller: Caller;
  viaGateway: boolean;
}

