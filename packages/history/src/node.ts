// `@mlm/history/node`: histories on disk (Node only), one JSON file per step and example.
export { HistoryTopKPlugin, createHistoryTopKPlugin } from './history-top-k-plugin.js';
export type { HistoryTopKPluginOptions } from './history-top-k-plugin.js';
export { HistoryReader, readHistory } from './history-reader.js';
