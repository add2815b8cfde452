/**
 * Orders strings by UTF-16 code units. Unlike localeCompare it does not depend on the
 * runtime's locale data (so plans are the same everywhere) and it is far cheaper.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
