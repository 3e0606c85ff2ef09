export { HistoryTopKPlugin, createHistoryTopKPlugin } from './history-top-k-plugin.js';
export type { HistoryTopKPluginOptions } from './history-top-k-plugin.js';
export { HistoryReader, readHistory } from './history-reader.js';
export { historyStepRecordSchema } from './history-record.js';
export type { HistoryStepRecord } from './history-record.js';
