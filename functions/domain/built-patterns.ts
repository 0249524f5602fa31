/**
 * Regular expressions built from word lists (weekdays, months, names) exist only once the module runs, so no
 * reading of the source can check them for catastrophic backtracking. Every one is built here, once at module load,
 * and kept: the ReDoS test (tests/unit/security/regex-safety.test.ts) checks these very objects.
 */
const built: RegExp[] = [];

/** A pattern built from pieces of source. Only for module-level constants: each call is kept for the life of the process. */
export function builtPattern(source: string, flags: string): RegExp {
  const pattern = new RegExp(source, flags);
  built.push(pattern);
  return pattern;
}

/** Every pattern built so far by the modules loaded in this process. */
export function builtPatterns(): readonly RegExp[] {
  return [...built];
}
