import type { Model, RandomSource, Tokenizer } from '@mlm/types';
import type { Task, TaskKind } from '../tasks/task.js';
import type { ComponentRegistry } from './component-registry.js';
import type { RunFolder } from '../training/run-folder.js';

/** What the trainer hands every component factory. Fields are filled as the run is assembled. */
export interface ComponentContext {
  registry: ComponentRegistry<ComponentContext>;
  /** A random stream of its own for this component (seeded from the run's seed and the component's role). */
  random: RandomSource;
  /** Derives another independent, seeded stream by name. */
  createRandom(name: string): RandomSource;
  /** The run's task (absent when a component is built from a saved model folder alone). */
  task?: Task;
  /** What components need to know about the task (always set when `task` is; also read from a model folder's task.json). */
  taskInfo?: TaskInfo;
  tokenizer?: Tokenizer;
  model?: Model;
  /** Collators: which role the collator plays. */
  role?: 'train' | 'prediction';
  /** The run folder (loggers write there). */
  runFolder?: RunFolder;
  log(line: string): void;
}

/** The shape of a task, saved as task.json next to checkpoints and exported models. */
export interface TaskInfo {
  name: string;
  kind: TaskKind;
  blockSize: number;
  inputBlockSize?: number | undefined;
}

export function taskInfoOf(task: Pick<Task, 'name' | 'kind' | 'blockSize' | 'inputBlockSize'>): TaskInfo {
  return { name: task.name, kind: task.kind, blockSize: task.blockSize, ...(task.inputBlockSize !== undefined ? { inputBlockSize: task.inputBlockSize } : {}) };
}
