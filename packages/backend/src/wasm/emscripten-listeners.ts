/**
 * Emscripten's Node glue adds process-wide `uncaughtException` and `unhandledRejection` listeners
 * that rethrow from inside the minified module, so any later uncaught error of the application is
 * reported at line 9 of tfjs-backend-wasm's 60 KB one-line script (and printed with it). This runs
 * `create` and removes the listeners it added; errors then surface as they normally would.
 */
export async function withoutEmscriptenProcessListeners<T>(create: () => Promise<T>): Promise<T> {
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  const before = new Map(events.map((event) => [event, new Set<unknown>(process.listeners(event as never))]));
  try {
    return await create();
  } finally {
    for (const event of events) {
      for (const listener of process.listeners(event as never) as Array<(...args: unknown[]) => void>) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  }
}
