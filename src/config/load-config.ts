/**
 * Reads the YAML config file, applies environment overrides, validates, and
 * returns a frozen Config. The only module that reads process.env.
 *
 * Overrides: `M2C__<path>` with `__` between keys, e.g.
 * `M2C__sites__acme__auth__apiToken=...`. Values are read as YAML scalars, so
 * `M2C__smtp__port=2526` is a number. Secrets belong there, not in the file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

const ENV_PREFIX = 'M2C__';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    /** One line per problem: `<dotted.path>: <message>`. */
    readonly problems: string[],
  ) {
    super(`invalid config ${file}:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedConfig {
  config: Config;
  file: string;
  /** Dotted paths that came from the environment, for `check-config`. */
  fromEnv: string[];
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (err) {
    throw new ConfigError(absolute, [`cannot read file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError(absolute, [`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    throw new ConfigError(absolute, ['the top level must be a mapping of keys']);
  }
  const fromEnv = applyEnvOverrides(raw as Record<string, unknown>, env);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(absolute, formatIssues(result.error.issues));
  }
  const config = resolvePaths(result.data, path.dirname(absolute));
  return { config: deepFreeze(config), file: absolute, fromEnv };
}

function applyEnvOverrides(target: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const applied: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined) continue;
    const keys = name.slice(ENV_PREFIX.length).split('__').filter(Boolean);
    if (keys.length === 0) continue;
    let node: Record<string, unknown> = target;
    for (const key of keys.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = parseScalar(value);
    applied.push(keys.join('.'));
  }
  return applied.sort();
}

function parseScalar(value: string): unknown {
  try {
    const parsed: unknown = parseYaml(value);
    // Only scalars: an env var must not be able to inject a whole structure by accident.
    return parsed !== null && typeof parsed === 'object' ? value : parsed;
  } catch {
    return value;
  }
}

export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown key`).join('\n  ');
    }
    return `${where}: ${issue.message}`;
  });
}

/** Relative file paths in the config are relative to the config file, not the working directory. */
function resolvePaths(config: Config, baseDir: string): Config {
  const tls = config.smtp.tls
    ? { keyFile: path.resolve(baseDir, config.smtp.tls.keyFile), certFile: path.resolve(baseDir, config.smtp.tls.certFile) }
    : undefined;
  return {
    ...config,
    smtp: { ...config.smtp, ...(tls ? { tls } : {}) },
    spool: { ...config.spool, dir: path.resolve(baseDir, config.spool.dir) },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
