/**
 * Bounds on what the parser accepts. A message is untrusted input that arrives
 * after the 250 was given, so each bound turns a resource attack into a plain
 * MESSAGE_UNREADABLE refusal instead of a stuck or crashed worker.
 */
export interface ParseLimits {
  /**
   * Longest HTML body, in UTF-16 code units, that later stages are asked to
   * sanitise and re-serialise.
   */
  maxHtmlLength: number;
  /** Most attachments (files written to the work directory) per message. */
  maxAttachments: number;
  /** Largest header block of one MIME part, in bytes (mailparser `maxHeadSize`). */
  maxHeaderBytes: number;
}

/**
 * Defaults chosen so that real mail never meets them.
 *
 * - `maxHtmlLength` 10 MiB: Outlook and newsletter HTML is mostly inline CSS
 *   and shrinks several-fold once sanitised, yet a page body over ~5 MB is
 *   refused by Confluence anyway; ten times the usual size of a heavy
 *   newsletter leaves room without letting a single part pin the worker.
 * - `maxAttachments` 100: Confluence uploads are one request per batch and
 *   each file is a row on the page; a hundred is far beyond what people mail
 *   and still cheap on disk and in the upload.
 * - `maxHeaderBytes` 256 KiB: Postfix's own `header_size_limit` is 100 KiB,
 *   so anything an MTA passed through fits; mailparser's 1 MiB default is more
 *   than any header block of a genuine message needs.
 */
export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxHtmlLength: 10 * 1024 * 1024,
  maxAttachments: 100,
  maxHeaderBytes: 256 * 1024,
});
