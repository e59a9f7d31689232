/** `1 backup`, `2 backups`; `plural(3, "policy", "policies")`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
