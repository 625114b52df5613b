/**
 * What every storage-element converter needs: where links lead, which images
 * were embedded, and where in the document it is. The converters call back
 * into the walker through {@link RenderNodes} for the content they hold, so
 * they need not import it (and no import cycle forms).
 */
import type { HNode } from './html-tree.js';
import type { InlineImage } from './page-for-mail.js';
import type { SiteContext } from './site-urls.js';
import type { DomNode } from './storage-dom.js';

export interface RenderContext {
  site: SiteContext;
  /** Absolute download URL per attachment file name of the shared page. */
  attachmentUrls: ReadonlyMap<string, string>;
  /**
   * The embedded image for an attachment of the shared page, or undefined
   * when it is to be a link. Every image the output shows is asked for here,
   * which is how the renderer learns which images to load (render-share-mail.ts).
   */
  imageFor(filename: string): InlineImage | undefined;
  userNames: Readonly<Record<string, string>>;
  /** Inside an `<a>`: another link would be invalid HTML, so only its text is written. */
  inLink: boolean;
  /** Where a block (paragraph, box) may stand, as opposed to inside a paragraph or an emphasis. */
  block: boolean;
}

export type RenderNodes = (nodes: readonly DomNode[], ctx: RenderContext) => HNode[];
