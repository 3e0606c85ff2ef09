// `@mlm/history`: the browser-safe part (records in memory, the record schema). Files on disk
// (`HistoryTopKPlugin`, `HistoryReader`) are in `@mlm/history/node`.
export { InMemoryHistoryPlugin, HistoryRecords, createInMemoryHistory, inMemoryHistoryOptionsSchema } from './in-memory-history.js';
export type { InMemoryHistoryOptions } from './in-memory-history.js';
export type { HistoryWindowOptions } from './history-step-records.js';
export { historyStepRecordSchema } from './history-record.js';
export type { HistoryStepRecord } from './history-record.js';
// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export { historyComponents, inMemoryHistoryComponent } from './history-components.js';
