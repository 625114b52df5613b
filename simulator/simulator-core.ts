/**
 * What every handler can reach: the site state (replaced on reset), the
 * authorization server (clock, issued tokens, 3LO codes, grants and the grant
 * limit), fault rules and the request log; plus the per-request contexts
 * handed to route handlers.
 */
import type { IncomingMessage } from 'node:http';
import { FaultStore } from './faults.js';
import { AuthorizationCodeStore } from './oauth-codes.js';
import { TokenGrantLimiter } from './oauth-grant-limit.js';
import { OAuthGrantStore } from './oauth-grants.js';
import { OAuthTokenStore } from './oauth-tokens.js';
import type { Caller } from './permissions.js';
import type { BodySource } from './request-body.js';
import { RequestLog } from './request-log.js';
import type { ValidSeed } from './seed-schema.js';
import { SimClock } from './sim-clock.js';
import { SiteState } from './site-state.js';

export class SimulatorCore {
  state: SiteState;
  /** Times every token, code and grant window; tests move it with POST /__admin/clock. */
  readonly clock = new SimClock();
  readonly tokens = new OAuthTokenStore(() => this.clock.now());
  readonly codes = new AuthorizationCodeStore(() => this.clock.now());
  readonly grants = new OAuthGrantStore(() => this.clock.now(), this.tokens, (clientId, accountId) => this.codes.revokeFor(clientId, accountId));
  readonly grantLimit = new TokenGrantLimiter(() => this.clock.now());
  readonly faults = new FaultStore();
  readonly log = new RequestLog();
  /** http://host:port, known once the server listens. */
  siteUrl = '';

  constructor(readonly seed: ValidSeed) {
    this.state = new SiteState(seed);
  }

  /**
   * Back to the seed: state, fault rules, request counts, and the people's 3LO consents with their codes and
   * tokens (a person's grant is site data like a page). Service-account tokens stay valid; the clock stays put.
   */
  reset(): void {
    this.state = new SiteState(this.seed);
    this.faults.clear();
    this.log.clear();
    this.codes.clear();
    this.grants.clear();
    this.grantLimit.reset();
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

