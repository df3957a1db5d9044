/** A response body as JSON, or undefined when it is empty or not JSON. */
export function parseJson(raw: string): unknown {
  try {
    return raw ? JSON.parse(raw) : undefined;
  } catch {
    return undefined;
  }
}
