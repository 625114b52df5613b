/** Types for bin/transpile-source.js (plain JavaScript: it runs before anything is transpiled). */
export function transpileSource(repo: string, options?: { roots?: string[]; cacheDir?: string }): Promise<string>;
