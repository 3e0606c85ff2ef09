export {
  DEFAULT_SHUFFLE_BUFFER_SIZE,
  createDataLoader,
  iterateBatches,
  type DataLoader,
  type DataLoaderOptions,
  type DataLoaderResult,
  type DataLoaderState,
} from './data-loader.js';
export { shuffleBuffer } from './shuffle-buffer.js';
