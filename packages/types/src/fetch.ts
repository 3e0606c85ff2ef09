/**
 * The part of the web `fetch` API the libraries use to load files by URL (browser, Node 18+, or an
 * injected function: tests, auth headers, caches). The global `fetch` satisfies it.
 */
export type FetchFunction = (url: string, init?: { signal?: AbortSignal }) => Promise<FetchResponse>;

/** The part of a fetch `Response` the libraries read. */
export interface FetchResponse {
  ok: boolean;
  status: number;
  statusText: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}
