// `@mlm/history/node`: histories on disk (Node only), one JSON file per step and example.
export { HistoryTopKPlugin, createHistoryTopKPlugin, historyTopKPluginOptionsSchema } from './history-top-k-plugin.js';
export type { HistoryTopKPluginOptions } from './history-top-k-plugin.js';
export { HistoryReader, readHistory } from './history-reader.js';
// Components: the folder writer, and every history component for a Node host
export { historyTopKComponent, nodeHistoryComponents } from './history-top-k-component.js';
