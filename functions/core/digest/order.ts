/** Code-unit string order: the same on every machine and locale, unlike `localeCompare`. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Inserts `value` at `at`, shifting the rest up: `splice(at, 0, value)` without allocating its result. */
export function insertAt<T>(list: T[], at: number, value: T): void {
  let k = list.length;
  list.push(value);
  for (; k > at; k--) list[k] = list[k - 1] as T;
  list[at] = value;
}
