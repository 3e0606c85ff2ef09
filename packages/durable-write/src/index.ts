export {
  renameDurably,
  syncDirectory,
  syncDirectorySync,
  syncFile,
  temporaryPathFor,
  writeFileDurably,
  writeFileDurablySync,
  writeFileFlushed,
  writeLinesDurably,
  type DurableWriteOptions,
  type FileData,
} from './durable-write.js';
